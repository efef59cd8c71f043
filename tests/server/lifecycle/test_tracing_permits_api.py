"""Issue 19 items 4, 6, 7 through GraphQL on both databases: tracing records (USCC check, shared outfalls,
"cannot be determined"), 查's suspected step and the dry inspection, approval/registration under Order 35
with changes and 注销, national/provincial codes (ADMIN)."""
from __future__ import annotations

import pytest

from tests.server.lifecycle.life import (GET, OTHER_USCC, RECORD, REGISTER, REVIEW_TRACE, SUBMIT_TRACE, VALID_USCC,
                                         cid, inspection, reg)

PERMIT = """mutation($i: RecordOutfallPermitInput!) { recordOutfallPermit(input: $i) { kind status documentNo
  authority decidedOn changes { change documentNo limits { parameter limitMax } } } }"""
CANCEL = """mutation($i: CancelOutfallPermitInput!) { cancelOutfallPermit(input: $i) { status
  changes { change documentNo } } }"""
CODES = """mutation($id: ID!, $n: String, $p: String) { setOutfallCodes(id: $id, nationalCode: $n, provincialCode: $p) {
  nationalCode provincialCode } }"""


def trace(oid, **kw) -> dict:
    return {"i": {"clientId": cid(), "outfallId": oid, "sources": ["生活污水"], "methods": ["FIELD_SURVEY"], **kw}}


@pytest.mark.parametrize("party,field", [
    ({"name": "某公司", "type": "ENTERPRISE", "uscc": VALID_USCC[:-1] + "Y"}, "party.uscc"),  # wrong check character
    ({"name": "某公司", "type": "ENTERPRISE", "uscc": VALID_USCC[:-1]}, "party.uscc"),  # 17 characters
    ({"name": "某公司", "type": "ENTERPRISE", "uscc": "91130200699229617I"}, "party.uscc"),  # I is not used
    ({"name": "某公司", "type": "ENTERPRISE"}, "party.uscc"),  # an enterprise is named with its code
    ({"name": "李四", "type": "INDIVIDUAL", "uscc": VALID_USCC}, "party.uscc"),
    ({"name": " ", "type": "ENTERPRISE", "uscc": VALID_USCC}, "party.name"),
])
async def test_party_is_checked_with_its_code(gql, users, party, field):
    inspector = await gql.as_("inspector")
    o = (await inspector(REGISTER, reg()))["registerOutfall"]
    err = await inspector.error(SUBMIT_TRACE, trace(o["id"], party=party))
    assert (err["extensions"]["code"], err["extensions"]["field"]) == ("BAD_USER_INPUT", field)


