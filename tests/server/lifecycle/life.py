"""Shared GraphQL documents and helpers for the lifecycle tests (issue 19 items 3-8)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from tests.server.api.test_loop_api import photo  # noqa: F401  (re-exported for the tests)

SITE = (29.5647, 106.587)  # 朝天门, on the Yangtze main stem (target class II)
JIALING_SITE = (29.58, 106.53)
VALID_USCC = "91130200699229617X"  # domain.md §1.6 example; its check character verifies
OTHER_USCC = "9144030071526726XG"

OUTFALL = """id code phase status remediation verification sitingFlag phaseBasis permitRequired nationalCode
  provincialCode responsibleUnit mergedInto { id code } publicUrl
  receivingWater { derived targetClass targetBasis newOutfallProhibited reach { key targetClass sources }
                   zones { name kind } }"""
REGISTER = f"""mutation($i: RegisterOutfallInput!) {{ registerOutfall(input: $i) {{ {OUTFALL} }} }}"""
GET = f"""query($id: ID!) {{ outfall(id: $id) {{ {OUTFALL}
  remediationPlan {{ id type status missingItems requiredItems }}
  tracing {{ id determined party {{ name uscc type contact }} }}
  permit {{ kind status documentNo changes {{ change documentNo limits {{ parameter limitMax }} }} }} }} }}"""
PLAN = """id type status measures deadline onlineMonitoringRequired requiredItems missingItems reviewReason
  acceptedAt closedAt mergedInto { id } outfall { id status phase mergedInto { id } }
  evidence { item mediaIds inspectionId passed }"""
CREATE_PLAN = f"mutation($i: CreateRemediationPlanInput!) {{ createRemediationPlan(input: $i) {{ {PLAN} }} }}"
EVIDENCE = f"mutation($i: RecordPlanEvidenceInput!) {{ recordPlanEvidence(input: $i) {{ {PLAN} }} }}"
REQUEST = f"mutation($id: ID!) {{ requestPlanAcceptance(id: $id) {{ {PLAN} }} }}"
REVIEW_PLAN = f"""mutation($id: ID!, $d: PlanDecision!, $r: String) {{
  reviewRemediationPlan(id: $id, decision: $d, reason: $r) {{ {PLAN} }} }}"""
CLOSE_OUT = f"mutation($id: ID!) {{ closeOutRemediationPlan(id: $id) {{ {PLAN} }} }}"
TRACE = """id status determined party { name uscc type contact } coParties { name uscc type } sources methods
  report undeterminedReason reviewReason task { id }"""
SUBMIT_TRACE = f"mutation($i: SubmitTracingRecordInput!) {{ submitTracingRecord(input: $i) {{ {TRACE} }} }}"
REVIEW_TRACE = f"""mutation($id: ID!, $d: ReviewDecision!, $r: String) {{
  reviewTracingRecord(id: $id, decision: $d, reason: $r) {{ {TRACE} outfall {{ phase responsibleUnit }} }} }}"""
RECORD = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id outcome flowing
  measurements { parameter exceeded basis } raisedTasks { kind } } }"""
SET_STD = """mutation($id: ID!, $i: SetDischargeStandardInput!) { setDischargeStandard(id: $id, input: $i) { id } }"""


def cid() -> str:
    return str(uuid.uuid4())


def reg(district="500103", site=SITE, river="YANGTZE", **extra) -> dict:
    return {"i": {"clientId": cid(), "name": "测试排口", "category": extra.pop("category", "INDUSTRIAL"),
                  "riverCode": river, "districtCode": district, "location": {"lat": site[0], "lon": site[1]},
                  **extra}}


def later(days: int = 30) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def inspection(oid, *readings, **extra) -> dict:
    return {"i": {"clientId": cid(), "outfallId": oid,
                  "observedAt": datetime.now(timezone.utc).isoformat(),
                  "measurements": [dict(parameter=p, value=v, **kw) for p, v, kw in readings], **extra}}
