"""Types of the outfall's life: plans and their acceptance, tracing records, permits, receiving water,
protected zones, the district assessment."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.lifecycle import plans as plan_rules
from server.domain.lifecycle.models import OutfallPermit as PermitRow
from server.domain.lifecycle.models import PermitChange as PermitChangeRow
from server.domain.lifecycle.models import ProtectedZone as ZoneRow
from server.domain.lifecycle.models import RemediationPlan as PlanRow
from server.domain.lifecycle.models import TracingRecord as TracingRow
from server.domain.lifecycle.rules import reference_source
from server.domain.lifecycle.rules import required_items
from server.graphql.common import GeoPoint
from server.graphql.enums import RemediationApproach, WaterClass
from server.graphql.lifecycle.enums import (AcceptanceItem, PartyType, PermitChangeKind, PermitKind, PermitStatus,
                                            PlanStatus, TargetBasis, TracingMethod, TracingStatus, ZoneKind)

if TYPE_CHECKING:
    from server.graphql.loop.types import Task
    from server.graphql.outfalls.types import Outfall

OutfallRef = Annotated["Outfall", strawberry.lazy("server.graphql.outfalls.types")]
TaskRef = Annotated["Task", strawberry.lazy("server.graphql.loop.types")]


async def _outfall(info, outfall_id: int | None):
    from server.graphql.outfalls.types import build_outfalls

    if outfall_id is None:
        return None
    o = await info.context.loaders.outfall.load(outfall_id)
    return (await build_outfalls(info, [o]))[0] if o else None


@strawberry.type(description="The evidence recorded for one acceptance item.")
class PlanEvidence:
    item: AcceptanceItem
    media_ids: list[strawberry.ID]
    inspection_id: strawberry.ID | None = strawberry.field(description="PASSING_RETEST: the re-test inspection.")
    passed: str | None = strawberry.field(description="PASSING_RETEST: what was judged and passed.")
    note: str | None
    recorded_at: dt.datetime | None


@strawberry.type(description="一口一策: an outfall's one remediation plan, its type and its acceptance.")
class RemediationPlan:
    id: strawberry.ID
    type: RemediationApproach
    status: PlanStatus
    measures: str
    deadline: dt.date
    online_monitoring_required: bool
    review_reason: str | None = strawberry.field(description="Why the last acceptance was refused, or a note.")
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    closed_at: dt.datetime | None = strawberry.field(description="销号.")
    version: int
    row: strawberry.Private[PlanRow]

    @strawberry.field
    async def outfall(self, info: strawberry.Info) -> OutfallRef:
        return await _outfall(info, self.row.outfall_id)

    @strawberry.field(description="MERGE: the outfall this one is merged into.")
    async def merged_into(self, info: strawberry.Info) -> OutfallRef | None:
        return await _outfall(info, self.row.merged_into_id)

    @strawberry.field(description="What acceptance of this plan's type needs.")
    def required_items(self) -> list[AcceptanceItem]:
        return [AcceptanceItem(i) for i in required_items(self.row.type, self.row.online_monitoring_required)]

    @strawberry.field(description="Required items with no evidence yet; acceptance is asked when empty.")
    def missing_items(self) -> list[AcceptanceItem]:
        return [AcceptanceItem(i) for i in plan_rules.missing_items(self.row)]

    @strawberry.field
    def evidence(self) -> list[PlanEvidence]:
        out = []
        for item, e in (self.row.evidence or {}).items():
            out.append(PlanEvidence(item=AcceptanceItem(item), media_ids=[strawberry.ID(str(i)) for i in e.get("media_ids", [])],
                                    inspection_id=strawberry.ID(str(e["inspection_id"])) if e.get("inspection_id") else None,
                                    passed=e.get("passed"), note=e.get("note"),
                                    recorded_at=dt.datetime.fromisoformat(e["at"]) if e.get("at") else None))
        return out

    @classmethod
    def from_model(cls, p: PlanRow) -> "RemediationPlan":
        return cls(id=strawberry.ID(str(p.id)), type=RemediationApproach(p.type), status=PlanStatus(p.status),
                   measures=p.measures, deadline=p.deadline, online_monitoring_required=p.online_monitoring_required,
                   review_reason=p.review_reason, created_at=p.created_at, submitted_at=p.submitted_at,
                   accepted_at=p.accepted_at, closed_at=p.closed_at, version=p.version, row=p)


@strawberry.type(description="A responsible party: the main one of a shared outfall, or one of the others.")
class ResponsibleParty:
    name: str
    uscc: str | None = strawberry.field(description="统一社会信用代码 (GB 32100-2015, check character verified).")
    type: PartyType
    contact: str | None = strawberry.field(description="Personal data: never on the public page.")


@strawberry.type(description="溯: who is responsible and where the sewage comes from, or why that cannot be told.")
class TracingRecord:
    id: strawberry.ID
    status: TracingStatus
    determined: bool = strawberry.field(description="False: cannot be determined; the local government is named.")
    party: ResponsibleParty
    co_parties: list[ResponsibleParty] = strawberry.field(description="A shared outfall's other parties.")
    sources: list[str] = strawberry.field(description="The sources of the sewage.")
    methods: list[TracingMethod]
    report: str | None
    undetermined_reason: str | None
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    review_reason: str | None
    row: strawberry.Private[TracingRow]

    @strawberry.field
    async def outfall(self, info: strawberry.Info) -> OutfallRef:
        return await _outfall(info, self.row.outfall_id)

    @strawberry.field(description="The task this record answers (e.g. a station's suspect task).")
    async def task(self, info: strawberry.Info) -> TaskRef | None:
        from server.graphql.loop.types import Task

        if self.row.task_id is None:
            return None
        t = await info.context.loaders.task.load(self.row.task_id)
        return Task.from_model(t) if t else None

    @classmethod
    def from_model(cls, r: TracingRow) -> "TracingRecord":
        return cls(id=strawberry.ID(str(r.id)), status=TracingStatus(r.status), determined=r.determined,
                   party=ResponsibleParty(name=r.party_name, uscc=r.party_uscc, type=PartyType(r.party_type),
                                          contact=r.party_contact),
                   co_parties=[ResponsibleParty(name=c["name"], uscc=c.get("uscc"), type=PartyType(c["type"]),
                                                contact=None) for c in r.co_parties or []],
                   sources=list(r.sources or []), methods=[TracingMethod(x) for x in r.methods or []], report=r.report,
                   undetermined_reason=r.undetermined_reason, submitted_at=r.submitted_at, reviewed_at=r.reviewed_at,
                   review_reason=r.review_reason, row=r)


@strawberry.type(description="A limit as a permit version set it.")
class PermitLimit:
    parameter: str
    limit_max: float | None
    limit_min: float | None


@strawberry.type
class PermitChange:
    change: PermitChangeKind
    document_no: str
    authority: str
    decided_on: dt.date
    limits: list[PermitLimit]
    note: str | None
    at: dt.datetime

    @classmethod
    def from_model(cls, c: PermitChangeRow) -> "PermitChange":
        return cls(change=PermitChangeKind(c.change), document_no=c.document_no, authority=c.authority,
                   decided_on=c.decided_on, note=c.note, at=c.at,
                   limits=[PermitLimit(parameter=x["parameter"], limit_max=x.get("limit_max"),
                                       limit_min=x.get("limit_min")) for x in c.limits or []])


@strawberry.type(description="Order 35: the approval (审批) or registration (登记) an outfall is set under.")
class OutfallPermit:
    kind: PermitKind
    status: PermitStatus
    document_no: str
    authority: str
    decided_on: dt.date
    note: str | None
    row: strawberry.Private[PermitRow]

    @strawberry.field(description="Issued, changed (变更), cancelled (注销), oldest first.")
    async def changes(self, info: strawberry.Info) -> list[PermitChange]:
        return [PermitChange.from_model(c) for c in await info.context.loaders.permit_changes.load(self.row.id)]

    @classmethod
    def from_model(cls, p: PermitRow) -> "OutfallPermit":
        return cls(kind=PermitKind(p.kind), status=PermitStatus(p.status), document_no=p.document_no,
                   authority=p.authority, decided_on=p.decided_on, note=p.note, row=p)


@strawberry.type(description="A protected or sensitive zone, entered from its published plan.")
class ProtectedZone:
    id: strawberry.ID
    name: str
    kind: ZoneKind
    center: GeoPoint
    radius_m: float
    source: str

    @classmethod
    def from_model(cls, z: ZoneRow) -> "ProtectedZone":
        return cls(id=strawberry.ID(str(z.id)), name=z.name, kind=ZoneKind(z.kind), center=GeoPoint(lat=z.lat, lon=z.lon),
                   radius_m=z.radius_m, source=z.source)


@strawberry.type(description="A source the reference data cites, by its key (S… domain facts, L… lifecycle rules).")
class ReferenceSource:
    key: str
    title: str
    text: str
    urls: list[str]


@strawberry.type(description="A reach of a reference river: its water function zone and target class, with sources.")
class ReceivingReach:
    key: str
    river_code: str
    name: str
    function_zone: str | None = strawberry.field(description="Null where the 水功能区划 is not in the reference.")
    target_class: WaterClass | None = strawberry.field(description="Null where no published target was found.")
    sources: list[str]
    status: str

    @strawberry.field(description="Its sources as the reference states them (title, text, addresses), in order.")
    def source_texts(self) -> list[ReferenceSource]:
        found = (reference_source(k) for k in self.sources)
        return [ReferenceSource(**x) for x in found if x is not None]

    @classmethod
    def from_ref(cls, r: dict) -> "ReceivingReach":
        return cls(key=r["key"], river_code=r["river"], name=r["name_zh"], function_zone=r.get("function_zone"),
                   target_class=WaterClass(r["target_class"]) if r.get("target_class") else None,
                   sources=list(r.get("sources") or []), status=r["status"])


@strawberry.type(description="Where an outfall discharges: its reach, the target class, zones it lies in.")
class ReceivingWater:
    reach: ReceivingReach | None
    derived: bool = strawberry.field(description="True: derived from the location; false: a supervisor chose it.")
    distance_m: float | None = strawberry.field(description="From the reference course, when derived.")
    target_class: WaterClass | None
    target_basis: TargetBasis
    zones: list[ProtectedZone]
    new_outfall_prohibited: str | None = strawberry.field(
        description="Why the rules forbid a new outfall here (GB 8978: class I/II waters, protected zones).")


@strawberry.type
class DistrictScore:
    district_code: str
    district: str
    due: int = strawberry.field(description="Tasks due in the period (cancelled ones are not counted).")
    completed: int
    on_time: int
    completion_rate: float | None
    on_time_rate: float | None
    meets_completion: bool | None = strawberry.field(description="Null while the city's target is not set.")
    meets_on_time: bool | None


@strawberry.type(description="考核: completion and on-time rates per district against the city's targets.")
class DistrictAssessment:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    target_completion_rate: float | None = strawberry.field(
        description="OUTFALLWATCH_TARGET_COMPLETION_RATE (the city's published target was not retrieved).")
    target_on_time_rate: float | None = strawberry.field(description="OUTFALLWATCH_TARGET_ON_TIME_RATE.")
    districts: list[DistrictScore]

    @classmethod
    def from_domain(cls, a) -> "DistrictAssessment":
        return cls(from_=a.start, to=a.end, target_completion_rate=a.target_completion_rate,
                   target_on_time_rate=a.target_on_time_rate,
                   districts=[DistrictScore(district_code=d.district_code, district=d.district, due=d.due,
                                            completed=d.completed, on_time=d.on_time,
                                            completion_rate=d.completion_rate, on_time_rate=d.on_time_rate,
                                            meets_completion=d.meets_completion, meets_on_time=d.meets_on_time)
                              for d in a.districts])