async def test_shared_outfall_main_party_and_rejection(gql, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = (await inspector(REGISTER, reg()))["registerOutfall"]
    r = (await inspector(SUBMIT_TRACE, trace(o["id"], party={"name": "甲公司", "type": "ENTERPRISE", "uscc": VALID_USCC.lower()},
                                             coParties=[{"name": "乙公司", "type": "ENTERPRISE", "uscc": OTHER_USCC},
                                                        {"name": "某街道办", "type": "INSTITUTION"}],
                                             methods=["DYE_TEST", "DYE_TEST"])))["submitTracingRecord"]
    assert r["party"]["uscc"] == VALID_USCC and [c["name"] for c in r["coParties"]] == ["乙公司", "某街道办"]
    assert r["methods"] == ["DYE_TEST"]
    other = await gql.as_("inspector2")  # another district: no contacts, no records
    assert (await other.error(SUBMIT_TRACE, trace(o["id"], party={"name": "x", "type": "OTHER"})))["extensions"][
        "code"] == "FORBIDDEN"
    assert (await other("{ tracingRecords { id } }"))["tracingRecords"] == []
    assert (await other(GET, {"id": o["id"]}))["outfall"]["tracing"] is None
    r = (await sup(REVIEW_TRACE, {"id": r["id"], "d": "REJECT", "r": "缺少管网排查记录"}))["reviewTracingRecord"]
    assert (r["status"], r["outfall"]["phase"]) == ("REJECTED", "SURVEYED")
    assert (await sup.error(REVIEW_TRACE, {"id": r["id"], "d": "APPROVE"}))["extensions"]["code"] == "INVALID_STATE"


async def test_cannot_be_determined_names_the_local_government(gql, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = (await inspector(REGISTER, reg(category="OTHER")))["registerOutfall"]
    err = await inspector.error(SUBMIT_TRACE, trace(o["id"], determined=False))
    assert err["extensions"]["field"] == "undeterminedReason"
    err = await inspector.error(SUBMIT_TRACE, trace(o["id"], determined=False, undeterminedReason="x",
                                                    party={"name": "某公司", "type": "ENTERPRISE", "uscc": VALID_USCC}))
    assert err["extensions"]["field"] == "party.type"
    r = (await inspector(SUBMIT_TRACE, trace(o["id"], determined=False, sources=[],
                                             undeterminedReason="管网错综，三次排查未找到来源")))["submitTracingRecord"]
    assert (r["determined"], r["party"]["type"], r["party"]["name"]) == (False, "LOCAL_GOVERNMENT", "渝中区人民政府")
    first = r["id"]
    r = (await sup(REVIEW_TRACE, {"id": first, "d": "APPROVE"}))["reviewTracingRecord"]
    assert r["outfall"] == {"phase": "TRACED", "responsibleUnit": "渝中区人民政府"}
    # A later finding supersedes it.
    r2 = (await inspector(SUBMIT_TRACE, trace(o["id"], party={"name": "丙公司", "type": "ENTERPRISE",
                                                                "uscc": OTHER_USCC})))["submitTracingRecord"]
    await sup(REVIEW_TRACE, {"id": r2["id"], "d": "APPROVE"})
    got = (await sup(GET, {"id": o["id"]}))["outfall"]
    assert got["tracing"]["party"]["name"] == "丙公司" and got["responsibleUnit"] == "丙公司"
    statuses = (await sup("{ tracingRecords { id status } }"))["tracingRecords"]
    assert [(x["id"], x["status"]) for x in statuses] == [(first, "SUPERSEDED"), (r2["id"], "APPROVED")]


async def test_suspect_found_not_an_outfall_and_dry_inspection(gql, users):
    inspector, other = await gql.as_("inspector"), await gql.as_("inspector2")
    verify = "mutation($id: ID!, $o: VerifyOutcome!) { verifyOutfall(id: $id, outcome: $o) { verification } }"
    o = (await inspector(REGISTER, reg(category="OTHER", suspected=True)))["registerOutfall"]
    assert (await other.error(verify, {"id": o["id"], "o": "VERIFIED"}))["extensions"]["code"] == "FORBIDDEN"
    assert (await inspector(verify, {"id": o["id"], "o": "NOT_OUTFALL"}))["verifyOutfall"]["verification"] == \
        "NOT_OUTFALL"
    assert (await inspector.error(verify, {"id": o["id"], "o": "VERIFIED"}))["extensions"]["code"] == "INVALID_STATE"
    o2 = (await inspector(REGISTER, reg(category="OTHER")))["registerOutfall"]
    assert o2["verification"] == "VERIFIED"  # registered on site
    err = await inspector.error(RECORD, inspection(o2["id"], ("COD", 50.0, {}), outcome="DRY"))
    assert err["extensions"]["field"] == "measurements"
    err = await inspector.error(RECORD, inspection(o2["id"], outcome="DRY", flowing=True))
    assert err["extensions"]["field"] == "flowing"
    dry = (await inspector(RECORD, inspection(o2["id"], outcome="DRY")))["recordInspection"]
    assert (dry["outcome"], dry["flowing"], dry["measurements"]) == ("DRY", False, [])
    # River water may still be sampled beside a dry outfall.
    dry2 = (await inspector(RECORD, inspection(o2["id"], ("NH3_N", 0.2, {"sampleType": "UPSTREAM"}), outcome="DRY")))[
        "recordInspection"]
    assert dry2["outcome"] == "DRY"
    sampled = (await inspector(RECORD, inspection(o2["id"], ("COD", 50.0, {}))))["recordInspection"]
    assert sampled["outcome"] == "SAMPLED"


async def test_approval_registration_changes_and_cancellation(gql, users):
    inspector, sup, admin = await gql.as_("inspector"), await gql.as_("supervisor"), await gql.as_("admin")
    plant = (await inspector(REGISTER, reg(category="URBAN_SEWAGE_PLANT", subtype="urban_wwtp.plant")))["registerOutfall"]
    storm = (await inspector(REGISTER, reg(category="INDUSTRIAL", subtype="industrial.park_wwtp_storm")))[
        "registerOutfall"]
    assert (plant["permitRequired"], storm["permitRequired"]) == ("APPROVAL", "REGISTRATION")
    base = {"outfallId": plant["id"], "documentNo": "渝环审〔2025〕12号", "authority": "重庆市生态环境局",
            "decidedOn": "2025-03-01"}
    err = await sup.error(PERMIT, {"i": {**base, "kind": "REGISTRATION"}})
    assert (err["extensions"]["field"], err["extensions"]["required"]) == ("kind", "APPROVAL")
    assert (await inspector.error(PERMIT, {"i": {**base, "kind": "APPROVAL"}}))["extensions"]["code"] == "FORBIDDEN"
    p = (await sup(PERMIT, {"i": {**base, "kind": "APPROVAL", "approvedLimits": [
        {"parameter": "COD", "limitMax": 50}]}}))["recordOutfallPermit"]
    assert (p["kind"], p["status"], p["changes"]) == ("APPROVAL", "IN_FORCE", [
        {"change": "ISSUED", "documentNo": "渝环审〔2025〕12号", "limits": [{"parameter": "COD", "limitMax": 50.0}]}])
    # The approved limit judges the effluent (the permit's number is its basis).
    r = (await inspector(RECORD, inspection(plant["id"], ("COD", 51.0, {}))))["recordInspection"]
    assert (r["measurements"][0]["exceeded"], r["measurements"][0]["basis"]) == (True, "APPROVED")
    p = (await sup(PERMIT, {"i": {**base, "kind": "APPROVAL", "documentNo": "渝环审〔2026〕3号", "decidedOn": "2026-01-05",
                                  "approvedLimits": [{"parameter": "COD", "limitMax": 40}]}}))["recordOutfallPermit"]
    assert [c["change"] for c in p["changes"]] == ["ISSUED", "CHANGED"] and p["documentNo"] == "渝环审〔2026〕3号"
    err = await sup.error(PERMIT, {"i": {**base, "kind": "APPROVAL", "decidedOn": "2199-01-01"}})
    assert err["extensions"]["field"] == "decidedOn"
    c = (await sup(CANCEL, {"i": {"outfallId": plant["id"], "documentNo": "渝环注〔2026〕1号", "authority": "重庆市生态环境局",
                                  "decidedOn": "2026-02-01"}}))["cancelOutfallPermit"]
    assert c["status"] == "CANCELLED" and c["changes"][-1] == {"change": "CANCELLED", "documentNo": "渝环注〔2026〕1号"}
    got = (await sup(GET, {"id": plant["id"]}))["outfall"]
    assert got["status"] == "CLOSED" and got["permit"]["status"] == "CANCELLED"
    err = await sup.error(PERMIT, {"i": {**base, "kind": "APPROVAL"}})
    assert err["extensions"]["code"] == "INVALID_STATE"
    r = (await sup(PERMIT, {"i": {"outfallId": storm["id"], "kind": "REGISTRATION", "documentNo": "登记 2025-0007",
                                  "authority": "渝中区生态环境局", "decidedOn": "2025-05-01"}}))["recordOutfallPermit"]
    assert r["kind"] == "REGISTRATION"
    # National and provincial codes: ADMIN only, unique, clearable.
    assert (await sup.error(CODES, {"id": storm["id"], "n": "X"}))["extensions"]["code"] == "FORBIDDEN"
    got = (await admin(CODES, {"id": storm["id"], "n": "CN-500103-0001", "p": "CQ-0001"}))["setOutfallCodes"]
    assert got == {"nationalCode": "CN-500103-0001", "provincialCode": "CQ-0001"}
    err = await admin.error(CODES, {"id": plant["id"], "n": "CN-500103-0001"})
    assert err["extensions"]["field"] == "nationalCode"
    got = (await admin(CODES, {"id": storm["id"], "p": ""}))["setOutfallCodes"]
    assert got == {"nationalCode": "CN-500103-0001", "provincialCode": None}


async def test_suspected_outfalls_are_one_filter_away(gql, users):
    """查's worklist: the register's one filter narrows by verification, for the list, the map's points and cells."""
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    verify = "mutation($id: ID!, $o: VerifyOutcome!) { verifyOutfall(id: $id, outcome: $o) { verification } }"
    s1, s2, gone = [(await inspector(REGISTER, reg(category="OTHER", suspected=True)))["registerOutfall"] for _ in range(3)]
    await inspector(verify, {"id": gone["id"], "o": "NOT_OUTFALL"})
    onsite = (await inspector(REGISTER, reg(category="OTHER")))["registerOutfall"]
    listed = """query($f: OutfallFilter) { outfalls(first: 200, filter: $f) { totalCount edges { node { id verification } } }
      outfallPoints(filter: $f) { count ids } outfallClusters(filter: $f, zoom: 7) { counts } }"""
    for state, mine, not_mine in (("SUSPECTED", {s1["id"], s2["id"]}, {gone["id"], onsite["id"]}),
                                  ("NOT_OUTFALL", {gone["id"]}, {s1["id"], onsite["id"]}),
                                  ("VERIFIED", {onsite["id"]}, {s1["id"], gone["id"]})):
        got = await sup(listed, {"f": {"verification": state}})
        nodes = [e["node"] for e in got["outfalls"]["edges"]]
        ids = {n["id"] for n in nodes}
        assert mine <= ids and not (not_mine & ids), state
        assert {n["verification"] for n in nodes} == {state}
        assert got["outfalls"]["totalCount"] == got["outfallPoints"]["count"] == sum(got["outfallClusters"]["counts"])
        assert {str(i) for i in got["outfallPoints"]["ids"]} == ids
    err = await sup.error(listed, {"f": {"verification": "MAYBE"}})
    assert "verification" in err["message"]
