"""Outfall GraphQL types, built from models; leaf fields are plain attributes (cheap to resolve)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from server.domain.geo.crs import to_crs
from server.domain.geo.distance import haversine_m
from server.domain.outfalls import queries
from server.domain.tasks.queries import TaskFilter
from server.domain.outfalls.models import Outfall as OutfallRow
from server.domain.inspections.service import InspectionFilter
from server.graphql.common import UPDATED_AT, UPDATED_SINCE, BBoxInput, GeoPoint, NearInput, PageInfo
from server.domain.outfalls.standards import discharge_standard
from server.domain.standards.applicable import suggested_standard
from server.graphql.enums import (CampaignPhase, Crs, DischargeStandard, OutfallCategory, OutfallStatus,
                                  RemediationApproach, WaterClass)
from server.graphql.geo.types import District, River
from server.domain.sqltypes import pk
from server.graphql.scalars import FloatColumn, IntColumn, StringColumn
from server.graphql.lifecycle import outfall_fields as life
from server.graphql.lifecycle.enums import PermitKind, Verification
from server.graphql.lifecycle.outfall_fields import PermitRef, PlanRef, ReceivingWaterRef, TracingRef

if TYPE_CHECKING:  # strawberry.lazy resolves these at schema build; the names are for linters
    from server.graphql.enums import TaskStatus
    from server.graphql.loop.types import Inspection, InspectionConnection, TaskConnection
    from server.graphql.media.types import Media

_LOOP = "server.graphql.loop.types"
InspectionRef = Annotated["Inspection", strawberry.lazy(_LOOP)]
InspectionConnectionRef = Annotated["InspectionConnection", strawberry.lazy(_LOOP)]
TaskConnectionRef = Annotated["TaskConnection", strawberry.lazy(_LOOP)]
TaskStatusRef = Annotated["TaskStatus", strawberry.lazy("server.graphql.enums")]


NOT_LOADED = object()


def _visible_inspection(info, i):
    from server.graphql.loop.types import Inspection

    a = info.context.actor
    if i is None or (a.role in ("INSPECTOR", "DISTRICT_OFFICER") and i.district_code != a.district_code):
        return None  # another district's inspections are not the caller's to see
    return Inspection.from_model(i)


def _standard_label(root) -> str:
    return discharge_standard(root.row).label


def _suggested_standard(root) -> DischargeStandard | None:
    h = suggested_standard(root.row.subtype)
    return DischargeStandard(h) if h else None


@strawberry.type
class ApprovedLimit:
    parameter: str
    limit_max: float | None
    limit_min: float | None
    basis: str | None = strawberry.field(description="e.g. the approval's document number.")

    @classmethod
    def from_model(cls, r) -> "ApprovedLimit":
        return cls(parameter=r.parameter, limit_max=r.limit_max, limit_min=r.limit_min, basis=r.basis)


@strawberry.type
class Outfall:
    id: strawberry.ID
    code: str
    name: str
    category: OutfallCategory
    subtype: str | None
    river: River
    district: District
    water_class: WaterClass | None
    phase: CampaignPhase
    remediation: RemediationApproach | None
    status: OutfallStatus
    responsible_unit: str | None
    signboard_installed: bool
    created_at: datetime
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    lat: strawberry.Private[float]
    lon: strawberry.Private[float]
    accuracy_m: strawberry.Private[float | None]
    gps_fix_point: strawberry.Private[tuple[float, float, float | None] | None]
    row_id: strawberry.Private[int]
    distance_m: float | None = strawberry.field(
        default=None, description="Metres from the `near` point of the query that returned this outfall.")
    latest: strawberry.Private[object] = NOT_LOADED
    discharge_standard: DischargeStandard = strawberry.field(
        default=DischargeStandard.UNASSIGNED,
        description="The applicable discharge standard its effluent is judged against (UNASSIGNED: to be assigned).")
    discharge_grade: str | None = strawberry.field(default=None, description="e.g. grade1 (GB 8978), 1A (GB 18918).")
    sector_standard: str | None = strawberry.field(default=None, description="The sector standard, when SECTOR.")
    # Derived from the row when asked, not for every row of a page (a map page never asks).
    standard_label: str = strawberry.field(resolver=_standard_label,
                                           description="e.g. GB 8978-1996 grade1, 执行标准待确定.")
    suggested_standard: DischargeStandard | None = strawberry.field(
        resolver=_suggested_standard,
        description="A hint from the HJ 1312 subtype for whoever assigns the standard; never applied.")
    row: strawberry.Private[OutfallRow | None] = None
    # The outfall's life (issue 19 items 3-8): server/graphql/lifecycle/outfall_fields.py.
    national_code: str | None = strawberry.field(default=None, description="Assigned by the national platform (ADMIN).")
    provincial_code: str | None = strawberry.field(default=None, description="Assigned by the provincial platform.")
    siting_flag: str | None = strawberry.field(
        default=None, description="Why the rules forbid a new outfall where this one was registered, if they do.")
    phase_basis: str | None = strawberry.field(
        default=None, description="LEGACY: TRACED/REMEDIATED set under the old rules, before records existed.")
    verification: Verification | None = strawberry.field(
        resolver=life.verification, description="查: SUSPECTED, VERIFIED or NOT_OUTFALL; null: registered before.")
    permit_required: PermitKind = strawberry.field(resolver=life.permit_required,
                                                   description="Order 35: APPROVAL or REGISTRATION.")
    permit: PermitRef | None = strawberry.field(resolver=life.permit)
    remediation_plan: PlanRef | None = strawberry.field(resolver=life.plan, description="一口一策.")
    tracing: TracingRef | None = strawberry.field(
        resolver=life.tracing, description="The approved tracing record (null for those who may not see it).")
    tracing_records: list[TracingRef] = strawberry.field(resolver=life.tracing_records_field)
    receiving_water: ReceivingWaterRef = strawberry.field(resolver=life.receiving_water)
    public_url: str = strawberry.field(resolver=life.public_url, description="The page the signboard's QR code opens.")

    @strawberry.field(description="Where a merged (合并) outfall's discharge now goes.")
    async def merged_into(self, info: strawberry.Info) -> Outfall | None:
        if self.row is None or self.row.merged_into_id is None:
            return None
        o = await info.context.loaders.outfall.load(self.row.merged_into_id)
        return (await build_outfalls(info, [o]))[0] if o else None

    @strawberry.field(description="Limits set by its approval or registration; they take precedence over the table.")
    async def approved_limits(self, info: strawberry.Info) -> list[ApprovedLimit]:
        return [ApprovedLimit.from_model(r) for r in await info.context.loaders.outfall_limits.load(self.row_id)]

    @strawberry.field(description="The class river water here is held to: set by a supervisor, else the river's "
                                  "target in the reference (Yangtze main stem: II); null when unknown.")
    async def receiving_target(self, info: strawberry.Info) -> WaterClass | None:
        from server.domain.lifecycle.receiving import reach_of
        from server.domain.standards.applicable import river_target

        t = self.water_class.value if self.water_class else (
            ((reach_of(self.row) if self.row is not None else None) or {}).get("target_class") or river_target(self.river.code))
        return WaterClass(t) if t else None

    @strawberry.field(description="Photos registered with the outfall (e.g. its signboard).")
    async def media(self, info: strawberry.Info) -> list[Annotated["Media", strawberry.lazy("server.graphql.media.types")]]:
        from server.graphql.media.types import Media

        return [Media.from_model(m) for m in await info.context.loaders.outfall_media.load(self.row_id)]

    @strawberry.field(description="WGS-84 unless `crs` asks for GCJ02 or BD09 (Chinese map tiles).")
    def location(self, crs: Crs | None = Crs.WGS84) -> GeoPoint:
        if crs is None or crs is Crs.WGS84:
            return GeoPoint(lat=self.lat, lon=self.lon, accuracy_m=self.accuracy_m)
        lat, lon = to_crs(self.lat, self.lon, crs.value)
        return GeoPoint(lat=lat, lon=lon, accuracy_m=self.accuracy_m)

    @strawberry.field(description="The phone's GPS fix when the outfall was registered (WGS-84 unless `crs` says "
                                  "otherwise), kept beside `location` where the inspector moved the pin by hand; "
                                  "null when none was sent.")
    def gps_fix(self, crs: Crs | None = Crs.WGS84) -> GeoPoint | None:
        if self.gps_fix_point is None:
            return None
        lat, lon, acc = self.gps_fix_point
        if crs is not None and crs is not Crs.WGS84:
            lat, lon = to_crs(lat, lon, crs.value)
        return GeoPoint(lat=lat, lon=lon, accuracy_m=acc)

    @strawberry.field(description="Metres between `gpsFix` and `location` (how far the pin was moved); null "
                                  "without a fix.")
    def moved_from_gps_fix_m(self) -> float | None:
        if self.gps_fix_point is None:
            return None
        return round(haversine_m(self.lat, self.lon, self.gps_fix_point[0], self.gps_fix_point[1]), 1)

    @strawberry.field
    def latest_inspection(self, info: strawberry.Info) -> InspectionRef | None:
        # Prefetched for a whole page by the list resolver: answered synchronously, so a 500-row map
        # page makes no coroutine per row. Elsewhere, the DataLoader (graphql-core awaits it).
        if self.latest is not NOT_LOADED:
            return _visible_inspection(info, self.latest)
        # An awaitable where the annotation says a value: graphql-core awaits what a resolver returns,
        # and the annotation is what the schema is built from.
        return cast("Inspection | None", self._load_latest(info))

    async def _load_latest(self, info):
        return _visible_inspection(info, await info.context.loaders.latest_inspection.load(self.row_id))

    @strawberry.field
    async def inspections(self, info: strawberry.Info, first: int | None = 20, after: str | None = None,
                          updated_since: Annotated[datetime | None, strawberry.argument(
                              description=UPDATED_SINCE)] = None) -> InspectionConnectionRef:
        from server.graphql.loop.resolvers import inspections_connection

        return await inspections_connection(
            info, InspectionFilter(outfall_id=self.row_id, updated_since=updated_since), first, after)

    @strawberry.field
    async def tasks(self, info: strawberry.Info, status: list[TaskStatusRef] | None = None, first: int | None = 20,
                    after: str | None = None) -> TaskConnectionRef:
        from server.graphql.loop.resolvers import tasks_connection

        f = TaskFilter(status=[x.value for x in status] if status else None, outfall_id=self.row_id)
        return await tasks_connection(info, f, first, after)

    @classmethod
    def from_model(cls, o: OutfallRow, *, district, river, distance_m: float | None = None) -> "Outfall":
        return cls.from_parts(o, District.from_model(district), River.from_model(river), distance_m)

    @classmethod
    def from_parts(cls, o: OutfallRow, district: District, river: River, distance_m: float | None = None) -> "Outfall":
        """The type of a row whose district and river types are built already (once per code on a page).
        Columns are read from the row's loaded state: a page builds hundreds of these, and each ORM
        attribute access costs more than the rest of the field."""
        d = o.__dict__
        if not _COLUMNS.issubset(d.keys()):  # expired or not loaded: let the ORM load them
            d = {k: getattr(o, k) for k in _COLUMNS}
        wc, rem, fix_lat = d["water_class"], d["remediation"], d["gps_fix_lat"]
        return cls(
            id=strawberry.ID(str(d["id"])), code=d["code"], name=d["name"], category=_member(OutfallCategory, d["category"]),
            subtype=d["subtype"], river=river, district=district,
            water_class=_member(WaterClass, wc) if wc else None, phase=_member(CampaignPhase, d["phase"]),
            remediation=_member(RemediationApproach, rem) if rem else None,
            status=_member(OutfallStatus, d["status"]), responsible_unit=d["responsible_unit"],
            signboard_installed=d["signboard_installed"], created_at=d["created_at"], updated_at=d["updated_at"],
            lat=d["lat"], lon=d["lon"], accuracy_m=d["accuracy_m"], row_id=pk(o), distance_m=distance_m,
            gps_fix_point=(fix_lat, d["gps_fix_lon"], d["gps_fix_accuracy_m"])
            if fix_lat is not None and d["gps_fix_lon"] is not None else None,
            discharge_standard=_member(DischargeStandard, d["discharge_standard"]), discharge_grade=d["discharge_grade"],
            sector_standard=d["sector_standard"], row=o, national_code=d["national_code"],
            provincial_code=d["provincial_code"], siting_flag=d["siting_flag"], phase_basis=d["phase_basis"],
        )


_COLUMNS = frozenset(("id", "code", "name", "category", "subtype", "water_class", "phase", "remediation", "status",
                      "responsible_unit", "signboard_installed", "created_at", "updated_at", "lat", "lon",
                      "accuracy_m", "gps_fix_lat", "gps_fix_lon", "gps_fix_accuracy_m", "discharge_standard",
                      "discharge_grade", "sector_standard", "national_code", "provincial_code", "siting_flag",
                      "phase_basis"))


def _member(enum, value):
    """enum(value) without Enum.__call__'s cost for the values that exist (it still raises for others)."""
    m = enum._value2member_map_.get(value)
    return m if m is not None else enum(value)


