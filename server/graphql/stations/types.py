from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.errors import BadInput
from server.domain.geo.crs import to_crs
from server.domain.stations import analysis, series
from server.domain.stations import service
from server.domain.stations import service as stations_service
from server.domain.stations.assess import class_name
from server.domain.stations.models import Station as StationRow
from server.domain.stations.params import BY_KEY
from server.graphql.common import UPDATED_AT, UPDATED_SINCE, GeoPoint, to_domain
from server.graphql.context import Info
from server.graphql.enums import Crs, ReadingFlag, StationLevel, StationParameter, StationStatus, WaterBody, WaterClass
from server.domain.sqltypes import pk

if TYPE_CHECKING:  # strawberry.lazy resolves it at schema build; the name is for the type checker
    from server.graphql.stations.tracing import UpstreamSuspects


@strawberry.type
class FailingIndicator:
    parameter: StationParameter
    value: float
    water_class: str = strawberry.field(description="I..V or 劣V")
    limit: float | None
    limit_class: str = strawberry.field(description="The class whose limit `limit` and `multiple` use (the target).")
    multiple: float | None = strawberry.field(description="超标倍数 (C - limit)/limit; null for pH, DO, temperature.")

    @classmethod
    def from_failing(cls, f) -> "FailingIndicator":
        return cls(parameter=StationParameter(f.parameter), value=f.value, water_class=f.cls, limit=f.limit,
                   limit_class=f.limit_class, multiple=f.multiple)

    @classmethod
    def from_json(cls, d: dict) -> "FailingIndicator":
        return cls(parameter=StationParameter(d["parameter"]), value=d["value"], water_class=d["class"],
                   limit=d.get("limit"), limit_class=d.get("limitClass") or "", multiple=d.get("multiple"))


@strawberry.type
class CalendarDay:
    day: date
    water_class: str | None = strawberry.field(description="I..V or 劣V; null when the day had too few valid values")
    meets_target: bool | None
    failing: list[FailingIndicator]

    @classmethod
    def from_day(cls, d) -> "CalendarDay":
        return cls(day=d.day, water_class=class_name(d.cls), meets_target=d.meets_target,
                   failing=[FailingIndicator.from_failing(f) for f in d.failing])


@strawberry.type
class SeriesPoint:
    at: datetime
    value: float


@strawberry.type
class StationSeries:
    parameter: StationParameter
    unit: str
    total_points: int = strawberry.field(description="VALID values in the range before downsampling.")
    points: list[SeriesPoint]
    limit: float | None = strawberry.field(description="The target class's limit (DO: its minimum; pH: upper end).")
    limit_low: float | None
    limit_class: str | None


@strawberry.type
class StationTrend:
    parameter: StationParameter
    method: str
    months: int
    trend: str | None = strawberry.field(description="increasing | decreasing | no trend; null with < 2 years")
    significant: bool | None
    p_value: float | None
    z: float | None
    tau: float | None
    s: float | None
    sen_slope_per_year: float | None
    alpha: float
    note: str


@strawberry.type(name="ForecastPoint")
class ForecastPointT:
    horizon_hours: int
    at: datetime
    value: float
    low: float
    high: float
    exceedance_probability: float | None


@strawberry.type(name="BacktestResult")
class BacktestT:
    horizon_hours: int
    n: int
    mae: float | None
    mae_persistence: float | None


@strawberry.type
class StationForecast:
    parameter: StationParameter
    method: str
    origin: datetime | None
    limit: float | None
    limit_direction: str | None
    points: list[ForecastPointT]
    backtest: list[BacktestT]


@strawberry.type
class Episode:
    id: strawberry.ID
    kind: str = strawberry.field(description="POLLUTION (off target) or FAULT (instrument fault/calibration)")
    started_at: datetime
    cleared_at: datetime | None
    worst_class: str | None
    failing: list[FailingIndicator]
    notified: bool
    task_id: strawberry.ID | None

    @classmethod
    def from_model(cls, e) -> "Episode":
        return cls(id=strawberry.ID(str(e.id)), kind=e.kind, started_at=e.started_at, cleared_at=e.cleared_at,
                   worst_class=e.worst_class, failing=[FailingIndicator.from_json(d) for d in e.failing],
                   notified=e.notified, task_id=strawberry.ID(str(e.task_id)) if e.task_id else None)


