"""Stations at city scale on PostgreSQL: a year of 4-hourly readings for 81 stations x 9 parameters ingested
through the API and through the CLI, the calendar and a downsampled year, tracing among 60,000 outfalls,
and the forecast backtest against persistence.

    .venv/bin/python bench/stations_bench.py [--db pg|sqlite] [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--stations 81] [--days 365] [--outfalls 60000] [--repeat 40] [--ingest-repeat 3]

Each ingest is timed --ingest-repeat times, each time into a fresh database, and the median is reported
(the runs are listed too). The API runs serve it with `outfallwatch serve` (one process, response cache
off); the last API database then serves the calendar and series queries, and the last CLI database gets
the 60,000 outfalls for tracing. Databases are dropped at the end. The load average (`uptime`) is recorded
before and after each timed phase: the machine is shared. Targets: each ingest < 30 s; calendar and
downsampled year p50 < 50 ms; tracing p50 < 50 ms. Results go to bench/results/stations_latest[_sqlite].json.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"

from bench.http_bench import free_port, wait_http  # noqa: E402

RIVERS = {"YANGTZE": 0.5, "JIALING": 0.2, "WU": 0.2, "QIJIANG": 0.04, "DANING": 0.02, "FUJIANG": 0.02, "QUJIANG": 0.02}


def admin_url(pg: str, name: str) -> str:
    return pg.rsplit("/", 1)[0] + "/" + name


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc): what a phase costs whatever the load."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def pg_backend_cpu_s(pg: str, url: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to the benchmark's database (same machine)."""
    async def pids():
        import asyncpg

        c = await asyncpg.connect(pg.replace("postgresql+asyncpg", "postgresql"))
        try:
            return [r[0] for r in await c.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1",
                                                url.rsplit("/", 1)[1])]
        finally:
            await c.close()
    total = 0.0
    for pid in asyncio.run(pids()):
        try:
            total += cpu_s(pid)
        except OSError:
            pass
    return total


def fresh_db(kind: str, pg: str, tmp: Path, name: str) -> str:
    """A new empty database of the kind benchmarked; returns its URL."""
    if kind == "sqlite":
        path = tmp / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    asyncio.run(_create_db(pg, name))
    return admin_url(pg, name)


def drop_db(kind: str, pg: str, url: str) -> None:
    if kind == "sqlite":
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    else:
        asyncio.run(_drop_db(pg, url.rsplit("/", 1)[1]))


async def _create_db(pg: str, name: str) -> None:
    import asyncpg

    c = await asyncpg.connect(pg.replace("postgresql+asyncpg", "postgresql"))
    try:
        await c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await c.execute(f'CREATE DATABASE "{name}"')
    finally:
        await c.close()


async def _drop_db(pg: str, name: str) -> None:
    import asyncpg

    c = await asyncpg.connect(pg.replace("postgresql+asyncpg", "postgresql"))
    try:
        await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await c.close()


def station_plan(n: int, rng: random.Random) -> list[dict]:
    from server.demo.rivers import COURSES
    from server.demo.seed import district_codes_by_name
    from server.domain.tracing.network import network

    net, codes = network(), district_codes_by_name()
    out = []
    per = {r: max(1, round(n * w)) for r, w in RIVERS.items()}
    per["YANGTZE"] += n - sum(per.values())
    for river, k in per.items():
        for i in range(k):
            km = (i + 0.5) / k * net.length_km(river)
            lat, lon = net.point_at(river, km)
            dname = min(COURSES[river], key=lambda p: (p[0] - lat) ** 2 + (p[1] - lon) ** 2)[2]
            out.append({"code": f"B-{river[:2]}{i:03d}", "name": f"{river}{i}", "river": river, "km": round(km, 3),
                        "lat": round(lat, 5), "lon": round(lon, 5), "district": codes[dname],
                        "target": rng.choice(["II", "III"]),
                        "base": (rng.uniform(1.6, 2.8), rng.uniform(0.1, 0.35), rng.uniform(0.04, 0.1),
                                 rng.uniform(1.2, 2.0))})
    return out