async def build_outfalls(info, rows: list[OutfallRow], distances: dict[int, float] | None = None,
                         with_latest: bool = False) -> list[Outfall]:
    """Types for a list of rows, with districts and rivers (and, when asked, each latest inspection)
    fetched in one batch each."""
    loaders = info.context.loaders
    d_codes = sorted({o.district_code for o in rows})
    r_codes = sorted({o.river_code for o in rows})
    districts = {c: District.from_model(d) for c, d in zip(d_codes, await loaders.district.load_many(d_codes))}
    rivers = {c: River.from_model(r) for c, r in zip(r_codes, await loaders.river.load_many(r_codes))}
    distances = distances or {}
    out = [Outfall.from_parts(o, districts[o.district_code], rivers[o.river_code], distances.get(pk(o))) for o in rows]
    if with_latest and rows:
        # A whole page at once is already one batch: the loader's batch function directly, without a
        # future per row.
        for node, latest in zip(out, await loaders.latest_inspection.load_fn([o.id for o in rows])):
            node.latest = latest
    return out


@strawberry.type
class OutfallEdge:
    node: Outfall
    cursor: str


@strawberry.type
class OutfallConnection:
    edges: list[OutfallEdge]
    nodes: list[Outfall] = strawberry.field(description="The nodes of `edges`, without their cursors.")
    page_info: PageInfo
    total_count: int


