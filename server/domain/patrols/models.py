"""A patrol and its track, stored whole: a track is written once and read as a unit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow


class Patrol(SQLModel, table=True):
    __tablename__ = "patrols"
    __table_args__ = (Index("ix_patrols_district_started", "district_code", "started_at"),
                      Index("ix_patrols_inspector_started", "inspector_id", "started_at"),
                      Index("ix_patrols_updated_at", "updated_at"))
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    request_hash: str = Field(max_length=64)
    inspector_id: int = Field(foreign_key="users.id")
    # The patroller's district; for city roles the district the track starts in (None outside any).
    district_code: str | None = Field(default=None, foreign_key="districts.code", max_length=6)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
    # Computed here from the track, never taken from the phone.
    distance_m: float = 0.0
    duration_s: int = 0
    point_count: int = 0
    # JSON [[lat, lon, accuracy_m|null, epoch_seconds], ...]
    track: str = Field(sa_column=Column(Text(), nullable=False))
    mocked_location: bool = False
    note: str | None = Field(default=None, max_length=2000)
