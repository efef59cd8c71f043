"""Issue 19 items 1 and 2 through GraphQL: the right standard per outfall, sample types, screening,
stormwater, and supervised decisions (an inspector is refused), on both databases."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from server.reference import domain

SITE = (29.5647, 106.587)
REGISTER = """mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) {
  id dischargeStandard dischargeGrade standardLabel suggestedStandard receivingTarget } }"""
UPDATE = """mutation($id: ID!, $i: UpdateOutfallInput!) { updateOutfall(id: $id, input: $i) {
  id name category status waterClass remediation river { code } } }"""
SET_STD = """mutation($id: ID!, $i: SetDischargeStandardInput!) { setDischargeStandard(id: $id, input: $i) {
  id dischargeStandard dischargeGrade sectorStandard standardLabel approvedLimits { parameter limitMax limitMin basis } } }"""
RECORD = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id dryWeather
  measurements { parameter value limit standard exceeded sampleType method screening basis note }
  raisedTasks { kind source title } } }"""


async def register(g, *, category="INDUSTRIAL", subtype=None, river="YANGTZE", water_class=None) -> dict:
    i = {"clientId": str(uuid.uuid4()), "name": "测试排口", "category": category, "riverCode": river,
         "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    if subtype:
        i["subtype"] = subtype
    if water_class:
        i["waterClass"] = water_class
    return (await g(REGISTER, {"i": i}))["registerOutfall"]


def inspection(oid, *readings, **extra):
    return {"i": {"clientId": str(uuid.uuid4()), "outfallId": oid,
                  "observedAt": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(),
                  "measurements": [dict(parameter=p, value=v, **kw) for p, v, kw in readings], **extra}}


async def test_industrial_outfall_judged_against_its_own_standard_and_grade(gql, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = await register(inspector, subtype="industrial.mining_enterprise.factory")
    assert (o["dischargeStandard"], o["dischargeGrade"], o["standardLabel"]) == ("UNASSIGNED", None, "执行标准待确定")
    assert o["suggestedStandard"] == "SECTOR" and o["receivingTarget"] == "II"  # Yangtze main stem
    # Before a standard is assigned, effluent is recorded, not judged, and raises nothing.
    r = (await inspector(RECORD, inspection(o["id"], ("COD", 5000.0, {}))))["recordInspection"]
    (m,) = r["measurements"]
    assert (m["exceeded"], m["limit"], m["basis"], m["sampleType"], m["method"], m["screening"]) == (
        False, None, None, "EFFLUENT", "KIT", True)
    assert "待确定" in m["note"] and r["raisedTasks"] == []

    err = await inspector.error(SET_STD, {"id": o["id"], "i": {"standard": "GB8978", "grade": "grade1"}})
    assert err["extensions"]["code"] == "FORBIDDEN"
    err = await sup.error(SET_STD, {"id": o["id"], "i": {"standard": "GB8978", "grade": "1A"}})
    assert (err["extensions"]["code"], err["extensions"]["field"]) == ("BAD_USER_INPUT", "dischargeGrade")
    s = (await sup(SET_STD, {"id": o["id"], "i": {"standard": "GB8978", "grade": "grade2"}}))["setDischargeStandard"]
    assert s["standardLabel"] == "GB 8978-1996 二级" and s["approvedLimits"] == []

    cod2 = float(domain()["gb8978"]["COD"]["grade2"])
    ok = (await inspector(RECORD, inspection(o["id"], ("COD", cod2, {}))))["recordInspection"]
    assert ok["measurements"][0]["exceeded"] is False and ok["raisedTasks"] == []
    assert ok["measurements"][0]["standard"] == "GB 8978-1996 二级"
    over = (await inspector(RECORD, inspection(o["id"], ("COD", cod2 + 1, {}), ("CODMN", 500.0, {}),
                                              ("COD", cod2 + 1, {"method": "LAB"}))))["recordInspection"]
    kit, codmn, lab = over["measurements"]
    assert kit["exceeded"] and kit["screening"] and kit["basis"] == "DISCHARGE"
    assert lab["exceeded"] and not lab["screening"] and lab["method"] == "LAB"
    assert not codmn["exceeded"] and codmn["limit"] is None and "GB 3838" in codmn["note"]  # no fallback
    assert [t["kind"] for t in over["raisedTasks"]] == ["EXCEEDANCE"]


async def test_river_samples_judged_against_the_receiving_target_and_raise_no_outfall_task(gql, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = await register(inspector, category="URBAN_SEWAGE_PLANT", subtype="urban_wwtp.plant")
    assert o["suggestedStandard"] == "GB18918"
    await sup(SET_STD, {"id": o["id"], "i": {"standard": "GB18918", "grade": "1A"}})
    nh3_ii = float(domain()["gb3838"]["NH3_N"]["II"])
    r = (await inspector(RECORD, inspection(o["id"], ("NH3_N", nh3_ii * 2, {"sampleType": "UPSTREAM"}),
                                            ("NH3_N", nh3_ii, {"sampleType": "DOWNSTREAM"}),
                                            ("NH3_N", 1.0, {}))))["recordInspection"]
    up, down, eff = r["measurements"]
    assert (up["exceeded"], up["standard"], up["basis"]) == (True, "GB 3838-2002 II", "RECEIVING_WATER")
    assert (down["exceeded"], down["limit"]) == (False, nh3_ii)
    assert (eff["exceeded"], eff["standard"], eff["basis"]) == (False, "GB 18918-2002 1A", "DISCHARGE")
    assert r["raisedTasks"] == []  # river water above its target is not this outfall's exceedance
    # On a river without a target in the reference and no class set, river water is not judged.
    o2 = await register(inspector, category="OTHER", river="JIALING")
    assert o2["receivingTarget"] is None
    (m,) = (await inspector(RECORD, inspection(o2["id"], ("NH3_N", 9.0, {"sampleType": "UPSTREAM"}))))[
        "recordInspection"]["measurements"]
    assert not m["exceeded"] and "目标水质未确定" in m["note"]


async def test_approved_limits_for_a_standard_without_a_table(gql, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = await register(inspector, category="AGRICULTURAL", subtype="agricultural.livestock_large")
    s = (await sup(SET_STD, {"id": o["id"], "i": {"standard": "GB18596", "approvedLimits": [
        {"parameter": "COD", "limitMax": 300, "basis": "渝环审〔2026〕1号"}]}}))["setDischargeStandard"]
    assert s["approvedLimits"] == [{"parameter": "COD", "limitMax": 300.0, "limitMin": None, "basis": "渝环审〔2026〕1号"}]
    r = (await inspector(RECORD, inspection(o["id"], ("COD", 301.0, {}), ("NH3_N", 999.0, {}))))["recordInspection"]
    cod, nh3 = r["measurements"]
    assert (cod["exceeded"], cod["basis"], cod["standard"]) == (True, "APPROVED", "批复限值")
    assert not nh3["exceeded"] and "限值未录入" in nh3["note"]
    err = await sup.error(SET_STD, {"id": o["id"], "i": {"standard": "GB18596", "approvedLimits": [
        {"parameter": "COD", "limitMax": 3, "limitMin": 5}]}})
    assert err["extensions"]["field"] == "approvedLimits[0].limitMin"


async def test_stormwater_outlet_dry_weather_flow_is_the_finding(gql, users):
    inspector = await gql.as_("inspector")
    o = await register(inspector, category="OTHER", subtype="other.urban_storm")
    assert o["dischargeStandard"] == "STORMWATER"
    rain = (await inspector(RECORD, inspection(o["id"], ("COD", 900.0, {}), flowing=True, dryWeather=False)))[
        "recordInspection"]
    assert rain["raisedTasks"] == [] and not rain["measurements"][0]["exceeded"]
    assert "雨洪排口无排放限值" in rain["measurements"][0]["note"]
    dry = (await inspector(RECORD, inspection(o["id"], flowing=True, dryWeather=True)))["recordInspection"]
    assert dry["dryWeather"] is True
    assert [(t["kind"], t["source"]) for t in dry["raisedTasks"]] == [("ILLEGAL_DISCHARGE", "INSPECTION")]
    assert "旱天出流" in dry["raisedTasks"][0]["title"]
    again = (await inspector(RECORD, inspection(o["id"], flowing=True, dryWeather=True)))["recordInspection"]
    assert again["raisedTasks"] == []  # one open finding per outfall


@pytest.mark.parametrize("change,field", [
    ({"status": "CLOSED"}, "status"), ({"category": "AGRICULTURAL"}, "category"), ({"waterClass": "IV"}, "waterClass"),
    ({"remediation": "BAN"}, "remediation"), ({"riverCode": "JIALING"}, "riverCode"),
    ({"subtype": "other.port_wharf"}, "subtype"),
])
async def test_inspector_refused_closing_or_reclassifying(gql, users, change, field):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = await register(inspector)
    err = await inspector.error(UPDATE, {"id": o["id"], "i": change})
    assert (err["extensions"]["code"], err["extensions"]["field"]) == ("FORBIDDEN", field)
    assert "supervised decision" in err["message"]
    # Field facts stay the inspector's to edit; the same value is no change.
    assert (await inspector(UPDATE, {"id": o["id"], "i": {"category": "INDUSTRIAL", "name": "改名"}}))["updateOutfall"]["name"] == "改名"
    assert (await sup(UPDATE, {"id": o["id"], "i": {"category": "AGRICULTURAL"}}))["updateOutfall"]["category"] == \
        "AGRICULTURAL"


async def test_migration_marks_existing_outfalls_to_be_assigned(tmp_path):
    from server.db import Database
    from server.domain.geo.service import load_reference_data
    from server.migrate import upgrade

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await upgrade(db, "0012_limits")
        async with db.transaction() as s:
            await load_reference_data(session=s)
            for i, sub in enumerate(("industrial.mining_enterprise.factory", "other.urban_storm", None)):
                await s.execute(text(
                    "INSERT INTO outfalls (code, name, category, subtype, river_code, district_code, lat, lon, phase, "
                    "status, signboard_installed, created_at, updated_at, version) VALUES (:c, 'x', 'INDUSTRIAL', :s, "
                    "'YANGTZE', '500103', 29.5, 106.5, 'SURVEYED', 'ACTIVE', false, '2026-01-01', '2026-01-01', 1)"),
                    {"c": f"c{i}", "s": sub})
        await upgrade(db, "0013_lifecycle")
        async with db.session() as s:
            got = (await s.execute(text("SELECT code, discharge_standard, discharge_grade FROM outfalls ORDER BY code"))).all()
        assert [tuple(r) for r in got] == [("c0", "UNASSIGNED", None), ("c1", "STORMWATER", None),
                                           ("c2", "UNASSIGNED", None)]
    finally:
        await db.dispose()
