"""Issue 19 item 3 (and the whole path): an outfall goes from suspected to verified to traced to a plan to
accepted to 销号 with the city's review at the right steps; each remediation type's acceptance path, on
both databases."""
from __future__ import annotations

from server.reference import domain
from tests.server.lifecycle.life import (CLOSE_OUT, CREATE_PLAN, EVIDENCE, GET, RECORD, REGISTER, REQUEST,
                                         REVIEW_PLAN, REVIEW_TRACE, SET_STD, SUBMIT_TRACE, VALID_USCC, cid,
                                         inspection, later, photo, reg)


async def test_suspected_to_verified_traced_planned_accepted_closed_out(gql, client, users):
    inspector, officer, sup = await gql.as_("inspector"), await gql.as_("officer"), await gql.as_("supervisor")
    o = (await inspector(REGISTER, reg(suspected=True, subtype="industrial.mining_enterprise.factory")))[
        "registerOutfall"]
    assert (o["verification"], o["permitRequired"]) == ("SUSPECTED", "APPROVAL")
    # 查: a plan waits for the on-site check.
    err = await sup.error(CREATE_PLAN, {"i": {"clientId": cid(), "outfallId": o["id"], "type": "RECTIFY",
                                              "measures": "规范化建设", "deadline": later()}})
    assert err["extensions"]["code"] == "INVALID_STATE"
    v = (await inspector("mutation($id: ID!) { verifyOutfall(id: $id, outcome: VERIFIED) { verification } }",
                         {"id": o["id"]}))["verifyOutfall"]
    assert v["verification"] == "VERIFIED"
    # 溯: the inspector records; only the city's review makes it TRACED.
    t = (await inspector(SUBMIT_TRACE, {"i": {
        "clientId": cid(), "outfallId": o["id"], "party": {"name": "某化工有限公司", "type": "ENTERPRISE",
                                                           "uscc": VALID_USCC, "contact": "张三 13800000000"},
        "sources": ["生产废水"], "methods": ["FIELD_SURVEY", "PIPE_INSPECTION"], "report": "沿管网溯至厂区总排口"}}))[
        "submitTracingRecord"]
    assert (await gql.as_("supervisor"))  # a fresh session is fine
    assert (await inspector(GET, {"id": o["id"]}))["outfall"]["phase"] == "SURVEYED"
    assert (await inspector.error(REVIEW_TRACE, {"id": t["id"], "d": "APPROVE"}))["extensions"]["code"] == "FORBIDDEN"
    r = (await sup(REVIEW_TRACE, {"id": t["id"], "d": "APPROVE"}))["reviewTracingRecord"]
    assert r["status"] == "APPROVED" and r["outfall"] == {"phase": "TRACED", "responsibleUnit": "某化工有限公司"}
    # 治: the city makes the plan; the district records evidence; the city accepts, then 销号.
    for who in (inspector, officer):
        err = await who.error(CREATE_PLAN, {"i": {"clientId": cid(), "outfallId": o["id"], "type": "RECTIFY",
                                                  "measures": "规范化建设", "deadline": later()}})
        assert err["extensions"]["code"] == "FORBIDDEN"
    plan_in = {"clientId": cid(), "outfallId": o["id"], "type": "RECTIFY", "measures": "设采样点、检查井、标识牌，复测",
               "deadline": later(), "onlineMonitoringRequired": True}
    p = (await sup(CREATE_PLAN, {"i": plan_in}))["createRemediationPlan"]
    assert (await sup(CREATE_PLAN, {"i": plan_in}))["createRemediationPlan"]["id"] == p["id"]  # a replay
    assert p["requiredItems"] == ["SAMPLING_POINT", "INSPECTION_WELL", "SIGNBOARD_QR", "ONLINE_MONITORING_IF_REQUIRED",
                                  "PASSING_RETEST"]
    err = await sup.error(CREATE_PLAN, {"i": {**plan_in, "clientId": cid()}})
    assert (err["extensions"]["code"], err["extensions"]["field"]) == ("BAD_USER_INPUT", "outfallId")  # 一口一策
    err = await officer.error(REQUEST, {"id": p["id"]})
    assert err["extensions"]["field"] == "evidence" and "PASSING_RETEST" in err["message"]
    err = await officer.error(EVIDENCE, {"i": {"planId": p["id"], "item": "PLUGGING_EVIDENCE",
                                               "mediaIds": [await photo(officer, client, seed=1)]}})
    assert err["extensions"]["field"] == "item"  # a rectification is not plugged
    for k, item in enumerate(("SAMPLING_POINT", "INSPECTION_WELL", "SIGNBOARD_QR", "ONLINE_MONITORING_IF_REQUIRED")):
        p = (await officer(EVIDENCE, {"i": {"planId": p["id"], "item": item,
                                            "mediaIds": [await photo(officer, client, seed=10 + k)]}}))[
            "recordPlanEvidence"]
    assert p["missingItems"] == ["PASSING_RETEST"]
    # The re-test must be judged against the outfall's own standard, and pass.
    cod1 = float(domain()["gb8978"]["COD"]["grade1"])
    unjudged = (await inspector(RECORD, inspection(o["id"], ("COD", 10.0, {}))))["recordInspection"]
    err = await officer.error(EVIDENCE, {"i": {"planId": p["id"], "item": "PASSING_RETEST",
                                               "inspectionId": unjudged["id"]}})
    assert err["extensions"]["field"] == "inspectionId" and "not judged" in err["message"]
    await sup(SET_STD, {"id": o["id"], "i": {"standard": "GB8978", "grade": "grade1"}})
    over = (await inspector(RECORD, inspection(o["id"], ("COD", cod1 + 1, {"method": "LAB"}))))["recordInspection"]
    err = await officer.error(EVIDENCE, {"i": {"planId": p["id"], "item": "PASSING_RETEST", "inspectionId": over["id"]}})
    assert "exceeds on COD" in err["message"]
    ok = (await inspector(RECORD, inspection(o["id"], ("COD", cod1, {"method": "LAB"}))))["recordInspection"]
    p = (await officer(EVIDENCE, {"i": {"planId": p["id"], "item": "PASSING_RETEST", "inspectionId": ok["id"]}}))[
        "recordPlanEvidence"]
    assert p["missingItems"] == [] and p["evidence"][-1]["passed"] == "COD"
    p = (await officer(REQUEST, {"id": p["id"]}))["requestPlanAcceptance"]
    assert p["status"] == "SUBMITTED"
    # The city's acceptance: not the district's, not an admin's.
    for who in (officer, await gql.as_("admin")):
        assert (await who.error(REVIEW_PLAN, {"id": p["id"], "d": "ACCEPT"}))["extensions"]["code"] == "FORBIDDEN"
    err = await sup.error(REVIEW_PLAN, {"id": p["id"], "d": "REJECT"})
    assert err["extensions"]["field"] == "reason"
    p = (await sup(REVIEW_PLAN, {"id": p["id"], "d": "REJECT", "r": "标识牌无二维码"}))["reviewRemediationPlan"]
    assert (p["status"], p["reviewReason"], p["outfall"]["phase"]) == ("IN_PROGRESS", "标识牌无二维码", "TRACED")
    p = (await officer(EVIDENCE, {"i": {"planId": p["id"], "item": "SIGNBOARD_QR",
                                        "mediaIds": [await photo(officer, client, seed=20)]}}))["recordPlanEvidence"]
    await officer(REQUEST, {"id": p["id"]})
    err = await sup.error(CLOSE_OUT, {"id": p["id"]})
    assert err["extensions"]["code"] == "INVALID_STATE"  # 销号 follows acceptance
    p = (await sup(REVIEW_PLAN, {"id": p["id"], "d": "ACCEPT"}))["reviewRemediationPlan"]
    assert (p["status"], p["outfall"]["phase"]) == ("ACCEPTED", "REMEDIATED")
    err = await sup.error(REVIEW_PLAN, {"id": p["id"], "d": "ACCEPT"})
    assert err["extensions"]["code"] == "INVALID_STATE"
    assert (await officer.error(CLOSE_OUT, {"id": p["id"]}))["extensions"]["code"] == "FORBIDDEN"
    p = (await sup(CLOSE_OUT, {"id": p["id"]}))["closeOutRemediationPlan"]
    assert p["status"] == "CLOSED_OUT" and p["closedAt"]
    assert p["outfall"]["status"] == "ACTIVE"  # a rectified outfall stays in use, struck off the list
    got = (await sup(GET, {"id": o["id"]}))["outfall"]
    assert got["remediation"] == "RECTIFY" and got["remediationPlan"]["status"] == "CLOSED_OUT"


