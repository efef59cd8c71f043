"""Field inspections (巡查) and their rapid-test readings (快检)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow


class Inspection(SQLModel, table=True):
    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_outfall_observed", "outfall_id", "observed_at"),
                      Index("ix_inspections_district_observed", "district_code", "observed_at"),
                      Index("ix_inspections_updated_at", "updated_at"))
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    request_hash: str = Field(max_length=64)
    outfall_id: int = Field(foreign_key="outfalls.id")
    inspector_id: int = Field(foreign_key="users.id")
    district_code: str = Field(foreign_key="districts.code", max_length=6)
    # observed_at comes from the phone (possibly hours offline); received_at is the server's clock.
    observed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    flowing: bool | None = None
    dry_weather: bool | None = None  # for a stormwater outlet, flow in dry weather is the finding
    outcome: str | None = Field(default=None, max_length=8)  # SAMPLED, or DRY: nothing to sample
    note: str | None = Field(default=None, max_length=2000)


class Measurement(SQLModel, table=True):
    __tablename__ = "measurements"
    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspections.id", index=True)
    parameter: str = Field(max_length=12)
    value: float
    unit: str = Field(max_length=16)
    limit: float | None = None
    limit_low: float | None = None
    standard: str | None = Field(default=None, max_length=40)
    exceeded: bool = False
    # EFFLUENT / UPSTREAM / DOWNSTREAM; None for readings recorded before sample types existed.
    sample_type: str | None = Field(default=None, max_length=12)
    method: str = Field(default="KIT", max_length=4)  # KIT = screening, LAB = confirmed
    basis: str | None = Field(default=None, max_length=16)  # DISCHARGE, APPROVED, RECEIVING_WATER
    note: str | None = Field(default=None, max_length=200)  # why it was not judged
    exceedance_ratio: float | None = None  # value/limit (limit/value for DO); not 超标倍数

    @property
    def exceedance_multiple(self) -> float | None:
        """超标倍数 (C − limit)/limit, from the stored judgement."""
        from server.domain.standards import exceedance_multiple, stored_direction

        return exceedance_multiple(self.value, self.limit, direction=stored_direction(self.limit_low)) \
            if self.exceeded else None
