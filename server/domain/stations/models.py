"""Stations, their 4-hourly readings, alert episodes, and where outfalls sit on their river."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow
from server.domain.stations.params import PARAMS


class Station(SQLModel, table=True):
    """A monitoring section / automatic station (断面/自动站)."""

    __tablename__ = "stations"
    __table_args__ = (Index("ix_stations_river_km", "river_code", "river_km"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=100)
    river_code: str = Field(foreign_key="rivers.code", max_length=32)
    district_code: str = Field(foreign_key="districts.code", max_length=6, index=True)
    lat: float
    lon: float
    river_km: float | None = None  # along the river's course, from its upstream end (tracing)
    level: str = Field(max_length=10)  # NATIONAL | MUNICIPAL | DISTRICT
    target_class: str = Field(max_length=3)  # 水质目标, I..V
    water_body: str = Field(default="RIVER", max_length=5)  # RIVER | LAKE (lakes add TN, lake TP)
    status: str = Field(default="ACTIVE", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))  # edits and offTarget flips (alerts.py)
    version: int = 1
    # Alerting state, advanced by alerts.evaluate in reading order.
    evaluated_through: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    off_streak: int = 0
    on_streak: int = 0
    fault_streak: int = 0
    open_episode_id: int | None = None
    open_fault_id: int | None = None


def _reading_columns() -> list[Column]:
    cols = []
    for p in PARAMS:
        cols.append(Column(f"v_{p.column}", Float, nullable=True))
        cols.append(Column(f"f_{p.column}", String(7), nullable=True))  # VALID | MISSING | FAULT | SUSPECT
    return cols


# One row per station and 4-hour slot, one value+flag column pair per parameter: a year of 81 stations
# is 177k rows instead of 1.6M, and the class of a slot reads one row. Idempotency is still per
# station + time + parameter: an ingest upserts only the columns of the parameters it carries.
readings = Table(
    "station_readings", SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("station_id", Integer, ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    *_reading_columns(),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("station_id", "observed_at", name="uq_station_readings_slot"),
)


class StationEpisode(SQLModel, table=True):
    """An off-target (POLLUTION) or instrument-fault (FAULT) run at a station: one alert, one clearance."""

    __tablename__ = "station_episodes"
    __table_args__ = (Index("ix_station_episodes_station", "station_id", "started_at"),
                      Index("ix_station_episodes_started", "started_at"))
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="stations.id")
    kind: str = Field(max_length=10)  # POLLUTION | FAULT
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    cleared_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    worst_class: str | None = Field(default=None, max_length=3)
    # [{parameter, class, value, limit, limitClass, multiple}] worst seen per failing parameter
    failing: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notified: bool = False  # False for transitions replayed from history (see stations.json episode)
    task_id: int | None = Field(default=None, foreign_key="tasks.id")


class OutfallRiverPosition(SQLModel, table=True):
    """Where an outfall sits on its river (river-km), derived from its location and the river's course."""

    __tablename__ = "outfall_river_positions"
    __table_args__ = (Index("ix_outfall_river_positions_km", "river_code", "river_km"),)
    outfall_id: int = Field(primary_key=True, foreign_key="outfalls.id")
    river_code: str = Field(max_length=32)
    river_km: float
    lat: float
    lon: float


__all__ = ["Station", "StationEpisode", "OutfallRiverPosition", "readings"]
