from __future__ import annotations

from datetime import datetime

import strawberry

from server.domain.stations import service
from server.domain.stations.models import Station as StationRow
from server.graphql.common import GeoPoint
from server.graphql.enums import ReadingFlag, StationLevel, StationParameter, StationStatus, WaterBody, WaterClass


@strawberry.type
class Station:
    id: strawberry.ID
    code: str
    name: str
    river_code: str
    district_code: str
    location: GeoPoint
    river_km: float | None = strawberry.field(description="Along the river's course from its upstream end.")
    level: StationLevel
    target_class: WaterClass = strawberry.field(description="水质目标")
    water_body: WaterBody
    status: StationStatus
    version: int
    off_target: bool = strawberry.field(description="An off-target episode is open now.")
    updated_at: datetime

    @classmethod
    def from_model(cls, s: StationRow) -> "Station":
        return cls(id=strawberry.ID(str(s.id)), code=s.code, name=s.name, river_code=s.river_code,
                   district_code=s.district_code, location=GeoPoint(lat=s.lat, lon=s.lon), river_km=s.river_km,
                   level=StationLevel(s.level), target_class=WaterClass(s.target_class),
                   water_body=WaterBody(s.water_body), status=StationStatus(s.status), version=s.version,
                   off_target=s.open_episode_id is not None, updated_at=s.updated_at)


@strawberry.input
class StationInput:
    code: str | None = None
    name: str | None = None
    river_code: str | None = None
    district_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    river_km: float | None = None
    level: StationLevel | None = None
    target_class: WaterClass | None = None
    water_body: WaterBody | None = None
    status: StationStatus | None = None

    def to_domain(self) -> service.StationInput:
        return service.StationInput(
            code=self.code, name=self.name, river_code=self.river_code, district_code=self.district_code,
            lat=self.lat, lon=self.lon, river_km=self.river_km, level=self.level.value if self.level else None,
            target_class=self.target_class.value if self.target_class else None,
            water_body=self.water_body.value if self.water_body else None,
            status=self.status.value if self.status else None)


@strawberry.input
class StationFilter:
    river_code: str | None = None
    district_code: str | None = None
    level: StationLevel | None = None
    status: StationStatus | None = None
    target_class: WaterClass | None = None
    search: str | None = None

    def to_domain(self) -> service.StationFilter:
        return service.StationFilter(river_code=self.river_code, district_code=self.district_code,
                                     level=self.level.value if self.level else None,
                                     status=self.status.value if self.status else None,
                                     target_class=self.target_class.value if self.target_class else None,
                                     search=self.search)


@strawberry.input(description="One station's series of one parameter: parallel lists, one entry per 4-hour slot.")
class ReadingSeriesInput:
    station_code: str
    parameter: StationParameter
    observed_at: list[datetime] = strawberry.field(description="Slot starts (00:00, 04:00, ... China time).")
    values: list[float | None] = strawberry.field(description="null = no value (MISSING, or FAULT when flagged).")
    flags: list[ReadingFlag] | None = strawberry.field(
        default=None, description="The station system's flags; omitted = VALID (or MISSING for null).")


@strawberry.type
class IngestResult:
    inserted: int
    updated: int
    unchanged: int
    suspect: int = strawberry.field(description="Values the spike rule newly marked SUSPECT.")


@strawberry.type
class FailingIndicator:
    parameter: StationParameter
    value: float
    water_class: str = strawberry.field(description="I..V or 劣V")
    limit: float | None
    limit_class: str = strawberry.field(description="The class whose limit `limit` and `multiple` use (the target).")
    multiple: float | None = strawberry.field(description="超标倍数 (C - limit)/limit; null for pH, DO, temperature.")