@strawberry.type
class Station:
    id: strawberry.ID
    code: str
    name: str
    river_code: str
    district_code: str
    wgs84: strawberry.Private[GeoPoint]
    river_km: float | None = strawberry.field(description="Along the river's course from its upstream end.")
    level: StationLevel
    target_class: WaterClass = strawberry.field(description="水质目标")
    water_body: WaterBody
    status: StationStatus
    version: int
    off_target: bool = strawberry.field(description="An off-target episode is open now.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[StationRow]

    @strawberry.field(description="WGS-84 unless `crs` asks for GCJ02 or BD09 (Chinese map tiles).")
    def location(self, crs: Crs | None = Crs.WGS84) -> GeoPoint:
        if crs is None or crs is Crs.WGS84:
            return self.wgs84
        lat, lon = to_crs(self.wgs84.lat, self.wgs84.lon, crs.value)
        return GeoPoint(lat=lat, lon=lon)

    @classmethod
    def from_model(cls, s: StationRow) -> "Station":
        return cls(id=strawberry.ID(str(s.id)), code=s.code, name=s.name, river_code=s.river_code,
                   district_code=s.district_code, wgs84=GeoPoint(lat=s.lat, lon=s.lon), river_km=s.river_km,
                   level=StationLevel(s.level), target_class=WaterClass(s.target_class),
                   water_body=WaterBody(s.water_body), status=StationStatus(s.status), version=s.version,
                   off_target=s.open_episode_id is not None, updated_at=s.updated_at, row=s)

    @strawberry.field(description="碧水日历: the GB 3838 class of each day of a month (or of the year when month is "
                                  "null), by the single-factor method over the day's mean values.")
    async def calendar(self, info: Info, year: int, month: int | None = None) -> list[CalendarDay]:
        async with info.context.db.session() as s:
            days = await analysis.calendar(s, self.row, year, month)
        return [CalendarDay.from_day(d) for d in days]

    @strawberry.field(description="One parameter's VALID values over [from, to), downsampled server-side by "
                                  "Largest-Triangle-Three-Buckets to at most maxPoints (peaks kept), with the "
                                  "target class's limit.")
    async def series(self, info: Info, parameter: StationParameter, from_: Annotated[datetime, strawberry.argument(name="from")],
                     to: datetime | None = None, max_points: int = 500) -> StationSeries:
        if not 3 <= max_points <= 5000:
            raise BadInput("maxPoints must be 3-5000", field="maxPoints")
        for name, t in (("from", from_), ("to", to)):
            if t is not None and t.tzinfo is None:
                raise BadInput(f"{name} needs a UTC offset", field=name)
        async with info.context.db.session() as s:
            pts = await series.valid_points(s, pk(self.row), parameter.value, from_, to)
        lim = analysis.target_limit(self.row, parameter.value)
        kept = series.lttb(pts, max_points)
        return StationSeries(parameter=parameter, unit=BY_KEY[parameter.value].unit, total_points=len(pts),
                             points=[SeriesPoint(at=t, value=v) for t, v in kept],
                             limit=(lim[1] if lim[1] is not None else lim[2]) if lim else None,
                             limit_low=lim[2] if lim and lim[0] == "range" else None,
                             limit_class=self.row.target_class if lim else None)

    @strawberry.field(description="Seasonal Mann-Kendall on monthly medians with the seasonal Sen's slope (per year).")
    async def trend(self, info: Info, parameter: StationParameter, alpha: float = 0.05) -> StationTrend:
        if not 0 < alpha < 0.5:
            raise BadInput("alpha must be between 0 and 0.5", field="alpha")
        async with info.context.db.session() as s:
            t = await analysis.trend(s, self.row, parameter.value, alpha)
        return StationTrend(parameter=parameter, method=t.method, months=t.months, trend=t.trend,
                            significant=t.significant, p_value=t.p_value, z=t.z, tau=t.tau, s=t.s,
                            sen_slope_per_year=t.sen_slope_per_year, alpha=t.alpha, note=t.note)

    @strawberry.field(description="24-72 h forecast with its method, 10-90 % band, the probability of being worse "
                                  "than the target class's limit, and the backtest against persistence.")
    async def forecast(self, info: Info, parameter: StationParameter) -> StationForecast:
        async with info.context.db.session() as s:
            f = await analysis.forecast(s, self.row, parameter.value)
        return StationForecast(
            parameter=parameter, method=f.method, origin=f.origin, limit=f.limit, limit_direction=f.direction,
            points=[ForecastPointT(horizon_hours=p.horizon_hours, at=p.at, value=p.value, low=p.low, high=p.high,
                                   exceedance_probability=p.exceedance_probability) for p in f.points],
            backtest=[BacktestT(horizon_hours=b.horizon_hours, n=b.n, mae=b.mae, mae_persistence=b.mae_persistence)
                      for b in f.backtest])

    @strawberry.field(description="溯: ACTIVE outfalls within maxKm upstream (never downstream), on the main stem or "
                                  "with tributaries, ranked by the suspicion score for this parameter.")
    async def upstream_suspects(self, info: Info, parameter: StationParameter, max_km: float = 20.0,
                                tributaries: bool = False, first: int = 20) -> Annotated[
            "UpstreamSuspects", strawberry.lazy("server.graphql.stations.tracing")]:
        from server.graphql.stations.tracing import upstream_suspects

        return await upstream_suspects(info, self.row, parameter, max_km, tributaries, first)

    @strawberry.field(description="The next ACTIVE station downstream on the same river (for 河段贡献).")
    async def next_downstream(self, info: Info) -> "Station | None":
        from server.domain.tracing.service import next_downstream_query

        if self.row.river_km is None:
            return None
        async with info.context.db.session() as s:
            nxt = (await s.execute(next_downstream_query(self.row))).scalar_one_or_none()
        return Station.from_model(nxt) if nxt else None

    @strawberry.field(description="Off-target (POLLUTION) and instrument-fault (FAULT) episodes, newest first.")
    async def episodes(self, info: Info, first: int = 20) -> list[Episode]:
        if not 1 <= first <= 200:
            raise BadInput("first must be 1-200", field="first")
        async with info.context.db.session() as s:
            rows = await stations_service.episodes(session=s, station_id=pk(self.row), first=first)
        return [Episode.from_model(e) for e in rows]


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
        return to_domain(self, service.StationInput)


@strawberry.input
class StationFilter:
    river_code: str | None = None
    district_code: str | None = None
    level: StationLevel | None = None
    status: StationStatus | None = None
    target_class: WaterClass | None = None
    search: str | None = None
    updated_since: datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)

    def to_domain(self) -> service.StationFilter:
        return to_domain(self, service.StationFilter)


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
class CityCalendarRow:
    station: Station
    days: list[CalendarDay]


