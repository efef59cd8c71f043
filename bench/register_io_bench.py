"""The register in and out at census scale: 60,000 outfalls imported from CSV and XLSX, exported as GeoJSON, CSV, XLSX.

    .venv/bin/python bench/register_io_bench.py [--rows 60000] [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Runs on SQLite (a temp file) and on PostgreSQL (a fresh database it creates and drops; skipped with a message
when the server cannot be reached). Each step runs in its own subprocess so its peak resident memory
(VmHWM) is its own; the "baseline" row is a subprocess that only imports the modules.
Target: each import and each export of 60,000 rows well under 30 s.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 30.0


# ---- the census sheet ----------------------------------------------------------------------------------------

def census(n: int, seed: int = 2026) -> list[list]:
    """n outfalls on the banks of Chongqing's rivers, in the words a district census uses (Chinese headers)."""
    from server.demo.rivers import COURSES
    from server.demo.seed import CATEGORY_SUBTYPE_PREFIX, _points_along, district_codes_by_name
    from server.domain.outfalls.labels import category_labels, subtypes
    from server.domain.outfalls.models import CATEGORIES, WATER_CLASSES
    from server.register_io.headers import COLUMNS

    rng = random.Random(seed)
    codes = district_codes_by_name()
    subs = subtypes()
    leaves = {c: [k for k in subs if k.startswith(CATEGORY_SUBTYPE_PREFIX[c]) and k.count(".") >= 1]
              for c in CATEGORIES}
    rivers = {"YANGTZE": "长江", "JIALING": "嘉陵江", "WU": "乌江", "QIJIANG": "綦江", "DANING": "大宁河",
              "FUJIANG": "涪江", "QUJIANG": "渠江"}
    weights = {r: len(c) for r, c in COURSES.items()}
    per_river = {r: int(n * w / sum(weights.values())) for r, w in weights.items()}
    per_river["YANGTZE"] += n - sum(per_river.values())
    seq: dict[str, int] = {}
    rows = [[c.header for c in COLUMNS[:11]]]
    for river, k in per_river.items():
        for lat, lon, dname in _points_along(COURSES[river], k, rng):
            dcode = codes[dname]
            seq[dcode] = seq.get(dcode, 0) + 1
            cat = rng.choice(CATEGORIES)
            sub = rng.choice(leaves[cat]) if leaves[cat] and rng.random() < 0.8 else ""
            label = subs[sub] if sub else "排口"
            rows.append([f"{dcode}-{seq[dcode]:05d}", f"{dname}{rivers[river]}{label}{seq[dcode]}号",
                         category_labels()[cat], sub, rivers[river], dname if rng.random() < 0.5 else dcode,
                         round(lon, 6), round(lat, 6), rng.choice(("", *WATER_CLASSES[1:4])),
                         rng.choice(("", "", f"重庆{dname}某某实业有限公司", f"{dname}水务局")),
                         "是" if rng.random() < 0.6 else "否"])
    return rows


def write_sheets(rows: list[list], folder: Path) -> tuple[Path, Path, Path]:
    """The census as CSV and XLSX, and a CSV where every outfall's name was revised (an import that updates all)."""
    from openpyxl import Workbook

    csv_path, xlsx_path, revised = folder / "census.csv", folder / "census.xlsx", folder / "revised.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    with revised.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([rows[0], *([r[0], r[1] + "（复核）", *r[2:]] for r in rows[1:])])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("排污口名录")
    for r in rows:
        ws.append(r)
    wb.save(xlsx_path)
    return csv_path, xlsx_path, revised


# ---- one step, in its own process ----------------------------------------------------------------------------

