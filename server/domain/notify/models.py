"""The notification outbox: written in the change's transaction, delivered later with retries."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("event_key", "channel", "recipient", name="uq_notifications_once"),
                      Index("ix_notifications_due", "status", "next_attempt_at"))
    id: int | None = Field(default=None, primary_key=True)
    # What happened, e.g. "task_event:42" or "reminder:17": the same fact is queued once per channel+recipient.
    event_key: str = Field(max_length=64)
    channel: str = Field(max_length=12)  # log | webhook | sms
    recipient: str = Field(max_length=100)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="PENDING", max_length=10)  # PENDING | SENDING | SENT | FAILED
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
