"""The outfall's life after registration (issue 19 items 3-8): one remediation plan per outfall (一口一策)
and its acceptance, tracing records (溯), approval or registration under Order 35, and protected zones.
Rules and their sources: server/reference/lifecycle.json."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow

PLAN_TYPES = ("BAN", "MERGE", "RECTIFY")  # 取缔 合并 规范
# IN_PROGRESS -> SUBMITTED (acceptance asked) -> ACCEPTED (验收) -> CLOSED_OUT (销号); a rejected
# acceptance goes back to IN_PROGRESS with the reviewer's reason.
PLAN_STATUSES = ("IN_PROGRESS", "SUBMITTED", "ACCEPTED", "CLOSED_OUT")
TRACING_STATUSES = ("SUBMITTED", "APPROVED", "REJECTED", "SUPERSEDED")
PERMIT_KINDS = ("APPROVAL", "REGISTRATION")  # 审批 / 登记 (Order 35)
PERMIT_STATUSES = ("IN_FORCE", "CANCELLED")  # in force / 注销
PERMIT_CHANGES = ("ISSUED", "CHANGED", "CANCELLED")
VERIFICATIONS = ("SUSPECTED", "VERIFIED", "NOT_OUTFALL")
ZONE_KINDS = ("DRINKING_WATER_PROTECTION", "PROTECTED_III", "SWIMMING", "NATURE_RESERVE", "OTHER_SENSITIVE")


class RemediationPlan(SQLModel, table=True):
    """一口一策: the one plan of an outfall, its type, and the evidence its acceptance needs."""

    __tablename__ = "remediation_plans"
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    request_hash: str = Field(max_length=64)
    outfall_id: int = Field(foreign_key="outfalls.id", unique=True)
    district_code: str = Field(foreign_key="districts.code", max_length=6)
    type: str = Field(max_length=8)
    status: str = Field(default="IN_PROGRESS", max_length=12)
    measures: str = Field(max_length=4000)
    deadline: date = Field(sa_column=Column(Date(), nullable=False))
    merged_into_id: int | None = Field(default=None, foreign_key="outfalls.id")
    online_monitoring_required: bool = False
    # item key -> {"media_ids": [...], "note": str, "inspection_id": int, "by": user id, "at": iso}
    evidence: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    review_reason: str | None = Field(default=None, max_length=2000)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    accepted_by_id: int | None = Field(default=None, foreign_key="users.id")
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closed_by_id: int | None = Field(default=None, foreign_key="users.id")
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
    version: int = 1


class TracingRecord(SQLModel, table=True):
    """溯: who is responsible for an outfall and where its sewage comes from, or why that cannot be
    determined; reviewed by a supervisor before it counts."""

    __tablename__ = "tracing_records"
    __table_args__ = (Index("ix_tracing_records_outfall", "outfall_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    request_hash: str = Field(max_length=64)
    outfall_id: int = Field(foreign_key="outfalls.id")
    district_code: str = Field(foreign_key="districts.code", max_length=6)
    task_id: int | None = Field(default=None, foreign_key="tasks.id")  # e.g. the station suspect task it answers
    status: str = Field(default="SUBMITTED", max_length=12)
    determined: bool = True
    party_name: str = Field(max_length=200)
    party_uscc: str | None = Field(default=None, max_length=18)
    party_type: str = Field(max_length=20)
    party_contact: str | None = Field(default=None, max_length=100)  # personal data: never public
    co_parties: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # shared outfall
    sources: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    methods: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    report: str | None = Field(default=None, max_length=4000)
    undetermined_reason: str | None = Field(default=None, max_length=2000)
    submitted_by_id: int | None = Field(default=None, foreign_key="users.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    reviewer_id: int | None = Field(default=None, foreign_key="users.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    review_reason: str | None = Field(default=None, max_length=2000)


class OutfallPermit(SQLModel, table=True):
    """Order 35: the approval (审批) or registration (登记) an outfall is set under; one per outfall,
    its changes and 注销 kept in permit_changes."""

    __tablename__ = "outfall_permits"
    id: int | None = Field(default=None, primary_key=True)
    outfall_id: int = Field(foreign_key="outfalls.id", unique=True)
    kind: str = Field(max_length=12)
    status: str = Field(default="IN_FORCE", max_length=10)
    document_no: str = Field(max_length=80)
    authority: str = Field(max_length=100)
    decided_on: date = Field(sa_column=Column(Date(), nullable=False))
    note: str | None = Field(default=None, max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
    version: int = 1


class PermitChange(SQLModel, table=True):
    __tablename__ = "permit_changes"
    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="outfall_permits.id", index=True)
    change: str = Field(max_length=10)
    document_no: str = Field(max_length=80)
    authority: str = Field(max_length=100)
    decided_on: date = Field(sa_column=Column(Date(), nullable=False))
    limits: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=2000)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class ProtectedZone(SQLModel, table=True):
    """A drinking-water source protection zone or other sensitive area, entered by a supervisor from the
    published 划定方案 (our reference has no zone boundaries): a circle is what a plan's list gives."""

    __tablename__ = "protected_zones"
    __table_args__ = (UniqueConstraint("name", name="uq_protected_zones_name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=28)
    lat: float
    lon: float
    radius_m: float
    source: str = Field(max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