async def _step(step: str, url: str, arg: str) -> dict:
    from sqlalchemy import delete

    from server.db import Database
    from server.domain.outfalls.models import Outfall, OutfallCodeCounter
    from server.domain.outfalls.service import OutfallFilter
    from server.register_io import exporter
    from server.register_io.importer import import_outfalls

    db = Database(url)
    try:
        if step == "baseline":
            return {}
        if step == "clear":
            async with db.transaction() as s:
                await s.execute(delete(Outfall))
                await s.execute(delete(OutfallCodeCounter))
            return {}
        if step == "import":
            r = await import_outfalls(db=db, path=Path(arg), actor_name="bench")
            assert not r.bad, r.bad[:5]
            return {"result": r.counts}
        fmt = step.removeprefix("export-")
        body = {"geojson": lambda: exporter.outfalls_geojson(db, OutfallFilter()),
                "csv": lambda: exporter.outfalls_csv(db, OutfallFilter()),
                "xlsx": lambda: exporter.outfalls_xlsx(db, OutfallFilter())}[fmt]()
        n = 0
        with open(arg, "wb") as f:
            async for chunk in body:
                n += len(chunk)
                f.write(chunk)
        return {"result": f"{n / 1e6:.1f} MB"}
    finally:
        await db.dispose()


def peak_rss_mb() -> float:
    """This process's own peak RSS. Not ru_maxrss: Linux carries that over fork and exec from the parent."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1024)


def child(step: str, url: str, arg: str) -> None:
    t = time.perf_counter()
    out = asyncio.run(_step(step, url, arg))
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = peak_rss_mb()
    print(json.dumps(out))


def run_step(step: str, url: str, arg: str = "") -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", step, url, arg], capture_output=True, text=True,
                       cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- databases -----------------------------------------------------------------------------------------------

async def _prepare(url: str) -> None:
    from server.migrate import prepare

    await prepare(url)


async def _pg_admin(admin_url: str, sql: str) -> None:
    from sqlalchemy import text

    from server.db import Database

    db = Database(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with db.engine.connect() as c:
            await c.execute(text(sql))
    finally:
        await db.dispose()


def bench_backend(name: str, url: str, sheets: tuple[Path, Path, Path], work: Path) -> list[tuple]:
    csv_path, xlsx_path, revised = sheets
    asyncio.run(_prepare(url))
    steps = [("baseline (modules only)", "baseline", ""),
             ("import CSV", "import", str(csv_path)),
             ("import CSV again (no-op)", "import", str(csv_path)),
             ("import CSV, every row revised", "import", str(revised)),
             (None, "clear", ""),
             ("import XLSX", "import", str(xlsx_path)),
             ("export GeoJSON", "export-geojson", str(work / f"{name}.geojson")),
             ("export CSV", "export-csv", str(work / f"{name}.csv")),
             ("export XLSX", "export-xlsx", str(work / f"{name}.xlsx"))]
    out = []
    for label, step, arg in steps:
        r = run_step(step, url, arg)
        if label:
            out.append((name, label, r["seconds"], r["peak_mb"], r.get("result", "")))
            print(f"  {name:<10} {label:<30} {r['seconds']:7.2f} s  {r['peak_mb']:7.0f} MB  {r.get('result', '')}",
                  flush=True)
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(*sys.argv[2:5])
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=60_000)
    p.add_argument("--pg", default=os.environ.get("OUTFALLWATCH_BENCH_PG_ADMIN",
                                                  "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
                   help="an admin URL of the PostgreSQL server; the bench creates and drops its own database")
    args = p.parse_args()
    from sqlalchemy.engine import make_url

    with tempfile.TemporaryDirectory(prefix="rio-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        sheets = write_sheets(census(args.rows), work)
        csv_path, xlsx_path = sheets[:2]
        print(f"census sheet: {args.rows} rows, CSV {csv_path.stat().st_size / 1e6:.1f} MB, "
              f"XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - t:.1f} s to generate)")
        results = bench_backend("sqlite", f"sqlite+aiosqlite:///{work / 'bench.db'}", sheets, work)
        name = f"rio_bench_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(_pg_admin(args.pg, f'CREATE DATABASE "{name}"'))
        except Exception as e:  # noqa: BLE001 - any failure to reach the server means: no PostgreSQL run
            print(f"PostgreSQL skipped: cannot create a database at {args.pg} ({type(e).__name__}: {e})")
        else:
            try:
                results += bench_backend("postgres", str(make_url(args.pg).set(database=name)), sheets, work)
            finally:
                asyncio.run(_pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    slow = [(b, label, s) for b, label, s, _, _ in results if s > TARGET_S and "baseline" not in label]
    print("all steps under 30 s" if not slow else f"over {TARGET_S:.0f} s: {slow}")


if __name__ == "__main__":
    main()
