"""People and systems that sign in."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow

ROLES = ("INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN", "INTEGRATOR")
DISTRICT_ROLES = ("INSPECTOR", "DISTRICT_OFFICER")


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=64)
    role: str = Field(max_length=20)
    district_code: str | None = Field(default=None, foreign_key="districts.code", max_length=6)
    password_hash: str = Field(max_length=255)
    # Bumped on sign-out-everywhere or password change: older tokens stop working.
    token_version: int = Field(default=0)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # Any change (role, district, name, sign-out, deactivation) moves it: the sync mark.
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))


class ApiToken(SQLModel, table=True):
    """An integrator's token: shown once, stored as a SHA-256 hash, revocable, scoped."""

    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16, unique=True)  # the public part, to find the row without the secret
    token_hash: str = Field(max_length=64)
    scopes: str = Field(max_length=100)  # space-separated: read, tasks:create
    user_id: int = Field(foreign_key="users.id")  # the INTEGRATOR user it acts as
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
