"""水环境每日简况: the day's numbers exactly, scoped, as Markdown, HTML, GraphQL and CLI."""
from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

from tests.server.api.test_loop_api import RECORD, REVIEW, SUBMIT, photo
from tests.server.lifecycle.test_standard_api import SET_STD

CST = timezone(timedelta(hours=8))
Q = """query($d: Date!) { dailyBrief(date: $d) { date scope scopeCode approved rejected medianHoursToClose
  newTasksByKind { key label count } newTasksByDistrict { key label count } overdueByDistrict { key label count }
  exceedances { outfallCode districtCode district parameter value limit standard multiple }
  rejections { taskCode reason } markdown html } }"""


async def test_a_day_in_the_brief(gql, client, users, db, settings):
    from server.domain.tasks.models import Task

    sup, insp, officer = await gql.as_("supervisor"), await gql.as_("inspector"), await gql.as_("officer")
    oid = (await sup("""mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }""", {"i": {
        "clientId": str(uuid.uuid4()), "name": "简况排口", "category": "INDUSTRIAL", "riverCode": "YANGTZE",
        "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587}}}))["registerOutfall"]["id"]
    await sup(SET_STD, {"id": oid, "i": {"standard": "GB8978", "grade": "grade1"}})  # its own standard and grade
    ins = (await insp(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": oid,
                                     "observedAt": datetime.now(timezone.utc).isoformat(),
                                     "measurements": [{"parameter": "COD", "value": 150}]}}))["recordInspection"]
    task_id = ins["raisedTasks"][0]["id"]
    create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
    deadline = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    wz = (await sup(create, {"i": {"clientId": str(uuid.uuid4()), "kind": "RIVERBANK_GARBAGE", "source": "DRONE",
                                   "title": "万州岸边垃圾", "districtCode": "500101", "deadline": deadline,
                                   "location": {"lat": 30.8, "lon": 108.4}}}))["createTask"]["id"]
    sub = lambda: {"clientId": str(uuid.uuid4()), "taskId": task_id}  # noqa: E731
    s1 = (await officer(SUBMIT, {"i": {**sub(), "beforeMediaIds": [await photo(officer, client, seed=70)],
                                       "afterMediaIds": [await photo(officer, client, seed=71)]}}))
    await sup(REVIEW, {"i": {"submissionId": s1["submitRectification"]["id"], "decision": "REJECT",
                             "reason": "照片模糊"}})
    s2 = (await officer(SUBMIT, {"i": {**sub(), "beforeMediaIds": [await photo(officer, client, seed=72)],
                                       "afterMediaIds": [await photo(officer, client, seed=73)]}}))
    await sup(REVIEW, {"i": {"submissionId": s2["submitRectification"]["id"], "decision": "APPROVE"}})
    from server.domain.brief.service import day_bounds

    today = datetime.now(CST).date().isoformat()
    async with db.transaction() as s:  # the Wanzhou task is already late, and the closed one took 5 hours
        (await s.get(Task, int(wz))).deadline = datetime.now(timezone.utc) - timedelta(minutes=1)
        t = await s.get(Task, int(task_id))
        # ...or less, early in the day: it must still have been created today (China time) to count.
        took = min(timedelta(hours=5), (t.closed_at - day_bounds(datetime.now(CST).date())[0]) / 2)
        t.created_at = t.closed_at - took
    b = (await sup(Q, {"d": today}))["dailyBrief"]
    assert (b["scope"], b["scopeCode"]) == ("全市", None)
    # Codes as keys, as the stats key them; labels beside (the Markdown shows the labels).
    assert {(x["key"], x["label"]): x["count"] for x in b["newTasksByKind"]} == {
        ("EXCEEDANCE", "超标排放"): 1, ("RIVERBANK_GARBAGE", "岸边垃圾"): 1}
    assert {(x["key"], x["label"]): x["count"] for x in b["newTasksByDistrict"]} == {
        ("500103", "渝中区"): 1, ("500101", "万州区"): 1}
    assert "| 超标排放 | 1 |" in b["markdown"] and "| 万州区 | 1 |" in b["markdown"] and "500101" not in b["markdown"]
    (e,) = b["exceedances"]
    assert (e["districtCode"], e["district"]) == ("500103", "渝中区")
    assert (e["parameter"], e["value"], e["limit"], e["standard"]) == ("COD", 150, 100, "GB 8978-1996 一级")
    assert e["multiple"] == 0.5  # 超标倍数 (150 − 100) / 100 against the outfall's own standard, not 150 / 100
    assert "| 0.50 |" in b["markdown"] and "| 1.50 |" not in b["markdown"]
    assert (b["approved"], b["rejected"]) == (1, 1) and b["rejections"][0]["reason"] == "照片模糊"
    assert b["overdueByDistrict"] == [{"key": "500101", "label": "万州区", "count": 1}]
    assert b["medianHoursToClose"] == round(took.total_seconds() / 3600, 2)
    assert b["markdown"].startswith(f"# 水环境每日简况 {today}") and "照片模糊" in b["markdown"]
    assert b["html"].startswith("<!doctype html>") and '<meta charset="utf-8">' in b["html"] and "万州区" in b["html"]
    # A district officer sees the own district only.
    mine = (await officer(Q, {"d": today}))["dailyBrief"]
    assert (mine["scope"], mine["scopeCode"]) == ("渝中区", "500103") and mine["overdueByDistrict"] == []
    assert {x["key"] for x in mine["newTasksByDistrict"]} == {"500103"}
    other = (await (await gql.as_("officer2"))(Q, {"d": today}))["dailyBrief"]
    assert other["exceedances"] == [] and other["approved"] == 0
    # Yesterday is empty.
    y = (await sup(Q, {"d": (datetime.now(CST).date() - timedelta(days=1)).isoformat()}))["dailyBrief"]
    assert y["newTasksByKind"] == [] and y["medianHoursToClose"] is None


def test_cli(tmp_path):
    import os

    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(tmp_path)}
    env.pop("OUTFALLWATCH_DATABASE_URL", None)
    run = lambda *a: subprocess.run([sys.executable, "-m", "server.cli", *a], capture_output=True, text=True,  # noqa
                                    env=env, timeout=120)
    assert run("migrate").returncode == 0
    r = run("brief", "--date", "2026-11-25", "--format", "html", "-o", str(tmp_path / "b.html"))
    assert r.returncode == 0, r.stderr
    assert "水环境每日简况 2026-11-25" in (tmp_path / "b.html").read_text(encoding="utf-8")
    r = run("brief", "--date", "2026-11-25")
    assert r.returncode == 0 and r.stdout.startswith("# 水环境每日简况 2026-11-25（全市）")
    r = run("brief", "--date", "25/11/2026")
    assert r.returncode == 1 and r.stderr.strip() == "error: --date '25/11/2026' is not a date (YYYY-MM-DD)"


BRIEF_MD = """query($d: Date!) { dailyBrief(date: $d) { markdown html
  exceedances { outfallCode parameter value limit standard multiple sampleType basis method }
  assessment { targetCompletionRate districts { districtCode due completed onTime } } } }"""


def _section(md: str, title: str) -> list[str]:
    """The table rows (header excluded) of the Markdown section whose heading starts with `title`."""
    lines = md.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith(f"## {title}"))
    rows = []
    for line in lines[i + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("| "):
            rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows[1:]


async def test_exceedances_by_their_own_standard_and_the_assessment_in_markdown_and_html(gql, users, db, settings):
    """The brief's text says what each exceedance was judged against (effluent by the outfall's standard,
    river water by the receiving water's target; kit = screening), 超标倍数 = (C − limit)/limit, and the
    district assessment with no pass/fail while the city's targets are unset."""
    from sqlalchemy import update

    from server.domain.actor import Actor
    from server.domain.brief import daily_brief, to_html, to_markdown
    from server.domain.tasks.models import Task

    sup, insp = await gql.as_("supervisor"), await gql.as_("inspector")
    reg = """mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id code } }"""
    o = (await sup(reg, {"i": {"clientId": str(uuid.uuid4()), "name": "考核排口", "category": "INDUSTRIAL",
                               "riverCode": "YANGTZE", "districtCode": "500103",
                               "location": {"lat": 29.5647, "lon": 106.587}}}))["registerOutfall"]
    await sup(SET_STD, {"id": o["id"], "i": {"standard": "GB8978", "grade": "grade1"}})
    now = datetime.now(timezone.utc)
    await insp(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": o["id"], "observedAt": now.isoformat(),
                              "measurements": [
                                  {"parameter": "COD", "value": 150},  # effluent, GB 8978 grade 1: 100
                                  {"parameter": "COD", "value": 30, "sampleType": "DOWNSTREAM"},  # class II: 15
                                  {"parameter": "NH3_N", "value": 30, "method": "LAB"}]}})  # grade 1: 15
    today = datetime.now(CST).date()
    # Tasks due this month: one done on time, one still open (the EXCEEDANCE tasks just raised are due later).
    due = datetime.combine(today, datetime.min.time(), tzinfo=CST) + timedelta(hours=1)
    create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
    ids = [int((await sup(create, {"i": {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL",
                                         "title": "考核任务", "districtCode": "500101",
                                         "deadline": (now + timedelta(days=1)).isoformat()}}))["createTask"]["id"])
           for _ in range(2)]
    async with db.transaction() as s:  # due early today (China time)
        await s.execute(update(Task).where(Task.id.in_(ids)).values(deadline=due))
        await s.execute(update(Task).where(Task.id == ids[0]).values(status="APPROVED",
                                                                      closed_at=due - timedelta(minutes=30)))
    b = (await sup(BRIEF_MD, {"d": today.isoformat()}))["dailyBrief"]
    got = {(e["parameter"], e["sampleType"]): e for e in b["exceedances"] if e["outfallCode"] == o["code"]}
    assert {k: (e["limit"], e["standard"], e["multiple"], e["basis"], e["method"]) for k, e in got.items()} == {
        ("COD", "EFFLUENT"): (100, "GB 8978-1996 一级", 0.5, "DISCHARGE", "KIT"),
        ("COD", "DOWNSTREAM"): (15, "GB 3838-2002 II", 1.0, "RECEIVING_WATER", "KIT"),
        ("NH3_N", "EFFLUENT"): (15, "GB 8978-1996 一级", 1.0, "DISCHARGE", "LAB")}
    rows = {(r[3], r[2]): r for r in _section(b["markdown"], "超标情况") if r[0].startswith(o["code"])}
    assert rows[("COD", "排口出水")][4:] == ["150 mg/L", "100", "GB 8978-1996 一级", "排放标准", "现场快检（初筛）", "0.50"]
    assert rows[("COD", "下游河水")][4:] == ["30 mg/L", "15", "GB 3838-2002 II", "受纳水体目标", "现场快检（初筛）", "1.00"]
    assert rows[("NH3_N", "排口出水")][-2:] == ["实验室检测（确认）", "1.00"]
    assert "超标倍数 = (C − 限值)/限值" in b["markdown"]
    # The assessment: Wanzhou 2 due, 1 done on time; targets unset, so neither rate is judged.
    assert b["assessment"]["targetCompletionRate"] is None
    (wz,) = [r for r in _section(b["markdown"], "区县考核") if r[0] == "万州区"]
    assert wz == ["万州区", "2", "1", "1", "50.0%", "50.0%", "不评定", "不评定"]
    assert "目标：完成率 未设定，按期完成率 未设定" in b["markdown"] and "不评定" in b["html"]
    assert "<td>万州区</td><td>2</td><td>1</td><td>1</td><td>50.0%</td>" in b["html"]
    # With the city's targets set the brief says which district meets them.
    async with db.session() as s:
        actor = Actor(user_id=users["supervisor"], username="supervisor", role="SUPERVISOR", district_code=None)
        brief = await daily_brief(session=s, actor=actor, day=today,
                                  settings=settings.with_(target_completion_rate=0.5, target_on_time_rate=0.9))
    md = to_markdown(brief)
    (wz,) = [r for r in _section(md, "区县考核") if r[0] == "万州区"]
    assert wz[-2:] == ["达标", "未达标"] and "目标：完成率 50.0%，按期完成率 90.0%" in md
    assert "<td>达标</td><td>未达标</td>" in to_html(brief)
