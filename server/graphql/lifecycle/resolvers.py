"""Queries and mutations of the outfall's life: thin resolvers over server/domain/lifecycle."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import strawberry
from sqlmodel import col
from sqlalchemy import select

from server.domain.errors import BadInput
from server.domain.brief.assessment import assess
from server.domain.lifecycle import permits, plans, receiving, tracing_records, verification
from server.domain.lifecycle.models import RemediationPlan as PlanRow
from server.domain.lifecycle.models import TracingRecord as TracingRow
from server.domain.lifecycle.rules import reaches
from server.domain.outfalls.models import Outfall as OutfallRow
from server.domain.outfalls.standards import LimitInput
from server.domain.permissions import require
from server.graphql.common import GeoPointInput, parse_id, parse_ids
from server.graphql.context import Info
from server.graphql.enums import RemediationApproach, ReviewDecision, WaterClass
from server.graphql.lifecycle.enums import (AcceptanceItem, PartyType, PermitKind, PlanDecision,
                                            PlanStatus, TracingMethod, TracingStatus, VerifyOutcome, ZoneKind)
from server.graphql.lifecycle.types import (DistrictAssessment, OutfallPermit, ProtectedZone, ReceivingReach,
                                            RemediationPlan, TracingRecord)
from server.graphql.outfalls.inputs import ApprovedLimitInput
from server.graphql.outfalls.types import Outfall, build_outfalls
from server.graphql.writes import write


@strawberry.input(description="一口一策: the city decides the approach of an outfall's one plan.")
class CreateRemediationPlanInput:
    client_id: uuid.UUID
    outfall_id: strawberry.ID
    type: RemediationApproach
    measures: str
    deadline: dt.date
    merged_into_id: strawberry.ID | None = strawberry.field(default=None, description="MERGE: the outfall it joins.")
    online_monitoring_required: bool = strawberry.field(
        default=False, description="HJ 1309 §8: whether acceptance needs online monitoring (decided per outfall).")


@strawberry.input(description="One acceptance item's evidence: photos, or (PASSING_RETEST) the re-test inspection.")
class RecordPlanEvidenceInput:
    plan_id: strawberry.ID
    item: AcceptanceItem
    media_ids: list[strawberry.ID] | None = None
    inspection_id: strawberry.ID | None = None
    note: str | None = None


@strawberry.input
class ResponsiblePartyInput:
    name: str
    type: PartyType
    uscc: str | None = strawberry.field(default=None, description="统一社会信用代码; required for an enterprise.")
    contact: str | None = None


@strawberry.input(description="溯: the responsible party and sources, or determined: false with the reason.")
class SubmitTracingRecordInput:
    client_id: uuid.UUID
    outfall_id: strawberry.ID
    determined: bool = True
    party: ResponsiblePartyInput | None = strawberry.field(
        default=None, description="The (main) responsible party; omitted when undetermined: the local government.")
    co_parties: list[ResponsiblePartyInput] | None = strawberry.field(default=None, description="A shared outfall's others.")
    sources: list[str] | None = None
    methods: list[TracingMethod] | None = None
    report: str | None = None
    undetermined_reason: str | None = None
    task_id: strawberry.ID | None = strawberry.field(default=None, description="The task this answers, e.g. a suspect.")


@strawberry.input(description="Order 35: issue, or change (变更), the outfall's approval or registration.")
class RecordOutfallPermitInput:
    outfall_id: strawberry.ID
    kind: PermitKind
    document_no: str
    authority: str
    decided_on: dt.date
    approved_limits: list[ApprovedLimitInput] | None = strawberry.field(
        default=None, description="Replaces the outfall's approved limits when given.")
    note: str | None = None


@strawberry.input(description="注销: cancel the approval or registration; the outfall is CLOSED.")
class CancelOutfallPermitInput:
    outfall_id: strawberry.ID
    document_no: str
    authority: str
    decided_on: dt.date
    note: str | None = None


@strawberry.input
class RecordProtectedZoneInput:
    name: str
    kind: ZoneKind
    center: GeoPointInput
    radius_m: float
    source: str = strawberry.field(description="The published plan that draws the zone.")


def _to_party(p: ResponsiblePartyInput) -> tracing_records.Party:
    return tracing_records.Party(p.name, p.uscc, p.type.value, p.contact)


async def _outfall(info: Info, o: OutfallRow) -> Outfall:
    return (await build_outfalls(info, [o]))[0]


@strawberry.type
class LifecycleQuery:
    @strawberry.field(description="Remediation plans by status (e.g. SUBMITTED: the acceptance queue), oldest first.")
    async def remediation_plans(self, info: Info, status: PlanStatus | None = None,
                                district_code: str | None = None, first: int = 100) -> list[RemediationPlan]:
        require(info.context.signed_in, "outfall.read")
        if not 1 <= first <= info.context.settings.max_page:
            raise BadInput(f"first must be 1-{info.context.settings.max_page}", field="first")
        q = select(PlanRow).order_by(col(PlanRow.id)).limit(first)
        if status is not None:
            q = q.where(col(PlanRow.status) == status.value)
        if district_code is not None:
            q = q.where(col(PlanRow.district_code) == district_code)
        async with info.context.db.session() as s:
            return [RemediationPlan.from_model(p) for p in (await s.execute(q)).scalars()]

    @strawberry.field(description="Tracing records by status (SUBMITTED: the review queue), within the caller's scope.")
    async def tracing_records(self, info: Info, status: TracingStatus | None = None,
                              first: int = 100) -> list[TracingRecord]:
        a = info.context.signed_in
        require(a, "trace.read", a.district_code)
        if not 1 <= first <= info.context.settings.max_page:
            raise BadInput(f"first must be 1-{info.context.settings.max_page}", field="first")
        q = select(TracingRow).order_by(col(TracingRow.id)).limit(first)
        if status is not None:
            q = q.where(col(TracingRow.status) == status.value)
        if a.role in ("INSPECTOR", "DISTRICT_OFFICER"):
            q = q.where(col(TracingRow.district_code) == a.district_code)
        async with info.context.db.session() as s:
            return [TracingRecord.from_model(r) for r in (await s.execute(q)).scalars()]

    @strawberry.field(description="The reference reaches with their target class and water function zone.")
    def receiving_reaches(self, info: Info) -> list[ReceivingReach]:
        require(info.context.signed_in, "outfall.read")
        return [ReceivingReach.from_ref(r) for r in reaches().values()]

    @strawberry.field(description="Protected and sensitive zones, as supervisors entered them.")
    async def protected_zones(self, info: Info) -> list[ProtectedZone]:
        async with info.context.db.session() as s:
            return [ProtectedZone.from_model(z) for z in await receiving.list_zones(session=s, actor=info.context.signed_in)]

    @strawberry.field(description="考核: each district's completion and on-time rates for tasks due from..to (local days).")
    async def district_assessment(self, info: Info, from_: Annotated[dt.date, strawberry.argument(name="from")],
                                  to: dt.date | None = None) -> DistrictAssessment:
        async with info.context.db.session() as s:
            a = await assess(session=s, actor=info.context.signed_in, settings=info.context.settings,
                             start=from_, end=to or from_)
        return DistrictAssessment.from_domain(a)


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(description="Make an outfall's one remediation plan (SUPERVISOR, ADMIN); idempotent on clientId.")
    async def create_remediation_plan(self, info: Info, input: CreateRemediationPlanInput) -> RemediationPlan:
        async with write(info) as s:
            p = await plans.create_plan(
                session=s, actor=info.context.signed_in, client_id=input.client_id, outfall_id=parse_id(input.outfall_id, "outfallId"),
                type=input.type.value, measures=input.measures, deadline=input.deadline,
                merged_into_id=parse_id(input.merged_into_id, "mergedIntoId") if input.merged_into_id else None,
                online_monitoring_required=input.online_monitoring_required)
        return RemediationPlan.from_model(p)

    @strawberry.mutation(description="Record one acceptance item's evidence (the district's officer, or the city).")
    async def record_plan_evidence(self, info: Info, input: RecordPlanEvidenceInput) -> RemediationPlan:
        ctx = info.context
        async with write(info) as s:
            p = await plans.record_evidence(
                session=s, actor=info.context.signed_in, settings=ctx.settings, plan_id=parse_id(input.plan_id, "planId"),
                item=input.item.value, media_ids=parse_ids(input.media_ids, "mediaIds"), note=input.note,
                inspection_id=parse_id(input.inspection_id, "inspectionId") if input.inspection_id else None)
        return RemediationPlan.from_model(p)

    @strawberry.mutation(description="Ask the city to accept (验收) the plan; refused until every required item has evidence.")
    async def request_plan_acceptance(self, info: Info, id: strawberry.ID) -> RemediationPlan:
        async with write(info) as s:
            p = await plans.request_acceptance(session=s, actor=info.context.signed_in, plan_id=parse_id(id))
        return RemediationPlan.from_model(p)

    @strawberry.mutation(description="验收 (SUPERVISOR): ACCEPT makes the outfall REMEDIATED; REJECT needs a reason.")
    async def review_remediation_plan(self, info: Info, id: strawberry.ID, decision: PlanDecision,
                                      reason: str | None = None) -> RemediationPlan:
        async with write(info) as s:
            p = await plans.review_plan(session=s, actor=info.context.signed_in, plan_id=parse_id(id),
                                        decision=decision.value, reason=reason)
        return RemediationPlan.from_model(p)

    @strawberry.mutation(description="销号 (SUPERVISOR) after acceptance: BAN and MERGE close the outfall (注销).")
    async def close_out_remediation_plan(self, info: Info, id: strawberry.ID) -> RemediationPlan:
        async with write(info) as s:
            p = await plans.close_out(session=s, actor=info.context.signed_in, plan_id=parse_id(id))
        return RemediationPlan.from_model(p)

    @strawberry.mutation(description="Submit a tracing record for review; idempotent on clientId.")
    async def submit_tracing_record(self, info: Info, input: SubmitTracingRecordInput) -> TracingRecord:
        data = tracing_records.TracingInput(
            outfall_id=parse_id(input.outfall_id, "outfallId"), determined=input.determined, party=_to_party(input.party) if input.party else None,
            co_parties=[_to_party(c) for c in input.co_parties or []], sources=list(input.sources or []),
            methods=[m.value for m in input.methods or []], report=input.report,
            undetermined_reason=input.undetermined_reason,
            task_id=parse_id(input.task_id, "taskId") if input.task_id else None)
        async with write(info) as s:
            r = await tracing_records.submit_record(session=s, actor=info.context.signed_in, client_id=input.client_id,
                                                    data=data)
        return TracingRecord.from_model(r)

    @strawberry.mutation(description="SUPERVISOR: APPROVE makes the outfall TRACED with the record's party; REJECT needs a reason.")
    async def review_tracing_record(self, info: Info, id: strawberry.ID, decision: ReviewDecision,
                                    reason: str | None = None) -> TracingRecord:
        async with write(info) as s:
            r = await tracing_records.review_record(session=s, actor=info.context.signed_in, record_id=parse_id(id),
                                                    decision=decision.value, reason=reason)
        return TracingRecord.from_model(r)

    @strawberry.mutation(description="Order 35 approval or registration, or its change (SUPERVISOR, ADMIN).")
    async def record_outfall_permit(self, info: Info, input: RecordOutfallPermitInput) -> OutfallPermit:
        limits = None if input.approved_limits is None else [
            LimitInput(x.parameter.value, x.limit_max, x.limit_min, x.basis) for x in input.approved_limits]
        async with write(info) as s:
            p = await permits.record_permit(
                session=s, actor=info.context.signed_in, outfall_id=parse_id(input.outfall_id, "outfallId"),
                kind=input.kind.value, document_no=input.document_no, authority=input.authority,
                decided_on=input.decided_on, limits=limits, note=input.note)
        return OutfallPermit.from_model(p)

    @strawberry.mutation(description="注销 the approval or registration; the outfall is CLOSED (SUPERVISOR, ADMIN).")
    async def cancel_outfall_permit(self, info: Info, input: CancelOutfallPermitInput) -> OutfallPermit:
        async with write(info) as s:
            p = await permits.cancel_permit(
                session=s, actor=info.context.signed_in, outfall_id=parse_id(input.outfall_id, "outfallId"),
                document_no=input.document_no, authority=input.authority, decided_on=input.decided_on, note=input.note)
        return OutfallPermit.from_model(p)

    @strawberry.mutation(description="The national and provincial outfall codes the authority assigned (ADMIN); "
                                     "null leaves one as it is, an empty string clears it.")
    async def set_outfall_codes(self, info: Info, id: strawberry.ID, national_code: str | None = None,
                                provincial_code: str | None = None) -> Outfall:
        async with write(info) as s:
            o = await permits.set_codes(session=s, actor=info.context.signed_in, outfall_id=parse_id(id),
                                        national_code=national_code, provincial_code=provincial_code)
        return await _outfall(info, o)

    @strawberry.mutation(description="查: the on-site check of a SUSPECTED outfall (an inspector of its district, the city).")
    async def verify_outfall(self, info: Info, id: strawberry.ID, outcome: VerifyOutcome) -> Outfall:
        async with write(info) as s:
            o = await verification.verify_outfall(session=s, actor=info.context.signed_in, outfall_id=parse_id(id),
                                                  outcome=outcome.value)
        return await _outfall(info, o)

    @strawberry.mutation(description="A supervisor's choice of receiving reach and class; null reach: derive it again.")
    async def set_receiving_water(self, info: Info, id: strawberry.ID, reach_key: str | None = None,
                                  water_class: WaterClass | None = None) -> Outfall:
        async with write(info) as s:
            o = await receiving.set_receiving_water(session=s, actor=info.context.signed_in, outfall_id=parse_id(id),
                                                    reach_key=reach_key,
                                                    water_class=water_class.value if water_class else None)
        return await _outfall(info, o)

    @strawberry.mutation(description="Enter a protected or sensitive zone from its published plan (SUPERVISOR, ADMIN).")
    async def record_protected_zone(self, info: Info, input: RecordProtectedZoneInput) -> ProtectedZone:
        async with write(info) as s:
            z = await receiving.record_zone(session=s, actor=info.context.signed_in, name=input.name, kind=input.kind.value,
                                            lat=input.center.lat, lon=input.center.lon, radius_m=input.radius_m,
                                            source=input.source)
        return ProtectedZone.from_model(z)