@strawberry.type
class StatBucket:
    key: str
    label: str
    count: int
    stations: int | None = strawberry.field(
        default=None, description="outfallStats by RIVER or DISTRICT: ACTIVE water-quality stations in the group.")
    stations_off_target: int | None = strawberry.field(
        default=None, description="outfallStats by RIVER or DISTRICT: of those, stations with an open off-target episode.")


@strawberry.input
class OutfallFilter:
    river_code: str | None = None
    district_code: str | None = None
    category: OutfallCategory | None = None
    phase: CampaignPhase | None = None
    status: OutfallStatus | None = None
    verification: Verification | None = None
    search: str | None = None
    bbox: BBoxInput | None = None
    near: NearInput | None = strawberry.field(default=None, description="Sorted nearest first when given.")
    updated_since: datetime | None = strawberry.field(
        default=None, description="Only outfalls changed at or after this instant (incremental sync).")

    def to_domain(self) -> queries.OutfallFilter:
        return queries.OutfallFilter(
            river_code=self.river_code, district_code=self.district_code,
            category=self.category.value if self.category else None,
            phase=self.phase.value if self.phase else None, status=self.status.value if self.status else None,
            verification=self.verification.value if self.verification else None, search=self.search,
            bbox=(self.bbox.south, self.bbox.west, self.bbox.north, self.bbox.east) if self.bbox else None,
            near=(self.near.lat, self.near.lon, self.near.radius_m) if self.near else None,
            updated_since=self.updated_since,
        )


