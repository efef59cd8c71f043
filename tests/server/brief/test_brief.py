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
