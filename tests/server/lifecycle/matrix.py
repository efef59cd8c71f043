"""The permission-matrix scenarios of the outfall's life (issue 19 items 3-8; rows in docs/permissions.md)."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from server.domain.lifecycle import permits, plans
from server.domain.lifecycle import tracing_records as tr
from server.domain.outfalls.service import Point, register_outfall

SPOT = {"500103": (29.5647, 106.587), "500101": (30.80, 108.40)}


async def outfall(w, d: str, *, suspected: bool = False) -> int:
    lat, lon = SPOT[d]
    async with w.db.transaction() as s:
        o = await register_outfall(session=s, actor=w.admin, client_id=uuid.uuid4(), name="矩阵排口", category="OTHER",
                                   river_code="YANGTZE", district_code=d, location=Point(lat, lon), suspected=suspected)
        return o.id


async def plan(w, d: str, *, to: str = "IN_PROGRESS", type_: str = "BAN") -> int:
    """A plan in district d, brought to state `to` by the city (MERGE needs no evidence)."""
    oid = await outfall(w, d)
    into = await outfall(w, d) if type_ == "MERGE" else None
    async with w.db.transaction() as s:
        p = await plans.create_plan(session=s, actor=w.supervisor, client_id=uuid.uuid4(), outfall_id=oid, type=type_,
                                    measures="矩阵", deadline=date.today() + timedelta(days=30), merged_into_id=into)
    if to in ("SUBMITTED", "ACCEPTED"):
        async with w.db.transaction() as s:
            await plans.request_acceptance(session=s, actor=w.supervisor, plan_id=p.id)
    if to == "ACCEPTED":
        async with w.db.transaction() as s:
            await plans.review_plan(session=s, actor=w.supervisor, plan_id=p.id, decision="ACCEPT")
    return p.id


async def tracing(w, d: str) -> int:
    async with w.db.transaction() as s:
        r = await tr.submit_record(session=s, actor=w.admin, client_id=uuid.uuid4(), data=tr.TracingInput(
            outfall_id=await outfall(w, d), party=tr.Party("矩阵公司", "91130200699229617X", "ENTERPRISE"),
            sources=["生活污水"], methods=["FIELD_SURVEY"]))
        return r.id


async def permitted(w, d: str) -> int:
    oid = await outfall(w, d)
    async with w.db.transaction() as s:
        await permits.record_permit(session=s, actor=w.admin, outfall_id=oid, kind="REGISTRATION", document_no="登记1",
                                    authority="某局", decided_on=date(2025, 3, 1))
    return oid


async def run(op: str, w, q, d: str) -> dict:
    from server.domain.actor import Actor

    w.supervisor = Actor(user_id=w.users["supervisor"], username="supervisor", role="SUPERVISOR", district_code=None)
    lat, lon = SPOT[d]
    if op == "Query.remediationPlans":
        return await q("{ remediationPlans { id } }")
    if op == "Query.tracingRecords":
        return await q("{ tracingRecords { id } }")
    if op == "Query.receivingReaches":
        return await q("{ receivingReaches { key targetClass } }")
    if op == "Query.protectedZones":
        return await q("{ protectedZones { id } }")
    if op == "Query.districtAssessment":
        return await q('{ districtAssessment(from: "%s") { districts { due } } }' % date.today().isoformat())
    if op == "Mutation.createRemediationPlan":
        return await q("mutation($i: CreateRemediationPlanInput!) { createRemediationPlan(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "outfallId": str(await outfall(w, d)), "type": "RECTIFY", "measures": "m",
            "deadline": (date.today() + timedelta(days=9)).isoformat()}})
    if op == "Mutation.recordPlanEvidence":
        who = (await q("{ me { username } }"))["data"]["me"]["username"]
        return await q("mutation($i: RecordPlanEvidenceInput!) { recordPlanEvidence(input: $i) { id } }", {"i": {
            "planId": str(await plan(w, d)), "item": "PLUGGING_EVIDENCE", "mediaIds": [str(await w.ready_media(who, d))]}})
    if op == "Mutation.requestPlanAcceptance":
        return await q(f'mutation {{ requestPlanAcceptance(id: "{await plan(w, d, type_="MERGE")}") {{ id }} }}')
    if op == "Mutation.reviewRemediationPlan":
        pid = await plan(w, d, type_="MERGE", to="SUBMITTED")
        return await q(f'mutation {{ reviewRemediationPlan(id: "{pid}", decision: ACCEPT) {{ id }} }}')
    if op == "Mutation.closeOutRemediationPlan":
        pid = await plan(w, d, type_="MERGE", to="ACCEPTED")
        return await q(f'mutation {{ closeOutRemediationPlan(id: "{pid}") {{ id }} }}')
    if op == "Mutation.submitTracingRecord":
        return await q("mutation($i: SubmitTracingRecordInput!) { submitTracingRecord(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "outfallId": str(await outfall(w, d)), "determined": False,
            "undeterminedReason": "未查明", "methods": ["FIELD_SURVEY"]}})
    if op == "Mutation.reviewTracingRecord":
        return await q(f'mutation {{ reviewTracingRecord(id: "{await tracing(w, d)}", decision: APPROVE) {{ id }} }}')
    if op == "Mutation.recordOutfallPermit":
        return await q("mutation($i: RecordOutfallPermitInput!) { recordOutfallPermit(input: $i) { kind } }", {"i": {
            "outfallId": str(await outfall(w, d)), "kind": "REGISTRATION", "documentNo": "登记2", "authority": "某局",
            "decidedOn": "2025-04-01"}})
    if op == "Mutation.cancelOutfallPermit":
        return await q("mutation($i: CancelOutfallPermitInput!) { cancelOutfallPermit(input: $i) { status } }", {"i": {
            "outfallId": str(await permitted(w, d)), "documentNo": "注销1", "authority": "某局",
            "decidedOn": "2025-05-01"}})
    if op == "Mutation.setOutfallCodes":
        return await q(f'mutation {{ setOutfallCodes(id: "{await outfall(w, d)}", nationalCode: "N-{uuid.uuid4().hex[:8]}")'
                       ' { nationalCode } }')
    if op == "Mutation.verifyOutfall":
        return await q(f'mutation {{ verifyOutfall(id: "{await outfall(w, d, suspected=True)}", outcome: VERIFIED) '
                       '{ verification } }')
    if op == "Mutation.setReceivingWater":
        return await q(f'mutation {{ setReceivingWater(id: "{await outfall(w, d)}", waterClass: III) {{ id }} }}')
    if op == "Mutation.recordProtectedZone":
        return await q("mutation($i: RecordProtectedZoneInput!) { recordProtectedZone(input: $i) { id } }", {"i": {
            "name": f"区{uuid.uuid4().hex[:8]}", "kind": "SWIMMING", "center": {"lat": lat, "lon": lon}, "radiusM": 100,
            "source": "某方案"}})
    raise KeyError(op)


OPS = {"Query.remediationPlans", "Query.tracingRecords", "Query.receivingReaches", "Query.protectedZones",
       "Query.districtAssessment", "Mutation.createRemediationPlan", "Mutation.recordPlanEvidence",
       "Mutation.requestPlanAcceptance", "Mutation.reviewRemediationPlan", "Mutation.closeOutRemediationPlan",
       "Mutation.submitTracingRecord", "Mutation.reviewTracingRecord", "Mutation.recordOutfallPermit",
       "Mutation.cancelOutfallPermit", "Mutation.setOutfallCodes", "Mutation.verifyOutfall",
       "Mutation.setReceivingWater", "Mutation.recordProtectedZone"}
