"""Capture devices: one Ed25519 public key per phone install, registered at first sign-in."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow


class Device(SQLModel, table=True):
    __tablename__ = "devices"
    id: int | None = Field(default=None, primary_key=True)
    key_id: str = Field(max_length=32, unique=True, index=True)  # hex SHA-256 of the public key, first 128 bits
    public_key: str = Field(max_length=64)  # base64 of the 32 raw Ed25519 bytes
    user_id: int = Field(foreign_key="users.id", index=True)
    label: str = Field(max_length=100)
    # What the phone says of where its key lives; "SOFTWARE" unless key attestation proved otherwise.
    key_storage: str = Field(default="SOFTWARE", max_length=12)
    registered_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")
    last_counter: int = Field(default=0)  # the highest counter seen: for display, not for replay (see verify)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
