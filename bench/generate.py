"""City-scale data into PostgreSQL: 60k outfalls, 1M inspections, 3M measurements, 200k tasks, 2M media.

    python bench/generate.py [--url postgresql://postgres@127.0.0.1:5432/outfallwatch_bench] [--scale 1.0]

Drops and recreates the database, migrates it to head with the project's own migrations, then
fills it with COPY (asyncpg). Secondary indexes are dropped before each big table is loaded and
rebuilt after: one sorted build is several times cheaper than 3M index inserts. Deterministic
(seeded), so two machines generate the same rows.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.demo.rivers import COURSES  # noqa: E402
from server.demo.seed import DEMO_USERS, demo_password, district_codes_by_name  # noqa: E402
from server.domain.outfalls.models import CATEGORIES, PHASES, REMEDIATIONS, WATER_CLASSES  # noqa: E402
from server.domain.standards import judge  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/outfallwatch_bench"
N = dict(outfalls=60_000, inspections=1_000_000, measurements_per=3, tasks=200_000, media=2_000_000)
PARAMS = ("COD", "NH3_N", "TP", "PH", "DO", "TURBIDITY")
TYPICAL = {"COD": (8, 60), "NH3_N": (0.1, 4.0), "TP": (0.02, 0.8), "PH": (6.2, 8.8), "DO": (2.0, 9.0),
           "TURBIDITY": (1, 80)}
KINDS = ("ILLEGAL_DISCHARGE", "EXCEEDANCE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD",
         "OUTFALL_REMEDIATION", "OTHER")
SOURCES = ("INSPECTION", "SAMPLE_EXCEEDANCE", "VIDEO_AI", "DRONE", "MANUAL")
CHUNK = 50_000
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)  # fixed, so runs are comparable


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def sqlalchemy_url(url: str) -> str:
    return asyncpg_url(url).replace("postgresql://", "postgresql+asyncpg://", 1)


async def recreate(url: str) -> None:
    base, _, name = asyncpg_url(url).rpartition("/")
    conn = await asyncpg.connect(base + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def migrate(url: str) -> None:
    from server.migrate import prepare

    await prepare(sqlalchemy_url(url))


class Loader:
    """COPY in chunks with the table's secondary indexes dropped meanwhile."""

    def __init__(self, conn: asyncpg.Connection, table: str, columns: tuple[str, ...], total: int):
        self.conn, self.table, self.columns = conn, table, columns
        self.bar = tqdm(total=total, desc=f"{table:<12}", unit="row", unit_scale=True, mininterval=1.0)
        self.indexes: list[tuple[str, str]] = []

    async def __aenter__(self):
        rows = await self.conn.fetch(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               WHERE i.tablename = $1 AND i.schemaname = 'public'
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", self.table)
        self.indexes = [(r["indexname"], r["indexdef"]) for r in rows]
        for name, _ in self.indexes:
            await self.conn.execute(f'DROP INDEX "{name}"')
        return self

    async def copy(self, rows: list[tuple]) -> None:
        await self.conn.copy_records_to_table(self.table, records=rows, columns=self.columns)
        self.bar.update(len(rows))

    async def __aexit__(self, *exc):
        self.bar.close()
        for _, ddl in self.indexes:
            await self.conn.execute(ddl)
        await self.conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {self.table}), 1))")


def points_along_rivers(n: int, rng: random.Random):
    """n points along the demo river courses, weighted by length, 30-600 m off either bank."""
    codes = district_codes_by_name()
    segs = []
    for river, course in COURSES.items():
        for a, b in zip(course, course[1:]):
            segs.append((river, a, b, math.dist(a[:2], b[:2])))
    total = sum(s[3] for s in segs)
    cum, acc = [], 0.0
    for s in segs:
        acc += s[3]
        cum.append(acc)
    import bisect

    for _ in range(n):
        t = rng.random() * total
        k = min(bisect.bisect_left(cum, t), len(segs) - 1)
        river, a, b, L = segs[k]
        f = 1 - (cum[k] - t) / L if L else 0
        lat, lon = a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f
        dx, dy = b[1] - a[1], b[0] - a[0]
        norm = math.hypot(dx, dy) or 1
        off = rng.choice((-1, 1)) * rng.uniform(30, 600) / 111_000
        yield river, codes[(a if f < 0.5 else b)[2]], round(lat + dx / norm * off, 6), round(lon - dy / norm * off, 6)


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


