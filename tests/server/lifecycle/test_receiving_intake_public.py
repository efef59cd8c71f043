"""Issue 19 items 5 and 8 on both databases: receiving water derived from the location with its sources,
changed only by supervisors, new outfalls flagged where rules forbid them; complaints and hand-overs as
tasks with reference numbers, escalation when late, the district assessment; the public page per outfall
showing nothing personal."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update

from server.domain.lifecycle.intake import escalate_late_tasks
from server.domain.tasks.models import Task, TaskEvent
from tests.server.lifecycle.life import (CLOSE_OUT, CREATE_PLAN, EVIDENCE, JIALING_SITE, REGISTER, REQUEST,
                                         REVIEW_PLAN, REVIEW_TRACE, SUBMIT_TRACE, VALID_USCC, cid, later, photo, reg)

SET_RW = """mutation($id: ID!, $r: String, $c: WaterClass) { setReceivingWater(id: $id, reachKey: $r, waterClass: $c) {
  receivingWater { derived targetClass targetBasis reach { key } } river { code } } }"""
ZONE = """mutation($i: RecordProtectedZoneInput!) { recordProtectedZone(input: $i) { id name kind radiusM source } }"""
TASK = """mutation($i: CreateTaskInput!) { createTask(input: $i) { id code source intakeChannel intakeReference
  supervisionLevel deadline } }"""


async def test_receiving_water_derived_supervised_and_siting_flags(gql, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = (await inspector(REGISTER, reg()))["registerOutfall"]
    rw = o["receivingWater"]
    assert (rw["derived"], rw["targetClass"], rw["targetBasis"]) == (True, "II", "REACH")
    assert rw["reach"] == {"key": "YANGTZE-CQ", "targetClass": "II", "sources": ["S22"]}
    # GB 8978: no new outfalls in class II waters: registered, and flagged.
    assert "II 类" in o["sitingFlag"] and rw["newOutfallProhibited"]
    j = (await inspector(REGISTER, reg(site=JIALING_SITE, river="JIALING", category="OTHER")))["registerOutfall"]
    assert j["sitingFlag"] is None and j["receivingWater"]["targetClass"] is None  # no published target: unknown
    assert j["receivingWater"]["reach"]["key"] == "JIALING-CQ"
    # Only supervisors change it.
    err = await inspector.error(SET_RW, {"id": j["id"], "c": "III"})
    assert err["extensions"]["code"] == "FORBIDDEN"
    assert (await sup.error(SET_RW, {"id": j["id"], "r": "NOPE"}))["extensions"]["field"] == "reachKey"
    got = (await sup(SET_RW, {"id": j["id"], "r": "JIALING-CQ", "c": "III"}))["setReceivingWater"]
    assert got["receivingWater"] == {"derived": False, "targetClass": "III", "targetBasis": "OUTFALL",
                                     "reach": {"key": "JIALING-CQ"}}
    # A drinking-water protection zone, entered from its published plan, flags new outfalls inside it.
    zone = {"name": "某水厂取水口一级保护区", "kind": "DRINKING_WATER_PROTECTION",
            "center": {"lat": JIALING_SITE[0], "lon": JIALING_SITE[1]}, "radiusM": 1000,
            "source": "渝府〔2020〕某号 饮用水水源保护区划定方案"}
    assert (await inspector.error(ZONE, {"i": zone}))["extensions"]["code"] == "FORBIDDEN"
    assert (await sup.error(ZONE, {"i": {**zone, "source": " "}}))["extensions"]["field"] == "source"
    z = (await sup(ZONE, {"i": zone}))["recordProtectedZone"]
    assert z["kind"] == "DRINKING_WATER_PROTECTION"
    k = (await inspector(REGISTER, reg(site=(JIALING_SITE[0] + 0.002, JIALING_SITE[1]), river="JIALING",
                                       category="OTHER")))["registerOutfall"]
    assert "某水厂取水口一级保护区" in k["sitingFlag"]
    assert k["receivingWater"]["zones"] == [{"name": "某水厂取水口一级保护区", "kind": "DRINKING_WATER_PROTECTION"}]
    far = (await inspector(REGISTER, reg(site=(JIALING_SITE[0] + 0.05, JIALING_SITE[1]), river="JIALING",
                                         category="OTHER")))["registerOutfall"]
    assert far["receivingWater"]["zones"] == []


async def test_complaint_becomes_a_task_and_escalates_when_late(gql, users, db, settings):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = (await sup(REGISTER, reg(category="OTHER")))["registerOutfall"]
    base = {"kind": "ILLEGAL_DISCHARGE", "title": "群众反映排口冒黑水", "outfallId": o["id"]}
    err = await inspector.error(TASK, {"i": {**base, "clientId": cid(), "source": "PUBLIC_COMPLAINT"}})
    assert err["extensions"]["field"] == "intake"
    err = await inspector.error(TASK, {"i": {**base, "clientId": cid(), "source": "MANUAL",
                                             "intake": {"channel": "HOTLINE_12345", "reference": "12345-1"}}})
    assert err["extensions"]["field"] == "source"
    err = await inspector.error(TASK, {"i": {**base, "clientId": cid(), "source": "MANUAL", "supervisionLevel": "LISTED"}})
    assert err["extensions"]["field"] == "supervisionLevel"
    body = {**base, "clientId": cid(), "source": "PUBLIC_COMPLAINT",
            "intake": {"channel": "HOTLINE_12345", "reference": "GD20261130-0042"}}
    t = (await inspector(TASK, {"i": body}))["createTask"]
    assert (t["source"], t["intakeChannel"], t["intakeReference"], t["supervisionLevel"]) == (
        "PUBLIC_COMPLAINT", "HOTLINE_12345", "GD20261130-0042", "DISTRICT")
    assert (await inspector(TASK, {"i": body}))["createTask"]["id"] == t["id"]  # a retry is the same task
    err = await inspector.error(TASK, {"i": {**body, "clientId": cid(), "title": "重复举报"}})
    assert (err["extensions"]["field"], err["extensions"]["task"]) == ("intake.reference", t["code"])
    rc = (await sup(TASK, {"i": {**base, "clientId": cid(), "source": "RIVER_CHIEF", "supervisionLevel": "MUNICIPAL",
                                 "intake": {"channel": "RIVER_CHIEF", "reference": "渝河长办〔2026〕7号"}}}))["createTask"]
    assert rc["supervisionLevel"] == "MUNICIPAL"

    deadline = datetime.fromisoformat(t["deadline"])
    s1 = settings.with_(escalate_after_days=7)
    assert await escalate_late_tasks(db=db, settings=s1, now=deadline + timedelta(days=6)) == {"escalated": 0}
    # Both are a week late: the complaint goes up to MUNICIPAL, the river chief's (already MUNICIPAL) to LISTED.
    assert await escalate_late_tasks(db=db, settings=s1, now=deadline + timedelta(days=8)) == {"escalated": 2}
    assert await escalate_late_tasks(db=db, settings=s1, now=deadline + timedelta(days=9)) == {"escalated": 0}
    q = 'query($id: ID!) { task(id: $id) { supervisionLevel escalatedAt } }'
    assert (await sup(q, {"id": t["id"]}))["task"]["supervisionLevel"] == "MUNICIPAL"
    assert (await sup(q, {"id": rc["id"]}))["task"]["supervisionLevel"] == "LISTED"
    # Another week past the last escalation: up again; 挂牌督办 is the top.
    assert await escalate_late_tasks(db=db, settings=s1, now=deadline + timedelta(days=16)) == {"escalated": 1}
    assert (await sup(q, {"id": t["id"]}))["task"]["supervisionLevel"] == "LISTED"
    assert await escalate_late_tasks(db=db, settings=s1, now=deadline + timedelta(days=400)) == {"escalated": 0}
    async with db.session() as s:
        evs = [(e.detail["from"], e.detail["to"]) for e in (await s.execute(
            select(TaskEvent).where(TaskEvent.task_id == int(t["id"]), TaskEvent.type == "ESCALATED")
            .order_by(TaskEvent.id))).scalars()]
    assert evs == [("DISTRICT", "MUNICIPAL"), ("MUNICIPAL", "LISTED")]


async def test_district_assessment_against_configurable_targets(gql, users, db, settings):
    from server.domain.actor import Actor
    from server.domain.brief.assessment import assess

    sup = await gql.as_("supervisor")
    day = date.today() + timedelta(days=3)
    due = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=6)
    ids = []
    for d in ("500103", "500103", "500103", "500101"):
        t = (await sup(TASK, {"i": {"clientId": cid(), "kind": "OTHER", "source": "MANUAL", "title": "考核",
                                    "districtCode": d, "deadline": due.isoformat()}}))["createTask"]
        ids.append(int(t["id"]))
    async with db.transaction() as s:  # one approved on time, one late, one open; the other district: cancelled
        await s.execute(update(Task).where(Task.id == ids[0]).values(status="APPROVED", closed_at=due - timedelta(hours=1)))
        await s.execute(update(Task).where(Task.id == ids[1]).values(status="APPROVED", closed_at=due + timedelta(days=2)))
        await s.execute(update(Task).where(Task.id == ids[3]).values(status="CANCELLED", closed_at=due))
    q = """query($f: Date!) { districtAssessment(from: $f) { targetCompletionRate districts {
      districtCode due completed onTime completionRate onTimeRate meetsCompletion meetsOnTime } } }"""
    a = (await sup(q, {"f": day.isoformat()}))["districtAssessment"]
    assert a["targetCompletionRate"] is None  # not published in a source we have: unset, no pass/fail
    assert a["districts"] == [{"districtCode": "500103", "due": 3, "completed": 2, "onTime": 1,
                               "completionRate": 0.6667, "onTimeRate": 0.3333, "meetsCompletion": None,
                               "meetsOnTime": None}]
    officer2 = await gql.as_("officer2")
    assert (await officer2(q, {"f": day.isoformat()}))["districtAssessment"]["districts"] == []  # own district only
    s2 = settings.with_(target_completion_rate=0.6, target_on_time_rate=0.5)
    async with db.session() as s:
        actor = Actor(user_id=users["supervisor"], username="supervisor", role="SUPERVISOR", district_code=None)
        r = await assess(session=s, actor=actor, settings=s2, start=day, end=day)
    assert [(x.meets_completion, x.meets_on_time) for x in r.districts] == [(True, False)]
    err = await sup.error("""{ districtAssessment(from: "2026-02-01", to: "2026-01-01") { to } }""")
    assert err["extensions"]["field"] == "to"
    # In the brief too.
    b = (await sup('query($d: Date!) { dailyBrief(date: $d) { assessment { districts { districtCode due } } } }',
                   {"d": day.isoformat()}))["dailyBrief"]
    assert {"districtCode": "500103", "due": 3} in b["assessment"]["districts"]


async def test_public_page_shows_progress_and_nothing_personal(gql, client, users):
    inspector, officer, sup = await gql.as_("inspector"), await gql.as_("officer"), await gql.as_("supervisor")
    o = (await inspector(REGISTER, reg(category="OTHER")))["registerOutfall"]
    assert o["publicUrl"].endswith(f"/public/outfalls/{o['code']}")
    r = (await inspector(SUBMIT_TRACE, {"i": {"clientId": cid(), "outfallId": o["id"], "sources": ["养殖废水"],
                                              "methods": ["INTERVIEW"],
                                              "party": {"name": "王五", "type": "INDIVIDUAL", "contact": "13912345678"},
                                              "coParties": [{"name": "某养殖场", "type": "ENTERPRISE", "uscc": VALID_USCC}],
                                              "report": "走访村民王五（住址某村 3 组）"}}))["submitTracingRecord"]
    await sup(REVIEW_TRACE, {"id": r["id"], "d": "APPROVE"})
    p = (await sup(CREATE_PLAN, {"i": {"clientId": cid(), "outfallId": o["id"], "type": "BAN", "measures": "封堵",
                                       "deadline": later()}}))["createRemediationPlan"]
    await officer(EVIDENCE, {"i": {"planId": p["id"], "item": "PLUGGING_EVIDENCE", "note": "officer 李某 拍摄",
                                   "mediaIds": [await photo(officer, client, seed=77)]}})
    await officer(REQUEST, {"id": p["id"]})
    await sup(REVIEW_PLAN, {"id": p["id"], "d": "ACCEPT"})
    await sup(CLOSE_OUT, {"id": p["id"]})

    page = await client.get(f"/public/outfalls/{o['code']}")  # no Authorization header
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert o["code"] in text and "依法取缔" in text and "已销号" in text and "验收项 1/1" in text
    assert "个人（依法不公开）" in text and "已注销" in text
    data = (await client.get(f"/public/outfalls/{o['code']}.json")).json()
    assert set(data) == {"code", "national_code", "provincial_code", "name", "category", "river", "district", "status",
                         "responsible_party", "plan", "permit"}
    # Nothing personal: the individual's name and phone, the report, notes, users, photos.
    personal = ["王五", "13912345678", "住址", "李某", "inspector", "officer", "supervisor", "巡查员", "/media/",
                "media", "contact"]
    from server.demo.seed import DEMO_USERS

    personal += [display for *_, display in DEMO_USERS if display]
    for body in (text, page.text, str(data)):
        leaked = [w for w in personal if w in body]
        assert leaked == [], leaked
    qr = await client.get(f"/public/outfalls/{o['code']}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml" and b"<svg" in qr.content
    assert (await client.get("/public/outfalls/NOPE-1")).status_code == 404
    suspect = (await inspector(REGISTER, reg(category="OTHER", suspected=True)))["registerOutfall"]
    assert (await client.get(f"/public/outfalls/{suspect['code']}.json")).status_code == 404


async def test_public_page_names_an_enterprise(gql, client, users):
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    o = (await inspector(REGISTER, reg(category="OTHER")))["registerOutfall"]
    r = (await inspector(SUBMIT_TRACE, {"i": {"clientId": cid(), "outfallId": o["id"], "sources": ["生产废水"],
                                              "methods": ["RECORDS"], "party": {
                                                  "name": "某化工有限公司", "type": "ENTERPRISE", "uscc": VALID_USCC,
                                                  "contact": "环保专员 13800001111"}}}))["submitTracingRecord"]
    before = (await client.get(f"/public/outfalls/{o['code']}.json")).json()
    assert before["responsible_party"] is None  # not until the city approves
    await sup(REVIEW_TRACE, {"id": r["id"], "d": "APPROVE"})
    data = (await client.get(f"/public/outfalls/{o['code']}.json")).json()
    assert data["responsible_party"] == {"name": "某化工有限公司", "type": "企业"}
    assert "13800001111" not in str(data) and "环保专员" not in str(data)


async def test_reach_sources_read_as_the_reference_states_them(gql, users):
    inspector = await gql.as_("inspector")
    reaches = (await inspector("{ receivingReaches { key sources sourceTexts { key title text urls } } }"))[
        "receivingReaches"]
    for r in reaches:  # every key a reach cites is in the reference, in the order cited
        assert [s["key"] for s in r["sourceTexts"]] == r["sources"], r["key"]
    yangtze = next(r for r in reaches if r["key"] == "YANGTZE-CQ")["sourceTexts"]
    assert yangtze[0]["key"] == "S22" and "长江干流重庆段" in yangtze[0]["title"] and " — " not in yangtze[0]["title"]
    assert yangtze[0]["urls"] == ["https://www.cq.gov.cn/zwgk/zfxxgkml/zcwd/shjglp/index_2.html"]
    assert yangtze[0]["urls"][0] in yangtze[0]["text"]
