"""The outfall's life in tests/server/api/test_atomic_writes.py: each mutation fails whole at its last step,
then succeeds whole on the retry."""
from __future__ import annotations

import uuid

from tests.server.lifecycle.life import VALID_USCC, later, reg


async def lifecycle_steps(step, g, client, sup, insp, officer, admin) -> None:
    from tests.server.api.test_loop_api import photo

    reg_q = "mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }"
    suspect = (await sup(reg_q, reg(category="OTHER", suspected=True)))["registerOutfall"]["id"]
    await step(insp, "mutation($id: ID!) { verifyOutfall(id: $id, outcome: VERIFIED) { id } }", {"id": suspect},
               "verifyOutfall")
    rec = await step(insp, "mutation($i: SubmitTracingRecordInput!) { submitTracingRecord(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": suspect, "sources": ["生活污水"], "methods": ["FIELD_SURVEY"],
        "party": {"name": "某公司", "type": "ENTERPRISE", "uscc": VALID_USCC}}}, "submitTracingRecord")
    await step(sup, "mutation($id: ID!) { reviewTracingRecord(id: $id, decision: APPROVE) { id } }", {"id": rec["id"]},
               "reviewTracingRecord")
    await step(sup, "mutation($i: RecordOutfallPermitInput!) { recordOutfallPermit(input: $i) { kind } }", {"i": {
        "outfallId": suspect, "kind": "REGISTRATION", "documentNo": "登记-1", "authority": "渝中区生态环境局",
        "decidedOn": "2025-06-01", "approvedLimits": [{"parameter": "COD", "limitMax": 60}]}}, "recordOutfallPermit")
    await step(admin, 'mutation($id: ID!) { setOutfallCodes(id: $id, nationalCode: "N-1") { id } }', {"id": suspect},
               "setOutfallCodes")
    await step(sup, "mutation($id: ID!) { setReceivingWater(id: $id, reachKey: \"YANGTZE-CQ\", waterClass: III) { id } }",
               {"id": suspect}, "setReceivingWater")
    await step(sup, "mutation($i: RecordProtectedZoneInput!) { recordProtectedZone(input: $i) { id } }", {"i": {
        "name": "故障保护区", "kind": "SWIMMING", "center": {"lat": 29.56, "lon": 106.58}, "radiusM": 50,
        "source": "某方案"}}, "recordProtectedZone")
    plan = await step(sup, "mutation($i: CreateRemediationPlanInput!) { createRemediationPlan(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "outfallId": suspect, "type": "BAN", "measures": "封堵", "deadline": later()}},
        "createRemediationPlan")
    pic = await photo(officer, client, seed=73)
    await step(officer, "mutation($i: RecordPlanEvidenceInput!) { recordPlanEvidence(input: $i) { id } }", {"i": {
        "planId": plan["id"], "item": "PLUGGING_EVIDENCE", "mediaIds": [pic]}}, "recordPlanEvidence")
    await step(officer, "mutation($id: ID!) { requestPlanAcceptance(id: $id) { id } }", {"id": plan["id"]},
               "requestPlanAcceptance")
    await step(sup, "mutation($id: ID!) { reviewRemediationPlan(id: $id, decision: ACCEPT) { id } }",
               {"id": plan["id"]}, "reviewRemediationPlan")
    await step(sup, "mutation($id: ID!) { closeOutRemediationPlan(id: $id) { id } }", {"id": plan["id"]},
               "closeOutRemediationPlan")
    await step(sup, "mutation($i: CancelOutfallPermitInput!) { cancelOutfallPermit(input: $i) { status } }", {"i": {
        "outfallId": suspect, "documentNo": "注销-1", "authority": "渝中区生态环境局", "decidedOn": "2026-01-01"}},
        "cancelOutfallPermit")