@strawberry.type(description=(
    "Every outfall of a filter as parallel columns, one entry per outfall in id order: the overview "
    "map's single read (60,000 outfalls in one response instead of 120 pages). Select only the columns "
    "you draw; `exceeded` costs a join. Responses are cached by data version."))
class OutfallPoints:
    count: int
    ids: IntColumn = strawberry.field(description="Outfall ids (Outfall.id as numbers).")
    lats: FloatColumn = strawberry.field(description="Latitudes in the requested datum, 5 decimals (~1 m).")
    lons: FloatColumn = strawberry.field(description="Longitudes in the requested datum, 5 decimals (~1 m).")
    codes: StringColumn
    phases: StringColumn = strawberry.field(description="CampaignPhase names.")
    categories: StringColumn = strawberry.field(description="OutfallCategory names.")
    district_codes: StringColumn
    river_codes: StringColumn
    phase_keys: list[str] = strawberry.field(description="CampaignPhase names, in the order phaseIndex counts.")
    phase_index: IntColumn = strawberry.field(description="Each outfall's phase as an index into phaseKeys.")
    district_keys: list[str] = strawberry.field(description="The district codes present, in the order districtIndex counts.")
    district_index: IntColumn = strawberry.field(description="Each outfall's district as an index into districtKeys.")
    exceeded: IntColumn | None = strawberry.field(default=None, description=(
        "Whether the latest inspection the caller may see had a reading over its limit: 1 yes, 0 no, "
        "-1 no such inspection."))


