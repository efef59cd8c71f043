"""The audit trail: append-only (database triggers refuse UPDATE and DELETE)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"), Index("ix_audit_actor_at", "actor_id", "at"),
                      Index("ix_audit_at", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor_id: int | None = None
    actor_name: str | None = Field(default=None, max_length=64)
    client_addr: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=40)  # the mutation, e.g. "reviewSubmission"
    object_type: str = Field(max_length=20)
    object_id: str = Field(max_length=40)
    change: str = Field(max_length=8)  # create | update | delete
    before: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
