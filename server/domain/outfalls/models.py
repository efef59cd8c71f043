"""The outfall register (入河排污口名录)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow

CATEGORIES = ("INDUSTRIAL", "URBAN_SEWAGE_PLANT", "AGRICULTURAL", "OTHER")
PHASES = ("SURVEYED", "MONITORED", "TRACED", "REMEDIATED")  # 查 测 溯 治, in order
REMEDIATIONS = ("BAN", "MERGE", "RECTIFY")
STATUSES = ("ACTIVE", "CLOSED")
WATER_CLASSES = ("I", "II", "III", "IV", "V")


class Outfall(SQLModel, table=True):
    __tablename__ = "outfalls"
    __table_args__ = (
        Index("ix_outfalls_lat_lon", "lat", "lon"),
        Index("ix_outfalls_district_code", "district_code"),
        Index("ix_outfalls_river_code", "river_code"),
        # Unique indexes, not constraints: adding a constraint would recreate the table on SQLite and drop
        # its data-version triggers.
        Index("ix_outfalls_national_code", "national_code", unique=True),
        Index("ix_outfalls_provincial_code", "provincial_code", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    # The phone's UUID for the create; a replay finds the first result through it.
    client_id: str | None = Field(default=None, max_length=36, unique=True)
    request_hash: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=100)
    category: str = Field(max_length=24)
    subtype: str | None = Field(default=None, max_length=64)
    river_code: str = Field(foreign_key="rivers.code", max_length=32)
    district_code: str = Field(foreign_key="districts.code", max_length=6)
    lat: float
    lon: float
    accuracy_m: float | None = None
    # Where the phone's GPS put the outfall when it was registered, kept beside lat/lon because the
    # inspector may move the pin by hand (a bad fix under a bridge): both are evidence of the place.
    gps_fix_lat: float | None = None
    gps_fix_lon: float | None = None
    gps_fix_accuracy_m: float | None = None
    water_class: str | None = Field(default=None, max_length=3)
    phase: str = Field(default="SURVEYED", max_length=12)
    remediation: str | None = Field(default=None, max_length=8)
    status: str = Field(default="ACTIVE", max_length=8)
    responsible_unit: str | None = Field(default=None, max_length=200)
    signboard_installed: bool = False
    # The applicable discharge standard (server/reference/lifecycle.json); set by a supervisor.
    discharge_standard: str = Field(default="UNASSIGNED", max_length=16)
    discharge_grade: str | None = Field(default=None, max_length=8)
    sector_standard: str | None = Field(default=None, max_length=80)
    # Issue 19 items 3-7. None = recorded before the step existed (the migration guesses nothing).
    verification: str | None = Field(default=None, max_length=12)  # SUSPECTED, VERIFIED, NOT_OUTFALL
    national_code: str | None = Field(default=None, max_length=32)  # assigned by the authority
    provincial_code: str | None = Field(default=None, max_length=32)
    merged_into_id: int | None = None  # checked by the plan service (no FK: see the unique indexes above)
    receiving_reach: str | None = Field(default=None, max_length=32)  # a supervisor's choice over the derived one
    siting_flag: str | None = Field(default=None, max_length=200)  # why rules forbid a new outfall here
    # LEGACY: TRACED/REMEDIATED set under the old rules (a typed unit, an approved task), before records existed.
    phase_basis: str | None = Field(default=None, max_length=8)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
    version: int = Field(default=1)


class OutfallCodeCounter(SQLModel, table=True):
    """Next sequence number per district; row-locked so concurrent registrations never collide."""

    __tablename__ = "outfall_code_counters"
    district_code: str = Field(primary_key=True, foreign_key="districts.code", max_length=6)
    last: int = 0


class OutfallLimit(SQLModel, table=True):
    """A limit set for one outfall by its approval or registration; takes precedence over the table."""

    __tablename__ = "outfall_limits"
    __table_args__ = (UniqueConstraint("outfall_id", "parameter", name="uq_outfall_limits_parameter"),)
    id: int | None = Field(default=None, primary_key=True)
    outfall_id: int = Field(foreign_key="outfalls.id", index=True)
    parameter: str = Field(max_length=12)
    limit_max: float | None = None
    limit_min: float | None = None
    basis: str | None = Field(default=None, max_length=200)  # e.g. the approval's document number
    set_by_id: int | None = Field(default=None, foreign_key="users.id")
    set_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