@strawberry.type(description=(
    "The outfalls of a filter counted per cell of a fixed grid (the city overview map's read: a few "
    "hundred cells instead of every point). A cell is `cellDegrees` square; an outfall at WGS-84 (lat, lon) "
    "is in cell (floor((lon + 180) / cellDegrees), floor((lat + 90) / cellDegrees)). One entry per "
    "non-empty cell, ordered by (cellY, cellX). The same filter, permission and visibility as "
    "`outfallPoints`; cached by data version."))
class OutfallClusters:
    zoom: int = strawberry.field(description="The map zoom the grid was made for.")
    cell_degrees: float = strawberry.field(description="The cell size in degrees: 2^(6 - zoom), about 45 pixels.")
    count: int = strawberry.field(description="Outfalls of the filter in all cells together.")
    cells: int = strawberry.field(description="How many non-empty cells; every column has this many entries.")
    cell_x: IntColumn = strawberry.field(description="Each cell's column: floor((lon + 180) / cellDegrees), WGS-84.")
    cell_y: IntColumn = strawberry.field(description="Each cell's row: floor((lat + 90) / cellDegrees), WGS-84.")
    lats: FloatColumn = strawberry.field(description="Latitude of the centroid of each cell's outfalls, in the requested datum.")
    lons: FloatColumn = strawberry.field(description="Longitude of the centroid of each cell's outfalls, in the requested datum.")
    counts: IntColumn = strawberry.field(description="Outfalls in each cell.")
    phase_keys: list[str] = strawberry.field(description="CampaignPhase names, in the order of phaseCounts.")
    phase_counts: IntColumn = strawberry.field(description=(
        "Outfalls per phase in each cell, cell-major: cell i's count of phaseKeys[j] is at i * len(phaseKeys) + j."))
    exceeded: IntColumn | None = strawberry.field(default=None, description=(
        "Outfalls in each cell whose latest inspection the caller may see had a reading over its limit."))
    not_exceeded: IntColumn | None = strawberry.field(default=None, description=(
        "Outfalls in each cell whose latest inspection the caller may see had no reading over its limit "
        "(the rest of counts have no such inspection)."))