async def generate(url: str, scale: float, seed: int = 2026) -> dict:
    rng = random.Random(seed)
    n = {k: max(1, int(v * scale)) if k != "measurements_per" else v for k, v in N.items()}
    t0 = time.perf_counter()
    await recreate(url)
    await migrate(url)
    conn = await asyncpg.connect(asyncpg_url(url))
    await conn.execute("SET synchronous_commit = off")
    timings = {}

    # Users: the demo accounts (so the benchmarks can sign in) plus an inspector and an officer per district.
    from argon2 import PasswordHasher

    ph = PasswordHasher()
    codes = district_codes_by_name()
    districts = sorted(codes.values())
    users = [(u, role, codes[d] if d else None, display, ph.hash(demo_password(u))) for u, role, d, display in DEMO_USERS]
    shared = ph.hash("bench-password")
    for d in districts:
        users += [(f"insp{d}", "INSPECTOR", d, f"巡查员{d}", shared), (f"off{d}", "DISTRICT_OFFICER", d, f"区县专员{d}", shared)]
    await conn.executemany(
        "INSERT INTO users (username, role, district_code, display_name, password_hash, token_version, active, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, true, $6, $6)", [(*u[:4], u[4], NOW) for u in users])
    uids = {r["username"]: r["id"] for r in await conn.fetch("SELECT id, username FROM users")}
    inspectors = {d: uids[f"insp{d}"] for d in districts}
    officers = {d: uids[f"off{d}"] for d in districts}
    supervisor = uids["supervisor"]
    # The demo inspector and officer (渝中区 500103) do the district's share of the work.
    inspectors["500103"], officers["500103"] = uids["inspector"], uids["officer"]

    # Outfalls.
    t = time.perf_counter()
    cols = ("id", "code", "name", "category", "subtype", "river_code", "district_code", "lat", "lon", "accuracy_m",
            "water_class", "phase", "remediation", "status", "responsible_unit", "signboard_installed",
            "created_at", "updated_at", "version")
    outfalls = []  # (id, district, category, water_class)
    seq: dict[str, int] = {}
    async with Loader(conn, "outfalls", cols, n["outfalls"]) as load:
        rows = []
        for i, (river, d, lat, lon) in enumerate(points_along_rivers(n["outfalls"], rng), start=1):
            seq[d] = seq.get(d, 0) + 1
            cat = rng.choices(CATEGORIES, weights=(3, 1, 2, 4))[0]
            wc = rng.choice(WATER_CLASSES[1:4])
            phase = rng.choices(PHASES, weights=(5, 3, 2, 1))[0]
            created = NOW - timedelta(days=rng.uniform(30, 900))
            rows.append((i, f"{d}-{seq[d]:05d}", f"排口{d}-{seq[d]:05d}", cat, None, river, d, lat, lon,
                         rng.choice((3.0, 5.0, 8.0)), wc, phase,
                         rng.choice(REMEDIATIONS) if phase == "REMEDIATED" else None,
                         "CLOSED" if rng.random() < 0.03 else "ACTIVE",
                         f"责任单位{i % 997}" if phase in ("TRACED", "REMEDIATED") else None,
                         rng.random() < 0.6, created, created, 1))
            outfalls.append((i, d, cat, wc))
            if len(rows) >= CHUNK:
                await load.copy(rows)
                rows = []
        if rows:
            await load.copy(rows)
    await conn.executemany("INSERT INTO outfall_code_counters (district_code, last) VALUES ($1, $2)",
                           list(seq.items()))
    timings["outfalls"] = time.perf_counter() - t

    # Inspections and their measurements, judged once per (parameter, category, water class) and value band.
    t = time.perf_counter()
    rules: dict = {}

    def judged(p: str, v: float, cat: str, wc: str):
        key = (p, cat, wc)
        if key not in rules:
            j = judge(p, TYPICAL[p][0], category=cat, water_class=wc)
            rules[key] = (j.unit, j.limit, j.limit_low, j.standard)
        unit, lim, low, std = rules[key]
        exceeded = (lim is not None and v > lim) or (low is not None and v < low)
        return unit, lim, low, std, exceeded, (round(v / lim, 3) if lim else None)

    icols = ("id", "client_id", "request_hash", "outfall_id", "inspector_id", "district_code", "observed_at",
             "received_at", "lat", "lon", "accuracy_m", "flowing", "note", "updated_at")
    mcols = ("id", "inspection_id", "parameter", "value", "unit", "limit", "limit_low", "standard", "exceeded",
             "exceedance_ratio")
    per = n["measurements_per"]
    inspections = []  # (id, district, inspector) for media
    mid = 0
    async with Loader(conn, "inspections", icols, n["inspections"]) as li, \
            Loader(conn, "measurements", mcols, n["inspections"] * per) as lm:
        irows, mrows = [], []
        for i in range(1, n["inspections"] + 1):
            oid, d, cat, wc = outfalls[rng.randrange(len(outfalls))]
            at = NOW - timedelta(seconds=rng.uniform(0, 730 * 86400))
            received = at + timedelta(minutes=rng.uniform(1, 600))
            irows.append((i, uid(rng), "bench", oid, inspectors[d], d, at, received,
                          None, None, None, rng.random() < 0.7, None, received))
            inspections.append((i, d, inspectors[d]))
            for p in rng.sample(PARAMS, per):
                lo, hi = TYPICAL[p]
                v = round(rng.uniform(lo, hi * 1.3), 3)
                mid += 1
                mrows.append((mid, i, p, v, *judged(p, v, cat, wc)))
            if len(irows) >= CHUNK:
                await li.copy(irows)
                await lm.copy(mrows)
                irows, mrows = [], []
        if irows:
            await li.copy(irows)
            await lm.copy(mrows)
    timings["inspections+measurements"] = time.perf_counter() - t

    # Tasks with submissions (evidence checks, reviews) and a CREATED event each.
    t = time.perf_counter()
    tcols = ("id", "code", "client_id", "kind", "source", "status", "title", "district_code", "outfall_id", "lat",
             "lon", "deadline", "created_by_id", "created_at", "updated_at", "closed_at", "overdue_at", "version")
    scols = ("id", "client_id", "request_hash", "task_id", "submitted_by_id", "submitted_at", "note", "status",
             "checks", "decision", "reason", "reviewer_id", "reviewed_at", "updated_at")
    ecols = ("id", "task_id", "type", "district_code", "actor_id", "at", "detail")
    checks_ok = "[]"  # checks list only what is wrong
    checks_bad = json.dumps([{"code": "FAR_FROM_SITE", "severity": "WARNING", "zh": "照片位置距现场 1.8 公里",
                              "en": "photo taken 1.8 km from the site"}], ensure_ascii=False)
    submissions = []  # (id, district, officer)
    sid = 0
    tseq: dict[str, int] = {}
    async with Loader(conn, "tasks", tcols, n["tasks"]) as lt, Loader(conn, "submissions", scols, 0) as ls, \
            Loader(conn, "task_events", ecols, n["tasks"]) as le:
        trows, srows, erows = [], [], []
        for i in range(1, n["tasks"] + 1):
            oid, d, cat, wc = outfalls[rng.randrange(len(outfalls))]
            created = NOW - timedelta(days=rng.uniform(0, 700))
            deadline = created + timedelta(days=rng.choice((3, 7, 15, 30)))
            status = rng.choices(("OPEN", "IN_PROGRESS", "SUBMITTED", "REJECTED", "APPROVED", "CANCELLED"),
                                 weights=(10, 10, 8, 4, 60, 8))[0]
            tseq[d] = tseq.get(d, 0) + 1
            closed = created + timedelta(days=rng.uniform(1, 30)) if status in ("APPROVED", "CANCELLED") else None
            overdue = deadline if (closed or NOW) > deadline else None
            trows.append((i, f"T{d}-{tseq[d]:06d}", None, rng.choice(KINDS), rng.choice(SOURCES), status,
                          f"{d} 排口问题 {i}", d, oid, None, None, deadline, supervisor, created, closed or created,
                          closed, overdue, 1))
            erows.append((i, i, "CREATED", d, supervisor, created, "{}"))
            if status in ("SUBMITTED", "REJECTED", "APPROVED"):
                rounds = 2 if status == "REJECTED" or (status == "APPROVED" and rng.random() < 0.2) else 1
                for r in range(rounds):
                    sid += 1
                    sub_at = created + timedelta(days=r + rng.uniform(0.5, 5))
                    final = r == rounds - 1
                    if status == "SUBMITTED" and final:
                        decision, st, rev_at = None, "PENDING_REVIEW", None
                    elif status == "APPROVED" and final:
                        decision, st, rev_at = "APPROVE", "APPROVED", sub_at + timedelta(hours=6)
                    else:
                        decision, st, rev_at = "REJECT", "REJECTED", sub_at + timedelta(hours=6)
                    srows.append((sid, uid(rng), "bench", i, officers[d], sub_at, "已整改", st,
                                  checks_bad if decision == "REJECT" else checks_ok, decision,
                                  "整改后照片位置不符" if decision == "REJECT" else None,
                                  supervisor if decision else None, rev_at, rev_at or sub_at))
                    submissions.append((sid, d, officers[d]))
            if len(trows) >= CHUNK:
                await lt.copy(trows)
                await ls.copy(srows)
                await le.copy(erows)
                trows, srows, erows = [], [], []
        if trows:
            await lt.copy(trows)
            await ls.copy(srows)
            await le.copy(erows)
    timings["tasks+submissions"] = time.perf_counter() - t

    # Media: before/after photos for every submission; the rest are inspection photos, two each.
    t = time.perf_counter()
    mcols = ("id", "client_id", "request_hash", "uploader_id", "district_code", "kind", "role", "status", "filename",
             "content_type", "size_bytes", "sha256", "key", "display_key", "thumb_key", "width", "height",
             "taken_at", "taken_at_naive", "phash", "ph0", "ph1", "ph2", "ph3", "checks", "owner_type", "owner_id",
             "slot", "expires_at", "created_at", "completed_at", "updated_at")
    owners = []
    for s_id, d, off in submissions:
        owners += [("submission", s_id, d, off, "BEFORE"), ("submission", s_id, d, off, "AFTER")]
    need = max(0, n["media"] - len(owners))
    k = 0
    while need > 0 and k < len(inspections):
        i_id, d, insp = inspections[k]
        for _ in range(min(2, need)):
            owners.append(("inspection", i_id, d, insp, "GENERAL"))
            need -= 1
        k += 1
    async with Loader(conn, "media", mcols, len(owners)) as lmed:
        rows = []
        for m_id, (otype, oid, d, who, role) in enumerate(owners, start=1):
            digest = hashlib.sha256(m_id.to_bytes(8, "little")).hexdigest()
            ph = rng.getrandbits(64)
            key = f"media/{d}/{digest[:2]}/{digest}"
            at = NOW - timedelta(days=rng.uniform(0, 700))
            rows.append((m_id, uid(rng), "bench", who, d, "PHOTO", role, "READY", "IMG.jpg", "image/jpeg",
                         rng.randrange(300_000, 4_000_000), digest, key + "/original", key + "/display",
                         key + "/thumb", 4000, 3000, at, False, f"{ph:016x}", ph >> 48, (ph >> 32) & 0xFFFF,
                         (ph >> 16) & 0xFFFF, ph & 0xFFFF, "[]", otype, oid,
                         role.lower() if otype == "submission" else None, at + timedelta(hours=1), at, at, at))
            if len(rows) >= CHUNK:
                await lmed.copy(rows)
                rows = []
        if rows:
            await lmed.copy(rows)
    timings["media"] = time.perf_counter() - t

    t = time.perf_counter()
    await conn.execute("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - t
    counts = {tbl: await conn.fetchval(f"SELECT count(*) FROM {tbl}") for tbl in
              ("outfalls", "inspections", "measurements", "tasks", "submissions", "media", "users")}
    await conn.close()
    timings["total"] = time.perf_counter() - t0
    return {"counts": counts, "seconds": {k: round(v, 1) for k, v in timings.items()}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL database to (re)create")
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the city-scale row counts")
    args = ap.parse_args(argv)
    out = asyncio.run(generate(args.url, args.scale))
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