async def test_ban_needs_plugging_evidence_and_ends_in_cancellation(gql, client, users):
    officer, sup = await gql.as_("officer"), await gql.as_("supervisor")
    o = (await sup(REGISTER, reg(category="OTHER")))["registerOutfall"]
    p = (await sup(CREATE_PLAN, {"i": {"clientId": cid(), "outfallId": o["id"], "type": "BAN",
                                       "measures": "依法封堵", "deadline": later(10)}}))["createRemediationPlan"]
    assert p["requiredItems"] == ["PLUGGING_EVIDENCE"] and p["outfall"]["status"] == "ACTIVE"
    err = await officer.error(EVIDENCE, {"i": {"planId": p["id"], "item": "PLUGGING_EVIDENCE", "mediaIds": []}})
    assert err["extensions"]["field"] == "mediaIds"
    other = await gql.as_("officer2")  # another district's officer
    err = await other.error(EVIDENCE, {"i": {"planId": p["id"], "item": "PLUGGING_EVIDENCE",
                                             "mediaIds": [await photo(other, client, seed=30)]}})
    assert err["extensions"]["code"] == "FORBIDDEN"
    await officer(EVIDENCE, {"i": {"planId": p["id"], "item": "PLUGGING_EVIDENCE",
                                   "mediaIds": [await photo(officer, client, seed=31)]}})
    await officer(REQUEST, {"id": p["id"]})
    p = (await sup(REVIEW_PLAN, {"id": p["id"], "d": "ACCEPT"}))["reviewRemediationPlan"]
    assert p["outfall"] == {"id": o["id"], "status": "ACTIVE", "phase": "REMEDIATED", "mergedInto": None}
    p = (await sup(CLOSE_OUT, {"id": p["id"]}))["closeOutRemediationPlan"]
    assert (p["status"], p["outfall"]["status"]) == ("CLOSED_OUT", "CLOSED")  # 注销


