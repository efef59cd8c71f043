"""The floor: the map page (a), an outfall's detail (b) and an officer's task list (c) with direct SQL,
encoded with json.dumps.

No GraphQL, no ORM, no auth: what serving the same bytes over HTTP costs at the least in Python.
    OUTFALLWATCH_BENCH_PG=postgresql://... uvicorn bench.floor_server:app --port 8101
    GET /map?bbox=S,W,N,E&first=500   GET /detail?id=N   GET /tasks?district=500103&first=50
"""
from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime, timezone

import asyncpg
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

MAP_SQL = """
WITH box AS MATERIALIZED (
  SELECT id FROM outfalls WHERE lat BETWEEN $1 AND $3 AND lon BETWEEN $2 AND $4 ORDER BY id LIMIT $5)
SELECT o.id, o.code, o.name, o.category, o.phase, o.lat, o.lon, d.code AS dcode, d.name AS dname,
       r.code AS rcode, r.name AS rname, li.observed_at, li.flowing
FROM box JOIN outfalls o USING (id)
JOIN districts d ON d.code = o.district_code JOIN rivers r ON r.code = o.river_code
LEFT JOIN LATERAL (SELECT observed_at, flowing FROM inspections i WHERE i.outfall_id = o.id
                   ORDER BY observed_at DESC LIMIT 1) li ON true
ORDER BY o.id"""

DETAIL_OUTFALL = """SELECT o.id, o.code, o.name, o.category, o.phase, o.lat, o.lon, d.code AS dcode, d.name AS dname,
       r.code AS rcode, r.name AS rname FROM outfalls o JOIN districts d ON d.code = o.district_code
       JOIN rivers r ON r.code = o.river_code WHERE o.id = $1"""
DETAIL_INSPECTIONS = """SELECT id, observed_at, flowing, note FROM inspections WHERE outfall_id = $1
       ORDER BY observed_at DESC, id DESC LIMIT $2"""
DETAIL_MEASUREMENTS = """SELECT inspection_id, parameter, value, unit, "limit", exceeded FROM measurements
       WHERE inspection_id = ANY($1::int[]) ORDER BY id"""
DETAIL_MEDIA = """SELECT owner_id, id, sha256, width, height, taken_at FROM media
       WHERE owner_type = 'inspection' AND owner_id = ANY($1::int[]) ORDER BY id"""

# (c): a district's 50 tasks by deadline with the outfall and the latest submission (its checks and
# review), one statement. The district is a parameter: the floor does no auth, so it is told the
# officer's district instead of finding it out.
TASKS_SQL = """
SELECT t.id, t.code, t.kind, t.status, t.deadline, o.code AS ocode, o.name AS oname,
       s.submitted_at, s.status AS sstatus, s.checks, s.decision, s.reason
FROM (SELECT * FROM tasks WHERE district_code = $1 ORDER BY deadline, id LIMIT $2) t
LEFT JOIN outfalls o ON o.id = t.outfall_id
LEFT JOIN LATERAL (SELECT submitted_at, status, checks, decision, reason FROM submissions
                   WHERE task_id = t.id ORDER BY id DESC LIMIT 1) s ON true
ORDER BY t.deadline, t.id"""
OPEN_STATES = ("OPEN", "IN_PROGRESS", "SUBMITTED", "REJECTED")

pool: asyncpg.Pool | None = None


@contextlib.asynccontextmanager
async def lifespan(app):
    global pool
    pool = await asyncpg.create_pool(os.environ["OUTFALLWATCH_BENCH_PG"], min_size=2, max_size=16)
    yield
    await pool.close()


def _json(data) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode(),
                    media_type="application/json")


async def map_page(request):
    q = request.query_params
    s, w, n, e = (float(x) for x in q["bbox"].split(","))
    first = int(q.get("first", 500))
    async with pool.acquire() as c:
        rows = await c.fetch(MAP_SQL, s, w, n, e, first)
    return _json({"outfalls": [{
        "id": str(r["id"]), "code": r["code"], "name": r["name"], "category": r["category"], "phase": r["phase"],
        "location": {"lat": r["lat"], "lon": r["lon"]},
        "district": {"code": r["dcode"], "name": r["dname"]}, "river": {"code": r["rcode"], "name": r["rname"]},
        "latestInspection": None if r["observed_at"] is None else {
            "observedAt": r["observed_at"].isoformat(), "flowing": r["flowing"]}} for r in rows]})


async def detail(request):
    oid = int(request.query_params["id"])
    async with pool.acquire() as c:
        o = await c.fetchrow(DETAIL_OUTFALL, oid)
        ins = await c.fetch(DETAIL_INSPECTIONS, oid, 20)
        ids = [i["id"] for i in ins]
        ms = await c.fetch(DETAIL_MEASUREMENTS, ids)
        md = await c.fetch(DETAIL_MEDIA, ids)
    by_i: dict[int, list] = {i: [] for i in ids}
    for m in ms:
        by_i[m["inspection_id"]].append({"parameter": m["parameter"], "value": m["value"], "unit": m["unit"],
                                         "limit": m["limit"], "exceeded": m["exceeded"]})
    media: dict[int, list] = {i: [] for i in ids}
    for m in md:
        media[m["owner_id"]].append({"id": str(m["id"]), "sha256": m["sha256"], "width": m["width"],
                                     "height": m["height"],
                                     "takenAt": m["taken_at"].isoformat() if m["taken_at"] else None})
    return _json({"outfall": {
        "id": str(o["id"]), "code": o["code"], "name": o["name"], "category": o["category"], "phase": o["phase"],
        "location": {"lat": o["lat"], "lon": o["lon"]},
        "district": {"code": o["dcode"], "name": o["dname"]}, "river": {"code": o["rcode"], "name": o["rname"]},
        "inspections": [{"observedAt": i["observed_at"].isoformat(), "flowing": i["flowing"], "note": i["note"],
                         "measurements": by_i[i["id"]], "media": media[i["id"]]} for i in ins]}})


async def tasks(request):
    q = request.query_params
    async with pool.acquire() as c:
        rows = await c.fetch(TASKS_SQL, q["district"], int(q.get("first", 50)))
    now = datetime.now(timezone.utc)

    def submission(r):
        if r["submitted_at"] is None:
            return None
        checks = json.loads(r["checks"]) if isinstance(r["checks"], str) else r["checks"]
        return {"submittedAt": r["submitted_at"].isoformat(), "status": r["sstatus"],
                "checks": [{"code": c["code"], "severity": c["severity"], "message": f'{c["zh"]} / {c["en"]}'}
                           for c in checks or []],
                "review": {"decision": r["decision"], "reason": r["reason"]} if r["decision"] else None}

    return _json({"tasks": [{
        "code": r["code"], "kind": r["kind"], "status": r["status"], "deadline": r["deadline"].isoformat(),
        "isOverdue": r["status"] in OPEN_STATES and r["deadline"] < now,
        "outfall": {"code": r["ocode"], "name": r["oname"]} if r["ocode"] is not None else None,
        "latestSubmission": submission(r)} for r in rows]})


app = Starlette(routes=[Route("/map", map_page), Route("/detail", detail), Route("/tasks", tasks)], lifespan=lifespan)