async def setup_db(url: str, plan: list[dict], outfalls: int) -> None:
    from server.db import Database
    from server.demo.seed import DEMO_USERS, demo_password, district_codes_by_name
    from server.domain.stations.models import Station
    from server.domain.users.service import create_user
    from server.migrate import prepare

    await prepare(url)
    db = Database(url)
    codes = district_codes_by_name()
    try:
        async with db.transaction() as s:
            for username, role, dname, display in DEMO_USERS:
                await create_user(session=s, username=username, password=demo_password(username), role=role,
                                  district_code=codes[dname] if dname else None, display_name=display)
            for p in plan:
                s.add(Station(code=p["code"], name=p["name"], river_code=p["river"], district_code=p["district"],
                              lat=p["lat"], lon=p["lon"], river_km=p["km"], level="MUNICIPAL",
                              target_class=p["target"]))
        if outfalls:
            await bulk_outfalls(db, outfalls)
    finally:
        await db.dispose()


async def bulk_outfalls(db, n: int) -> None:
    """n ACTIVE outfalls along the rivers (register_io_bench's census), inserted in bulk."""
    from sqlalchemy import insert

    from bench.register_io_bench import census
    from server.demo.seed import district_codes_by_name
    from server.domain.outfalls.models import Outfall
    from server.domain.sqltypes import utcnow

    rows = census(n)
    head = rows[0]
    ix = {h: i for i, h in enumerate(head)}
    names = {"长江": "YANGTZE", "嘉陵江": "JIALING", "乌江": "WU", "綦江": "QIJIANG", "大宁河": "DANING",
             "涪江": "FUJIANG", "渠江": "QUJIANG"}
    cats = {"工业排污口": "INDUSTRIAL", "城镇污水处理厂排污口": "URBAN_SEWAGE_PLANT", "农业排口": "AGRICULTURAL",
            "其他排口": "OTHER"}
    codes = district_codes_by_name()
    now = utcnow()
    rng = random.Random(9)
    batch = []

    def pick(row, *keys):
        for k in keys:
            if k in ix:
                return row[ix[k]]
        return None

    for i, r in enumerate(rows[1:]):
        river = names.get(str(pick(r, "河流", "受纳水体")), None) or rng.choice(list(names.values()))
        lat, lon = float(pick(r, "纬度")), float(pick(r, "经度"))
        dname = str(pick(r, "区县", "所在区县"))
        batch.append({"code": f"BO{i:07d}", "name": f"排口{i}", "category": cats.get(str(pick(r, "排口类型", "类别")),
                      rng.choice(list(cats.values()))), "river_code": river,
                      "district_code": codes.get(dname, "500103"), "lat": lat, "lon": lon, "phase": "SURVEYED",
                      "status": "ACTIVE", "signboard_installed": False, "created_at": now, "updated_at": now,
                      "version": 1})
    async with db.transaction() as s:
        for k in range(0, len(batch), 5000):
            await s.execute(insert(Outfall), batch[k:k + 5000])


def series_for(plan: list[dict], days: int, end) -> dict[str, dict[str, list]]:
    from server.demo.stations import simulate

    rng = random.Random(15)
    slots = days * 6
    start = end - timedelta(hours=4 * (slots - 1))
    out = {}
    for p in plan:
        sim = simulate(p["code"], p["base"], start, slots, rng, ongoing=False)
        sim.pop("_fault")
        out[p["code"]] = sim
    return {"start": start, "slots": slots, "data": out}


INGEST = "mutation($s: [ReadingSeriesInput!]!) { ingestStationReadings(series: $s) { inserted updated unchanged } }"