@strawberry.type
class StationAssessment:
    station: Station
    water_class: str | None
    meets_target: bool | None
    failing: list[FailingIndicator]


@strawberry.type
class WaterQualitySummary:
    scope: str = strawberry.field(description="全市 or a river code")
    stations: int
    assessed: int
    meeting_target: int
    share_meeting_target: float | None
    share_class_i_to_iii: float | None
    worse_than_v: int
    grade: str | None = strawberry.field(description="优/良好/轻度污染/中度污染/重度污染 (domain.json rules)")
    off_target: list[StationAssessment]

    @classmethod
    def from_summary(cls, s) -> "WaterQualitySummary":
        return cls(scope=s.scope, stations=s.stations, assessed=s.assessed, meeting_target=s.meeting_target,
                   share_meeting_target=s.share_meeting_target, share_class_i_to_iii=s.share_i_to_iii,
                   worse_than_v=s.worse_than_v, grade=s.grade,
                   off_target=[StationAssessment(station=Station.from_model(i.station), water_class=class_name(i.cls),
                                                 meets_target=i.meets_target,
                                                 failing=[FailingIndicator.from_failing(f) for f in i.failing])
                               for i in s.items if i.meets_target is False])


@strawberry.type
class WaterQualityReport:
    start: date
    end: date
    city: WaterQualitySummary
    rivers: list[WaterQualitySummary]
