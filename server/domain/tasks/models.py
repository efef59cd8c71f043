"""Tasks sent to districts, their rectification submissions and reviews, and the event history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow

KINDS = ("ILLEGAL_DISCHARGE", "EXCEEDANCE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD",
         "OUTFALL_REMEDIATION", "OTHER")
SOURCES = ("INSPECTION", "SAMPLE_EXCEEDANCE", "VIDEO_AI", "DRONE", "MANUAL", "STATION", "PUBLIC_COMPLAINT",
           "RIVER_CHIEF", "INSPECTION_TEAM")
STATUSES = ("OPEN", "IN_PROGRESS", "SUBMITTED", "APPROVED", "REJECTED", "CANCELLED")
OPEN_STATES = ("OPEN", "IN_PROGRESS", "SUBMITTED", "REJECTED")
EVENT_TYPES = ("CREATED", "STARTED", "SUBMITTED", "APPROVED", "REJECTED", "OVERDUE", "CANCELLED", "AMENDED",
               "ESCALATED")
DECISIONS = ("APPROVE", "REJECT")
SUBMISSION_STATUSES = ("PENDING_REVIEW", "APPROVED", "REJECTED")


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_district_status", "district_code", "status"),
                      Index("ix_tasks_status_deadline", "status", "deadline"),
                      Index("ix_tasks_outfall", "outfall_id"),
                      Index("uq_tasks_intake", "intake_channel", "intake_ref", unique=True))
    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=32, unique=True)
    client_id: str | None = Field(default=None, max_length=36, unique=True)
    request_hash: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=20)
    source: str = Field(max_length=20)
    status: str = Field(default="OPEN", max_length=12)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    district_code: str = Field(foreign_key="districts.code", max_length=6)
    outfall_id: int | None = Field(default=None, foreign_key="outfalls.id")
    lat: float | None = None
    lon: float | None = None
    deadline: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    raised_by_inspection_id: int | None = Field(default=None, foreign_key="inspections.id", index=True)
    parameter: str | None = Field(default=None, max_length=12)  # EXCEEDANCE: the first parameter; later ones in AMENDED events
    cancel_reason: str | None = Field(default=None, max_length=500)
    # Intake (issue 19 item 8): the channel and its own reference number; supervision level and escalation.
    intake_channel: str | None = Field(default=None, max_length=16)
    intake_ref: str | None = Field(default=None, max_length=64)
    supervision_level: str = Field(default="DISTRICT", max_length=10)
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    overdue_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    version: int = 1


class Submission(SQLModel, table=True):
    __tablename__ = "submissions"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    request_hash: str = Field(max_length=64)
    task_id: int = Field(foreign_key="tasks.id", index=True)
    submitted_by_id: int = Field(foreign_key="users.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    note: str | None = Field(default=None, max_length=4000)
    status: str = Field(default="PENDING_REVIEW", max_length=16)
    checks: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decision: str | None = Field(default=None, max_length=8)
    reason: str | None = Field(default=None, max_length=2000)
    reviewer_id: int | None = Field(default=None, foreign_key="users.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))


class SubmissionMedia(SQLModel, table=True):
    """The photos a submission presents. A media row has one owner (the record it was first evidence
    for); a resubmission may present again the before photos of its task's earlier submissions."""

    __tablename__ = "submission_media"
    __table_args__ = (Index("ix_submission_media_media", "media_id"),)
    submission_id: int = Field(foreign_key="submissions.id", primary_key=True)
    media_id: int = Field(foreign_key="media.id", primary_key=True)
    slot: str = Field(max_length=10)  # BEFORE or AFTER


class TaskEvent(SQLModel, table=True):
    """Append-only history of every task change; also what subscriptions and the brief read."""

    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_at", "at"), Index("ux_task_events_seq", "seq", unique=True))
    id: int | None = Field(default=None, primary_key=True)
    # Place in commit order, given by the database as the event's transaction commits (migration 0019's
    # trigger): None until then. The resume cursor of taskEvents(after:).
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    task_id: int = Field(foreign_key="tasks.id", index=True)
    type: str = Field(max_length=12)
    district_code: str = Field(max_length=6)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