def run_api(kind: str, pg: str, tmp: Path, plan, sim, repeat: int, ingest_repeat: int, use_token: bool) -> dict:
    result: dict = {"api_ingest_runs_s": [], "api_ingest_load": []}
    times = [(sim["start"] + timedelta(hours=4 * i)).isoformat() for i in range(sim["slots"])]
    bodies = []
    for code, params in sim["data"].items():
        bodies.append(json.dumps({"query": INGEST, "variables": {"s": [
            {"stationCode": code, "parameter": k, "observedAt": times, "values": v} for k, v in params.items()]}}))
    result["api_request_mb"] = round(len(bodies[0]) / 1e6, 2)
    for rep in range(ingest_repeat):
        last = rep == ingest_repeat - 1
        url = fresh_db(kind, pg, tmp, "outfallwatch_stations_bench_api")
        asyncio.run(setup_db(url, plan, 0))
        port = free_port()
        env = {**os.environ, "OUTFALLWATCH_DATABASE_URL": url, "OUTFALLWATCH_BACKGROUND_JOBS": "false",
               "OUTFALLWATCH_RESPONSE_CACHE": "false", "OUTFALLWATCH_DATA_DIR": str(tmp / "api"),
               "OUTFALLWATCH_SECRET_KEY": "bench-secret-key-of-enough-length-0123456789",
               "OUTFALLWATCH_EVENTS": "memory"}
        log = open(tmp / "api.log", "w")
        proc = subprocess.Popen([str(BIN / "outfallwatch"), "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(base + "/healthz", proc, "server")
            client = httpx.Client(base_url=base, timeout=300)
            tok = client.post("/graphql", json={"query": 'mutation{login(username:"admin",password:"admin-demo")'
                                                         '{token}}'}).json()["data"]["login"]["token"]
            admin_h = {"Authorization": f"Bearer {tok}"}
            if use_token:  # the station network's system, with its readings:write API token
                made = client.post("/graphql", headers=admin_h, json={"query": 'mutation{createApiToken(name:"站网",'
                                   'username:"integrator",scopes:["readings:write"]){token}}'}).json()
                h = {"Authorization": f"Bearer {made['data']['createApiToken']['token']}"}
            else:
                h = admin_h
            result["api_auth"] = "readings:write API token" if use_token else "ADMIN session"
            before = load()
            cpu0 = cpu_s(proc.pid)
            t0 = time.perf_counter()
            inserted = 0
            for b in bodies:  # one station-year per request, as a network system would send a backfill
                r = client.post("/graphql", headers={**h, "Content-Type": "application/json"}, content=b)
                if r.status_code != 200:
                    raise SystemExit(f"ingest answered {r.status_code}: {r.text[:300]}; log: "
                                     f"{(tmp / 'api.log').read_text()[-3000:]}")
                body = r.json()
                if body.get("errors"):
                    raise SystemExit(f"ingest failed: {body['errors'][0]}")
                inserted += body["data"]["ingestStationReadings"]["inserted"]
            result["api_ingest_runs_s"].append(round(time.perf_counter() - t0, 2))
            result["api_ingest_load"].append([before, load()])
            # CPU used: the server process, and (PostgreSQL) the backends of its pool, which live as long as it.
            result.setdefault("api_ingest_server_cpu_s", []).append(round(cpu_s(proc.pid) - cpu0, 2))
            if kind == "pg":
                result.setdefault("api_ingest_pg_backend_cpu_s", []).append(round(pg_backend_cpu_s(pg, url), 2))
            result["api_values"] = inserted
            if last:
                result.update(query_bench(client, admin_h, h, bodies, plan, sim, repeat))
        finally:
            proc.terminate()
            proc.wait(10)
        if last:
            # Backtest over the ingested series (the same code the forecast field runs).
            result["backtest"] = asyncio.run(backtest_all(url, plan))
        drop_db(kind, pg, url)
    result["api_ingest_s"] = statistics.median(result["api_ingest_runs_s"])
    return result


def query_bench(client, admin_h, h, bodies, plan, sim, repeat: int) -> dict:
    result = {}
    # A replay of one station-year: nothing changes.
    t0 = time.perf_counter()
    again = client.post("/graphql", headers={**h, "Content-Type": "application/json"}, content=bodies[0]).json()
    result["api_replay_station_year_s"] = round(time.perf_counter() - t0, 3)
    assert again["data"]["ingestStationReadings"]["inserted"] == 0
    assert again["data"]["ingestStationReadings"]["updated"] == 0

    # Calendar (a year) and a downsampled year of one parameter.
    sid = client.post("/graphql", headers=admin_h, json={"query": '{ station(code: "%s") { id } }'
                                                         % plan[0]["code"]}).json()["data"]["station"]["id"]
    year = (sim["start"] + timedelta(days=200)).year
    cal_q = {"query": "query($id: ID!, $y: Int!) { station(id: $id) { calendar(year: $y) { day waterClass } } }",
             "variables": {"id": sid, "y": year}}
    ser_q = {"query": "query($id: ID!, $f: DateTime!) { station(id: $id) { series(parameter: NH3_N, from: $f, "
                      "maxPoints: 500) { totalPoints points { at value } } } }",
             "variables": {"id": sid, "f": sim["start"].isoformat()}}
    city_q = {"query": "query($y: Int!, $m: Int!) { cityCalendar(year: $y, month: $m) { station { code } "
                       "days { waterClass } } }", "variables": {"y": year, "m": 6}}
    result["queries_load"] = [load()]
    for label, q in (("calendar_year", cal_q), ("series_year_lttb500", ser_q), ("city_calendar_month", city_q)):
        lat = []
        for i in range(repeat + 3):
            t0 = time.perf_counter()
            body = client.post("/graphql", headers=admin_h, json=q).json()
            if body.get("errors"):
                raise SystemExit(f"{label}: {body['errors'][0]}")
            if i >= 3:
                lat.append((time.perf_counter() - t0) * 1000)
        result[f"{label}_p50_ms"] = round(statistics.median(lat), 1)
        result[f"{label}_p90_ms"] = round(sorted(lat)[int(0.9 * len(lat)) - 1], 1)
    result["queries_load"].append(load())
    pts = client.post("/graphql", headers=admin_h, json=ser_q).json()["data"]["station"]["series"]
    result["series_points"] = [pts["totalPoints"], len(pts["points"])]
    return result


async def backtest_all(url: str, plan) -> dict:
    from server.db import Database
    from server.domain.stations.analysis import backtest
    from server.domain.stations.models import Station
    from server.domain.stations.series import valid_points
    from sqlalchemy import select

    db = Database(url)
    out = {}
    try:
        async with db.session() as s:
            ids = dict((await s.execute(select(Station.code, Station.id))).all())
            for param in ("NH3_N", "TP", "CODMN", "DO"):
                agg: dict[int, list] = {}
                for p in plan:
                    pts = await valid_points(s, ids[p["code"]], param)
                    for b in backtest(pts[-6 * 120:]):  # the last 120 days, as the forecast field uses
                        agg.setdefault(b.horizon_hours, []).append((b.mae, b.mae_persistence, b.n))
                out[param] = {f"{h}h": {"mae": round(sum(m * n for m, _, n in v) / sum(n for *_, n in v), 4),
                                        "mae_persistence": round(sum(q * n for _, q, n in v) / sum(n for *_, n in v), 4),
                                        "n": sum(n for *_, n in v)} for h, v in agg.items()}
    finally:
        await db.dispose()
    return out


def run_cli_and_tracing(kind: str, pg: str, tmp: Path, plan, sim, outfalls: int, repeat: int,
                        ingest_repeat: int) -> dict:
    path = tmp / "readings.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["station_code", "observed_at", "parameter", "value", "flag"])
        times = [(sim["start"] + timedelta(hours=4 * i)).isoformat() for i in range(sim["slots"])]
        for code, params in sim["data"].items():
            for k, vals in params.items():
                for t, v in zip(times, vals):
                    w.writerow([code, t, k, "" if v is None else v, "" if v is not None else "MISSING"])
    result: dict = {"csv_mb": round(path.stat().st_size / 1e6, 1), "cli_ingest_runs_s": [], "cli_ingest_load": []}
    for rep in range(ingest_repeat):
        last = rep == ingest_repeat - 1
        url = fresh_db(kind, pg, tmp, "outfallwatch_stations_bench_cli")
        asyncio.run(setup_db(url, plan, 0))
        env = {**os.environ, "OUTFALLWATCH_DATABASE_URL": url, "OUTFALLWATCH_DATA_DIR": str(tmp / "cli")}
        before = load()
        import resource

        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run([str(BIN / "outfallwatch"), "import-readings", str(path)], cwd=ROOT, env=env,
                           capture_output=True, text=True)
        result["cli_ingest_runs_s"].append(round(time.perf_counter() - t0, 2))
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        result.setdefault("cli_ingest_process_cpu_s", []).append(
            round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 2))
        result["cli_ingest_load"].append([before, load()])
        if r.returncode:
            raise SystemExit(f"import-readings failed: {r.stderr}")
        result["cli_output"] = r.stdout.strip()
        if last:
            t0 = time.perf_counter()
            asyncio.run(add_outfalls(url, outfalls))
            result["setup_outfalls_s"] = round(time.perf_counter() - t0, 2)
            result["tracing"] = asyncio.run(trace_bench(url, plan, repeat))
        drop_db(kind, pg, url)
    result["cli_ingest_s"] = statistics.median(result["cli_ingest_runs_s"])
    return result


async def add_outfalls(url: str, n: int) -> None:
    from server.db import Database

    db = Database(url)
    try:
        await bulk_outfalls(db, n)
    finally:
        await db.dispose()


async def trace_bench(url: str, plan, repeat: int) -> dict:
    from sqlalchemy import func, select

    from server.db import Database
    from server.domain.actor import Actor
    from server.domain.outfalls.models import Outfall
    from server.domain.stations.models import Station
    from server.domain.tracing import service

    db = Database(url)
    out = {}
    try:
        t0 = time.perf_counter()
        placed = await service.sync_positions(db)
        out["place_outfalls_s"] = round(time.perf_counter() - t0, 2)
        out["placed"] = placed
        actor = Actor(1, "supervisor", "SUPERVISOR", None)
        async with db.session() as s:
            out["outfalls"] = (await s.execute(select(func.count()).select_from(Outfall))).scalar_one()
            ya = [p["code"] for p in plan if p["river"] == "YANGTZE"]
            st = (await s.execute(select(Station).where(Station.code == ya[len(ya) // 4]))).scalar_one()
            out["station"] = f"{st.code} (Yangtze km {st.river_km:.0f}, below the Jialing's confluence)"
        out["load"] = [load()]
        for label, kw in (("main_20km", dict(max_km=20, tributaries=False)),
                          ("tributaries_50km", dict(max_km=50, tributaries=True))):
            lat = []
            for i in range(repeat + 3):
                t0 = time.perf_counter()
                await service.sync_positions(db)  # what every query does first: a no-op on an unchanged register
                async with db.session() as s:
                    r = await service.upstream_suspects(session=s, actor=actor, station=st, parameter="NH3_N",
                                                        first=20, **kw)
                if i >= 3:
                    lat.append((time.perf_counter() - t0) * 1000)
            out[f"{label}_p50_ms"] = round(statistics.median(lat), 1)
            out[f"{label}_candidates"] = r.total
        out["load"].append(load())
    finally:
        await db.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("pg", "sqlite"), default="pg")
    ap.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--stations", type=int, default=81)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--outfalls", type=int, default=60000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--ingest-repeat", type=int, default=3)
    ap.add_argument("--token", action="store_true", help="ingest with a readings:write API token (default: ADMIN)")
    ap.add_argument("--skip", choices=("api", "cli"), action="append", default=[])
    a = ap.parse_args()
    from datetime import datetime, timezone

    from server.demo.stations import slot_floor

    rng = random.Random(81)
    plan = station_plan(a.stations, rng)
    t0 = time.perf_counter()
    sim = series_for(plan, a.days, slot_floor(datetime.now(timezone.utc)))
    res = {"db": "PostgreSQL" if a.db == "pg" else "SQLite", "stations": len(plan), "days": a.days,
           "values": len(plan) * 9 * sim["slots"], "simulate_s": round(time.perf_counter() - t0, 1),
           "cpus": os.cpu_count(), "load_at_start": load()}
    out = ROOT / "bench" / "results" / ("stations_latest.json" if a.db == "pg" else "stations_latest_sqlite.json")
    out.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "api" not in a.skip:
            res["api"] = run_api(a.db, a.pg, tmp, plan, sim, a.repeat, a.ingest_repeat, a.token)
            out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))  # kept if a later step fails
        if "cli" not in a.skip:
            res["cli"] = run_cli_and_tracing(a.db, a.pg, tmp, plan, sim, a.outfalls, a.repeat, a.ingest_repeat)
    res["load_at_end"] = load()
    out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    print(json.dumps(res, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
