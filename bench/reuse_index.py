"""Reuse check against every stored photo of the city: p50 of find_reuse with 2,000,000 photos in PostgreSQL.

    python bench/reuse_index.py [--photos 2000000] [--local 200] [--url postgresql://postgres@127.0.0.1:5432/outfallwatch_reusebench]

Builds (once; --rebuild to redo) a database of N READY photos spread over 60,000 outfall sites in the
city's bounding box, each with a media row (perceptual-hash bands: uniform random) and a print row
(map cell). The `--local` photos around the benchmark's site carry real prints of made outfall scenes
(repeat visits of the same and of neighbouring outfalls: what a reuse check must verify one by one);
the others carry an empty print (they are never candidates unless a hash band collides, and then are
rejected at once: the benchmark slightly flatters such collisions, stated in the results).
Then times `find_reuse` (server/domain/media/reuse.py: both indexes, loading the candidates' prints,
verifying each) for doctored copies and honest visits whose prints are already stored, as after
completeUpload. Writes bench/results/reuse_index_latest.json.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITE = (29.5647, 106.5870)
ORIGINAL = "00000000-0000-4000-8000-000000000017"  # client_id of the stored original the copies are of
BBOX = (28.16, 32.20, 105.29, 110.19)  # the city's bounding box (lat, lat, lon, lon)


def _empty_print() -> bytes:
    import numpy as np

    from server.images.reuse import Features

    z = np.zeros((0, 2), np.float32)
    d = np.zeros((0, 32), np.uint8)
    g = np.zeros((12, 16), np.uint8)
    return Features((16, 12), z, d, g, Features((16, 12), z, d, g)).to_bytes()


async def build(url: str, n: int, local: int) -> None:
    import asyncpg

    from server.db import Database
    from server.domain.media.reuse import cell_of
    from server.domain.users.service import create_user
    from server.images.reuse import Features, features_of, probe_bytes
    from server.migrate import prepare
    from tests.factories import reuse_corpus as rc

    raw = url.replace("postgresql+asyncpg", "postgresql")
    name = raw.rsplit("/", 1)[1]
    admin = await asyncpg.connect(raw.rsplit("/", 1)[0] + "/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    await prepare(url)
    db = Database(url)
    async with db.transaction() as s:
        u = await create_user(session=s, username="bench", password="bench-password-1", role="SUPERVISOR",
                              district_code=None, display_name="bench")
        uid = u.id
    await db.dispose()

    rnd = random.Random(17)
    sites = [(rnd.uniform(BBOX[0], BBOX[1]), rnd.uniform(BBOX[2], BBOX[3])) for _ in range(60_000)]
    pool = [features_of(rc.photo(s, d)).to_bytes() for s in range(1, 9) for d in range(0, 5)]  # not scene 0
    empty = _empty_print()
    probes = {id(b): probe_bytes(Features.from_bytes(b)) for b in [*pool, empty]}
    now = datetime.now(timezone.utc)
    conn = await asyncpg.connect(raw)
    cols = ["id", "client_id", "request_hash", "uploader_id", "kind", "role", "status", "filename", "content_type",
            "size_bytes", "sha256", "key", "taken_at_naive", "phash", "ph0", "ph1", "ph2", "ph3", "checks",
            "expires_at", "created_at", "completed_at", "exif_lat", "exif_lon", "object_swept", "updated_at"]
    batch = 50_000
    t0 = time.time()
    for start in range(1, n + 1, batch):
        media, prints = [], []
        for i in range(start, min(n, start + batch - 1) + 1):
            if i <= local:  # the benchmark site's neighbourhood: within ~300 m
                lat, lon = SITE[0] + rnd.uniform(-0.003, 0.003), SITE[1] + rnd.uniform(-0.003, 0.003)
                data = pool[i % len(pool)]
            else:
                lat, lon = sites[i % len(sites)]
                lat, lon = lat + rnd.uniform(-0.0003, 0.0003), lon + rnd.uniform(-0.0003, 0.0003)
                data = empty
            ph = rnd.getrandbits(64)
            media.append((i, str(uuid.UUID(int=rnd.getrandbits(128))), "0" * 64, uid, "PHOTO", "GENERAL", "READY",
                          "b.jpg", "image/jpeg", 1, hashlib.sha256(str(i).encode()).hexdigest(), f"k/{i}", False,
                          f"{ph:016x}", (ph >> 48) & 0xFFFF, (ph >> 32) & 0xFFFF, (ph >> 16) & 0xFFFF, ph & 0xFFFF,
                          "[]", now + timedelta(days=1), now, now, lat, lon, False, now))
            prints.append((i, cell_of(lat, lon), data, probes[id(data)]))
        await conn.copy_records_to_table("media", records=media, columns=cols)
        await conn.copy_records_to_table("media_prints", records=prints, columns=["media_id", "cell", "data", "probe"])
        print(f"  {start + len(media) - 1:,} photos ({time.time() - t0:.0f} s)", flush=True)
    await conn.execute("SELECT setval(pg_get_serial_sequence('media', 'id'), $1)", n)
    await conn.execute("ANALYZE media")
    await conn.execute("ANALYZE media_prints")
    await conn.close()


async def run(url: str, queries: int) -> dict:
    import io

    from PIL import Image
    from sqlalchemy import text

    import server.areas  # noqa: F401 - every table's model, so the ORM resolves media's foreign keys
    from server.db import Database
    from server.domain.media.reuse import find_reuse, save_print
    from server.images.reuse import features_of
    from tests.factories import reuse_corpus as rc

    db = Database(url)
    original = rc.photo(0, 0)
    async with db.transaction() as s:
        uid = (await s.execute(text("SELECT id FROM users LIMIT 1"))).scalar()
        # One stored original however often the benchmark runs (each run would otherwise add a copy).
        orig_id = (await s.execute(text("SELECT id FROM media WHERE client_id = :c"), {"c": ORIGINAL})).scalar()
        if orig_id is None:
            orig = _media(uid, original, SITE, client_id=ORIGINAL)
            s.add(orig)
            await s.flush()
            await save_print(s, orig, features_of(original).to_bytes())
            orig_id = orig.id
    img = Image.open(io.BytesIO(original)).convert("RGB")
    cases = [(name, f(img), True) for name, f in rc.TRANSFORMS.items()]
    cases += [(f"honest_day_{d}", rc.photo(0, d), False) for d in range(1, 5)]
    cases = (cases * (queries // len(cases) + 1))[:queries]
    times, right, extract, wrong = [], 0, [], []
    stages = _Stages()
    for name, data, is_copy in cases:
        t = time.perf_counter()
        fp = features_of(data).to_bytes()
        extract.append(time.perf_counter() - t)
        async with db.session() as s:  # never committed: every query meets the same stored photos
            m = _media(uid, data, None)
            s.add(m)
            await s.flush()
            await save_print(s, m, fp)
            await s.flush()  # the print's insert is the upload's, not the search's
            with stages.query(s):
                t = time.perf_counter()
                hits = await find_reuse(s, m, places=[SITE])
                times.append(time.perf_counter() - t)
            await s.rollback()
        ok = (orig_id in {h.media_id for h in hits}) == is_copy
        right += ok
        if not ok:
            wrong.append(name)
    await db.dispose()
    times.sort()
    return {"queries": len(times), "p50_ms": round(1000 * statistics.median(times), 1),
            "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1),
            "print_p50_ms": round(1000 * statistics.median(extract), 1), "correct": right, "wrong": wrong,
            "stages_p50_ms": stages.summary()}


class _Stages:
    """Where a query's time goes: SQL statements, the turned hashes, the first look (rank), the full
    comparisons (compare, with decoding the prints), each summed per query; p50 over the queries."""
    NAMES = ("sql", "hashes", "first_look", "full_compare", "decode_prints")

    def __init__(self):
        from server.images import reuse as R

        self.runs: list[dict[str, float]] = []
        self.counts: list[dict[str, int]] = []
        for attr, name in (("orientation_phashes", "hashes"), ("rank", "first_look"), ("compare", "full_compare")):
            setattr(R, attr, self._timed(getattr(R, attr), name))
        R.Features.from_bytes = classmethod(self._timed(R.Features.from_bytes.__func__, "decode_prints"))

    def _timed(self, f, name):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                if self.runs:
                    self.runs[-1][name] += time.perf_counter() - t
                    self.counts[-1][name] += 1
        return run

    def query(self, session):
        import contextlib

        @contextlib.contextmanager
        def cm():
            self.runs.append(dict.fromkeys(self.NAMES, 0.0))
            self.counts.append(dict.fromkeys(self.NAMES, 0))
            execute = session.execute

            async def timed(*a, **k):
                t = time.perf_counter()
                try:
                    return await execute(*a, **k)
                finally:
                    self.runs[-1]["sql"] += time.perf_counter() - t
                    self.counts[-1]["sql"] += 1
            session.execute = timed
            try:
                yield
            finally:
                del session.execute
        return cm()

    def summary(self) -> dict:
        out = {n: round(1000 * statistics.median(r[n] for r in self.runs), 1) for n in self.NAMES}
        out["full_compares_per_query_p50"] = statistics.median(c["full_compare"] for c in self.counts)
        return out


def _media(uid: int, data: bytes, pos, client_id: str | None = None):
    from server.domain.media.models import Media

    now = datetime.now(timezone.utc)
    return Media(client_id=client_id or str(uuid.uuid4()), request_hash="0" * 64, uploader_id=uid, kind="PHOTO", status="READY",
                 filename="q.jpg", content_type="image/jpeg", size_bytes=len(data),
                 sha256=hashlib.sha256(data).hexdigest(), key="q", expires_at=now + timedelta(days=1),
                 exif_lat=pos[0] if pos else None, exif_lon=pos[1] if pos else None, completed_at=now)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/outfallwatch_reusebench")
    ap.add_argument("--photos", type=int, default=2_000_000)
    ap.add_argument("--local", type=int, default=200)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    from server.images.reuse import PROBE_MAGIC

    marker = ROOT / "bench" / "results" / ".reuse_index_built"
    # Rebuilt whenever the stored form of a print changes, so a rerun never measures old prints.
    built = f"{a.url} {a.photos} {a.local} {PROBE_MAGIC.decode()}"
    if a.rebuild or not marker.exists() or marker.read_text() != built:
        t = time.time()
        asyncio.run(build(a.url, a.photos, a.local))
        marker.parent.mkdir(exist_ok=True)
        marker.write_text(built)
        print(f"built in {time.time() - t:.0f} s")
    load_before = os.getloadavg()
    out = {"photos": a.photos, "local_real_prints": a.local, **asyncio.run(run(a.url, a.queries)),
           "load_before": load_before, "load": os.getloadavg(), "cpus": os.cpu_count(),
           "command": f"python bench/reuse_index.py --photos {a.photos} --local {a.local} --queries {a.queries}",
           "note": "hash bands uniform random; photos far from the site carry empty prints"}
    print(json.dumps(out, indent=2))
    (ROOT / "bench" / "results" / "reuse_index_latest.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