async def test_merge_links_the_outfall_it_joined(gql, client, users):
    sup = await gql.as_("supervisor")
    keep = (await sup(REGISTER, reg(category="OTHER")))["registerOutfall"]
    gone = (await sup(REGISTER, reg(category="OTHER")))["registerOutfall"]
    base = {"outfallId": gone["id"], "type": "MERGE", "measures": "接入市政管网并入", "deadline": later()}
    err = await sup.error(CREATE_PLAN, {"i": {**base, "clientId": cid()}})
    assert err["extensions"]["field"] == "mergedIntoId"
    err = await sup.error(CREATE_PLAN, {"i": {**base, "clientId": cid(), "mergedIntoId": gone["id"]}})
    assert err["extensions"]["field"] == "mergedIntoId"
    p = (await sup(CREATE_PLAN, {"i": {**base, "clientId": cid(), "mergedIntoId": keep["id"]}}))[
        "createRemediationPlan"]
    assert p["requiredItems"] == ["MERGED_INTO"] and p["missingItems"] == [] and p["mergedInto"] == {"id": keep["id"]}
    await sup(REQUEST, {"id": p["id"]})
    await sup(REVIEW_PLAN, {"id": p["id"], "d": "ACCEPT"})
    p = (await sup(CLOSE_OUT, {"id": p["id"]}))["closeOutRemediationPlan"]
    assert p["outfall"] == {"id": gone["id"], "status": "CLOSED", "phase": "REMEDIATED", "mergedInto": {"id": keep["id"]}}
    # A closed outfall takes no new plan, nor can anything merge into it.
    err = await sup.error(CREATE_PLAN, {"i": {"clientId": cid(), "outfallId": keep["id"], "type": "MERGE",
                                              "measures": "x", "deadline": later(), "mergedIntoId": gone["id"]}})
    assert err["extensions"]["field"] == "mergedIntoId"


async def test_an_approved_task_alone_no_longer_remediates(gql, client, users):
    """The old path (an OUTFALL_REMEDIATION task approved on photos) leaves the phase where it was."""
    from tests.server.api.test_loop_api import REVIEW, SUBMIT

    officer, sup = await gql.as_("officer"), await gql.as_("supervisor")
    o = (await sup(REGISTER, reg(category="OTHER")))["registerOutfall"]
    t = (await sup("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": {
        "clientId": cid(), "kind": "OUTFALL_REMEDIATION", "source": "MANUAL", "title": "整治", "outfallId": o["id"]}}))[
        "createTask"]
    s = (await officer(SUBMIT, {"i": {"clientId": cid(), "taskId": t["id"],
                                      "beforeMediaIds": [await photo(officer, client, seed=40)],
                                      "afterMediaIds": [await photo(officer, client, seed=41)]}}))["submitRectification"]
    await sup(REVIEW, {"i": {"submissionId": s["id"], "decision": "APPROVE"}})
    assert (await sup(GET, {"id": o["id"]}))["outfall"]["phase"] == "SURVEYED"
