"""HTTP benchmarks of the hot paths, with the floor and PostGraphile side by side in the same run.

    python bench/http_bench.py [--url postgresql://postgres@127.0.0.1:5432/outfallwatch_bench]
                               [--duration 10] [--cases a,b,c,d,e,f,g] [--no-postgraphile]
                               [--servers ours,nocache,2w,floor,postgraphile] [--out FILE]

Quick look at the uncached goals only (about 4 minutes):
    python bench/http_bench.py --cases a,b,c,g --servers nocache,floor,postgraphile --duration 5

Each server runs as a user would run it: ours with `outfallwatch serve` (uvicorn, one process,
PostgreSQL), the floor with uvicorn (bench/floor_server.py), PostGraphile 4 from npm in a temporary
folder. Load comes from wrk (C, so the load generator costs little of the two cores), at
concurrency 1 and 16; latency percentiles from wrk's histogram. Peak memory is each server's VmHWM;
server CPU per request is the process's CPU time (utime + stime, workers included) over the requests
wrk completed in that measurement. The load average is recorded with every row: on a shared machine
absolute timings move with it, ratios within one run are what to compare.
Generates the city-scale database first when it is empty (bench/generate.py).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncio

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.generate import DEFAULT_URL, asyncpg_url, generate, sqlalchemy_url  # noqa: E402

BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "wrk_request.lua"
BBOX = (29.52, 106.50, 29.62, 106.62)  # central Chongqing: 渝中, 江北, 南岸, 沙坪坝, 九龙坡 banks

MAP_Q = """query Map($b: BBoxInput!) { outfalls(filter: {bbox: $b}, first: 500) { edges { node {
  id code name category phase location { lat lon } district { code name } river { code name }
  latestInspection { observedAt flowing } } } } }"""
DETAIL_Q = """query Detail($id: ID!) { outfall(id: $id) { id code name category phase location { lat lon }
  district { code name } river { code name }
  inspections(first: 20) { edges { node { observedAt flowing note
    measurements { parameter value unit limit exceeded } media { id sha256 width height takenAt } } } } } }"""
TASKS_Q = """{ tasks(first: 50) { edges { node { code kind status deadline isOverdue outfall { code name }
  latestSubmission { submittedAt status checks { code severity message } review { decision reason } } } } } }"""
STATS_Q = """{ outfallStats(groupBy: DISTRICT) { key label count } }"""
NEAR_Q = """{ outfalls(filter: {near: {lat: __LAT__, lon: __LON__, radiusM: 2000}}, first: 20) {
  edges { node { code name distanceM category phase } } } }"""
RECORD_Q = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id measurements { exceeded } } }"""

PGL_SQL = """
CREATE OR REPLACE FUNCTION outfalls_in_bbox(south float, west float, north float, east float)
RETURNS SETOF outfalls AS $$
  SELECT * FROM outfalls WHERE lat BETWEEN south AND north AND lon BETWEEN west AND east ORDER BY id
$$ LANGUAGE sql STABLE;
CREATE OR REPLACE FUNCTION outfalls_latest_inspection(o outfalls) RETURNS inspections AS $$
  SELECT * FROM inspections WHERE outfall_id = o.id ORDER BY observed_at DESC LIMIT 1
$$ LANGUAGE sql STABLE;
CREATE OR REPLACE FUNCTION inspections_media(i inspections) RETURNS SETOF media AS $$
  SELECT * FROM media WHERE owner_type = 'inspection' AND owner_id = i.id ORDER BY id
$$ LANGUAGE sql STABLE;
CREATE OR REPLACE FUNCTION tasks_latest_submission(t tasks) RETURNS submissions AS $$
  SELECT * FROM submissions WHERE task_id = t.id ORDER BY id DESC LIMIT 1
$$ LANGUAGE sql STABLE;
CREATE OR REPLACE FUNCTION tasks_is_overdue(t tasks) RETURNS boolean AS $$
  SELECT t.status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED', 'REJECTED') AND t.deadline < now()
$$ LANGUAGE sql STABLE;
"""
PGL_MAP = """query Map($s: Float!, $w: Float!, $n: Float!, $e: Float!) {
  outfallsInBbox(south: $s, west: $w, north: $n, east: $e, first: 500) { nodes {
    id code name category phase lat lon districtByDistrictCode { code name } riverByRiverCode { code name }
    latestInspection { observedAt flowing } } } }"""
PGL_DETAIL = """query Detail($id: Int!) { outfallById(id: $id) { id code name category phase lat lon
  districtByDistrictCode { code name } riverByRiverCode { code name }
  inspectionsByOutfallId(first: 20, orderBy: [OBSERVED_AT_DESC, ID_DESC]) { nodes { observedAt flowing note
    measurementsByInspectionId(orderBy: ID_ASC) { nodes { parameter value unit limit exceeded } }
    media { nodes { id sha256 width height takenAt } } } } } }"""

# (c) for PostGraphile: the district is a condition (it has no sign-in to scope by); checks are the
# submission's JSON column, the review its decision and reason columns.
PGL_TASKS = """query Tasks($d: String!) { allTasks(condition: {districtCode: $d}, orderBy: [DEADLINE_ASC, ID_ASC],
  first: 50) { nodes { code kind status deadline isOverdue outfallByOutfallId { code name }
  latestSubmission { submittedAt status checks decision reason } } } }"""
OFFICER_DISTRICT = "500103"  # the demo officer's district (server/demo/seed.py)
SERVERS = ("ours", "nocache", "2w", "floor", "postgraphile")
DEFAULT_SERVERS = ("ours", "nocache", "floor", "postgraphile")  # 2w: add it with --servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, what: str, timeout: float = 300) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}; see its log")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"{what} did not answer on {url} within {timeout} s")


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM of the process, plus its children's (uvicorn's workers), in MB."""
    def one(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        kids = []
    total = one(pid) + sum(one(k) for k in kids)
    return round(total / 1024, 1) if total else None


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its children (uvicorn's workers), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")

    def one(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            return 0.0

    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        kids = []
    return one(pid) + sum(one(k) for k in kids)


class Servers:
    def __init__(self, url: str, tmp: Path, postgraphile: bool):
        self.url, self.tmp, self.procs, self.ports = url, tmp, {}, {}
        self.want_pgl = postgraphile

    def _start(self, name: str, cmd: list[str], env: dict, health: str, cwd=ROOT):
        port = self.ports[name]
        log = open(self.tmp / f"{name}.log", "w")
        p = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs[name] = p
        wait_http(f"http://127.0.0.1:{port}{health}", p, name)

    def ours(self, name: str, cache: bool, workers: int = 1):
        self.ports[name] = free_port()
        data = self.tmp / name
        data.mkdir()
        env = {"OUTFALLWATCH_DATABASE_URL": sqlalchemy_url(self.url), "OUTFALLWATCH_BACKGROUND_JOBS": "false",
               "OUTFALLWATCH_RESPONSE_CACHE": "true" if cache else "false", "OUTFALLWATCH_DATA_DIR": str(data),
               "OUTFALLWATCH_SECRET_KEY": "bench-secret-key-of-enough-length-0123456789",
               "OUTFALLWATCH_EVENTS": "memory" if workers == 1 else "postgres"}
        self._start(name, [str(BIN / "outfallwatch"), "serve", "--host", "127.0.0.1", "--port",
                           str(self.ports[name]), "--log-level", "warning", "--workers", str(workers)], env,
                    "/healthz")

    def floor(self):
        self.ports["floor"] = free_port()
        self._start("floor", [str(BIN / "uvicorn"), "bench.floor_server:app", "--host", "127.0.0.1", "--port",
                              str(self.ports["floor"]), "--log-level", "warning", "--no-access-log"],
                    {"OUTFALLWATCH_BENCH_PG": asyncpg_url(self.url)}, "/map?bbox=0,0,0,0&first=1")

    def postgraphile(self):
        npm = shutil.which("npm")
        if not npm or not self.want_pgl:
            print("PostGraphile: skipped (" + ("--no-postgraphile" if npm else "npm not found") + ")")
            return
        folder = self.tmp / "postgraphile"
        folder.mkdir()
        print("installing postgraphile@4 from npm into", folder)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "postgraphile@4"], cwd=folder,
                       check=True, stdout=subprocess.DEVNULL)
        version = json.loads((folder / "node_modules/postgraphile/package.json").read_text())["version"]
        self.pgl_version = version
        self.ports["postgraphile"] = free_port()
        self._start("postgraphile", [str(folder / "node_modules/.bin/postgraphile"), "-c", asyncpg_url(self.url),
                                     "--schema", "public", "--host", "127.0.0.1", "--port",
                                     str(self.ports["postgraphile"]), "--disable-query-log",
                                     "--disable-graphiql", "--no-setof-functions-contain-nulls"],
                    {"NODE_ENV": "production"}, "/graphql", cwd=folder)

    def stop(self):
        for p in self.procs.values():
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in self.procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def wrk(url: str, *, body: str = "", method: str = "POST", auth: str = "", vary: str = "", conns: int,
        seconds: int) -> dict:
    threads = 1 if conns == 1 else 2
    env = {**os.environ, "BENCH_BODY": body, "BENCH_METHOD": method, "BENCH_AUTH": auth, "BENCH_VARY": vary}
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
                          url], env=env, capture_output=True, text=True, check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    r["rps"] = round(r["requests"] / r["seconds"], 1)
    return r


def wrk_background(url: str, *, seconds: int, **kw):
    """wrk at concurrency 1 in a thread, for load beside a measurement; .result() gives its numbers."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1)
    fut = pool.submit(wrk, url, conns=1, seconds=seconds, **kw)
    pool.shutdown(wait=False)
    time.sleep(1)  # let it start before the measurement does
    return fut


async def pick_targets(url: str) -> dict:
    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        n = await conn.fetchval("SELECT count(*) FROM outfalls")
        in_box = await conn.fetchval("SELECT count(*) FROM outfalls WHERE lat BETWEEN $1 AND $3 AND lon BETWEEN $2 "
                                     "AND $4", *BBOX)
        # The detail page of a busy outfall in the box whose 20 latest inspections are generated ones
        # (readings and photos), not writes of an earlier run's (f).
        oid = await conn.fetchval(
            """SELECT o.id FROM outfalls o WHERE o.lat BETWEEN $1 AND $3 AND o.lon BETWEEN $2 AND $4
               AND (SELECT count(*) FROM inspections i WHERE i.outfall_id = o.id) >= 20
               AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.outfall_id = o.id AND i.request_hash <> 'bench')
               ORDER BY o.id LIMIT 1""", *BBOX)
        officer_tasks = await conn.fetchval("SELECT count(*) FROM tasks WHERE district_code = '500103'")
        # (f) writes go to one outfall of the demo inspector's district outside the box, so they change
        # neither the map page nor the detail page measured.
        sample = await conn.fetchrow("SELECT id, lat, lon FROM outfalls WHERE district_code = '500103' AND NOT "
                                     "(lat BETWEEN $1 AND $3 AND lon BETWEEN $2 AND $4) ORDER BY id LIMIT 1", *BBOX)
        if sample is None:
            sample = await conn.fetchrow("SELECT id, lat, lon FROM outfalls WHERE district_code = '500103' "
                                         "ORDER BY id DESC LIMIT 1")
        return {"outfalls": n, "in_box": in_box, "detail_id": oid, "officer_tasks": officer_tasks,
                "record_outfall": sample["id"], "record_at": (sample["lat"], sample["lon"])}
    finally:
        await conn.close()


def login(base: str, username: str) -> str:
    from server.demo.seed import demo_password

    r = httpx.post(base + "/graphql", json={"query": "mutation($u:String!,$p:String!){login(username:$u,password:$p)"
                                                     "{token}}", "variables": {"u": username,
                                                                               "p": demo_password(username)}})
    return r.json()["data"]["login"]["token"]


def gql(base: str, query: str, variables: dict, token: str = "") -> dict:
    h = {"Authorization": f"Bearer {token}"} if token else {}
    r = httpx.post(base + "/graphql", json={"query": query, "variables": variables}, headers=h, timeout=60)
    body = r.json()
    if body.get("errors"):
        raise SystemExit(f"{base}: {body['errors'][0]}")
    return body["data"]


def verify_same(bases: dict, t: dict, tokens: dict, cases: set, ref: str) -> None:
    """Every server must return the same 500 outfalls for (a), the same 20 inspections for (b) and the
    same 50 tasks for (c) as our server `ref`."""
    b = dict(zip(("south", "west", "north", "east"), BBOX))
    ours = [e["node"]["code"] for e in gql(bases[ref], MAP_Q, {"b": b}, tokens["supervisor"])["outfalls"]["edges"]]
    d_ours = gql(bases[ref], DETAIL_Q, {"id": str(t["detail_id"])}, tokens["supervisor"])["outfall"]
    key = lambda ins: [(i["observedAt"][:19], len(i["measurements"]), len(i["media"])) for i in ins]  # noqa: E731
    got = key([e["node"] for e in d_ours["inspections"]["edges"]])
    mine = [e["node"]["code"] for e in gql(bases[ref], TASKS_Q, {}, tokens["officer"])["tasks"]["edges"]]
    assert len(ours) == 500 and len(mine) == 50, (len(ours), len(mine))
    for other in ("ours", "ours_nocache", "ours_nocache_2w"):
        if other in bases and other != ref:
            tok = login(bases[other], "supervisor")
            again = [e["node"]["code"] for e in gql(bases[other], MAP_Q, {"b": b}, tok)["outfalls"]["edges"]]
            assert again == ours, f"{other} and {ref} disagree on the map page"
    if "floor" in bases:
        floor = [o["code"] for o in httpx.get(bases["floor"] + "/map", params={
            "bbox": ",".join(map(str, BBOX)), "first": 500}).json()["outfalls"]]
        assert ours == floor, "ours and the floor disagree on the map page"
        d_floor = httpx.get(bases["floor"] + "/detail", params={"id": t["detail_id"]}).json()["outfall"]
        assert got == key(d_floor["inspections"]), "ours and the floor disagree on the detail page"
        fl = [x["code"] for x in httpx.get(bases["floor"] + "/tasks", params={
            "district": OFFICER_DISTRICT, "first": 50}).json()["tasks"]]
        assert mine == fl, "ours and the floor disagree on the officer's tasks"
    if "postgraphile" in bases:
        p = gql(bases["postgraphile"], PGL_MAP, dict(zip("swne", BBOX)))["outfallsInBbox"]["nodes"]
        assert [o["code"] for o in p] == ours, "PostGraphile disagrees on the map page"
        pd = gql(bases["postgraphile"], PGL_DETAIL, {"id": t["detail_id"]})["outfallById"]
        pins = [{"observedAt": n["observedAt"], "measurements": n["measurementsByInspectionId"]["nodes"],
                 "media": n["media"]["nodes"]} for n in pd["inspectionsByOutfallId"]["nodes"]]
        assert key(pins) == got, "PostGraphile disagrees on the detail page"
        pt = gql(bases["postgraphile"], PGL_TASKS, {"d": OFFICER_DISTRICT})["allTasks"]["nodes"]
        assert [x["code"] for x in pt] == mine, "PostGraphile disagrees on the officer's tasks"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=os.environ.get("OUTFALLWATCH_BENCH_URL", DEFAULT_URL))
    ap.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    ap.add_argument("--cases", default="a,b,c,d,e,f,g")
    ap.add_argument("--servers", default=",".join(DEFAULT_SERVERS),
                    help="of " + ",".join(SERVERS) + " (ours: cache on; nocache: cache off; 2w: cache off, 2 workers)")
    ap.add_argument("--no-postgraphile", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "http_latest.json"))
    args = ap.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk (the load generator)")
    want = set(args.servers.split(","))
    if unknown := want - set(SERVERS):
        raise SystemExit(f"unknown server(s) {sorted(unknown)}; choose from {','.join(SERVERS)}")
    if args.no_postgraphile:
        want.discard("postgraphile")
    if not want & {"ours", "nocache"}:
        raise SystemExit("--servers needs ours or nocache (they log in, verify the others and write for (g))")
    try:
        t = asyncio.run(pick_targets(args.url))
    except (OSError, asyncpg.InvalidCatalogNameError, asyncpg.UndefinedTableError):
        t = None
    if not t or t["outfalls"] < 1000:
        print("no city-scale data yet: generating it (bench/generate.py)")
        print(json.dumps(asyncio.run(generate(args.url, 1.0)), ensure_ascii=False))
        t = asyncio.run(pick_targets(args.url))
    print(f"data: {t['outfalls']} outfalls; bbox {BBOX} holds {t['in_box']}; detail outfall {t['detail_id']}; "
          f"district 500103 has {t['officer_tasks']} tasks")

    async def pgl_functions():
        c = await asyncpg.connect(asyncpg_url(args.url))
        await c.execute(PGL_SQL)
        await c.close()

    cases = set(args.cases.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="ow-bench-"))
    srv = Servers(args.url, tmp, "postgraphile" in want)
    results: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                 "python": platform.python_version()},
                     "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                     "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                     "data": t, "duration_s": args.duration, "rows": []}
    try:
        if "postgraphile" in want:
            asyncio.run(pgl_functions())
        if "ours" in want:
            srv.ours("ours", cache=True)
        if "nocache" in want:
            srv.ours("ours_nocache", cache=False)
        if "2w" in want:
            srv.ours("ours_nocache_2w", cache=False, workers=2)
        if "floor" in want:
            srv.floor()
        if "postgraphile" in want:
            srv.postgraphile()
        bases = {k: f"http://127.0.0.1:{p}" for k, p in srv.ports.items()}
        ref = "ours" if "ours" in bases else "ours_nocache"
        tokens = {u: login(bases[ref], u) for u in ("supervisor", "officer", "inspector")}
        ours_servers = [(k, label) for k, label in (("ours", "ours"), ("ours_nocache", "ours, cache off"),
                                                    ("ours_nocache_2w", "ours, cache off, 2 workers")) if k in bases]
        sup = {k: login(bases[k], "supervisor") for k, _ in ours_servers}
        off = {k: login(bases[k], "officer") for k, _ in ours_servers}
        verify_same(bases, t, tokens, cases, ref)
        print("verified: every server returns the same map page, detail page and task page")
        bbox_vars = dict(zip(("south", "west", "north", "east"), BBOX))
        lat, lon = t["record_at"]
        record = {"clientId": "__UUID__", "outfallId": str(t["record_outfall"]),
                  "observedAt": "2026-11-20T03:00:00+00:00", "flowing": True,
                  "position": {"lat": lat, "lon": lon, "accuracyM": 5},
                  "measurements": [{"parameter": "COD", "value": 25.0}, {"parameter": "NH3_N", "value": 0.8},
                                   {"parameter": "PH", "value": 7.2}]}
        writes = dict(body=json.dumps({"query": RECORD_Q, "variables": {"i": record}}), auth=tokens["inspector"],
                      vary="uuid")
        map_body = json.dumps({"query": MAP_Q, "variables": {"b": bbox_vars}})
        floor_map = bases.get("floor", "") + "/map?bbox=" + ",".join(map(str, BBOX)) + "&first=500"
        plan = []  # (case, label, server, url, kwargs, server key or None)
        if "a" in cases:
            plan += [("a", "map page", label, bases[k] + "/graphql", dict(body=map_body, auth=sup[k]), k)
                     for k, label in ours_servers]
            if "floor" in bases:
                plan.append(("a", "map page", "floor", floor_map, dict(method="GET"), "floor"))
            if "postgraphile" in bases:
                plan.append(("a", "map page", "PostGraphile", bases["postgraphile"] + "/graphql",
                             dict(body=json.dumps({"query": PGL_MAP, "variables": dict(zip("swne", BBOX))})),
                             "postgraphile"))
        if "b" in cases:
            body = json.dumps({"query": DETAIL_Q, "variables": {"id": str(t["detail_id"])}})
            plan += [("b", "outfall detail", label, bases[k] + "/graphql", dict(body=body, auth=sup[k]), k)
                     for k, label in ours_servers]
            if "floor" in bases:
                plan.append(("b", "outfall detail", "floor", bases["floor"] + f"/detail?id={t['detail_id']}",
                             dict(method="GET"), "floor"))
            if "postgraphile" in bases:
                plan.append(("b", "outfall detail", "PostGraphile", bases["postgraphile"] + "/graphql",
                             dict(body=json.dumps({"query": PGL_DETAIL, "variables": {"id": t["detail_id"]}})),
                             "postgraphile"))
        if "c" in cases:
            body = json.dumps({"query": TASKS_Q})
            plan += [("c", "officer's tasks", label, bases[k] + "/graphql", dict(body=body, auth=off[k]), k)
                     for k, label in ours_servers]
            if "floor" in bases:
                plan.append(("c", "officer's tasks", "floor",
                             bases["floor"] + f"/tasks?district={OFFICER_DISTRICT}&first=50", dict(method="GET"),
                             "floor"))
            if "postgraphile" in bases:
                plan.append(("c", "officer's tasks", "PostGraphile", bases["postgraphile"] + "/graphql",
                             dict(body=json.dumps({"query": PGL_TASKS, "variables": {"d": OFFICER_DISTRICT}})),
                             "postgraphile"))
        if "d" in cases:
            body = json.dumps({"query": STATS_Q})
            plan += [("d", "outfallStats", label, bases[k] + "/graphql", dict(body=body, auth=sup[k]), k)
                     for k, label in ours_servers if k != "ours_nocache_2w"]
        if "e" in cases:
            plan.append(("e", "near search (moving point)", "ours" if ref == "ours" else "ours, cache off",
                         bases[ref] + "/graphql", dict(body=json.dumps({"query": NEAR_Q}), auth=sup[ref], vary="near"),
                         ref))
        if "f" in cases:
            plan.append(("f", "recordInspection", "ours" if ref == "ours" else "ours, cache off",
                         bases[ref] + "/graphql", dict(**writes), ref))
        if "g" in cases:  # the map while inspections arrive: every write moves the data version
            plan += [("g", "map page, 1 writer busy", label, bases[k] + "/graphql",
                      dict(body=map_body, auth=sup[k], background=writes), k)
                     for k, label in ours_servers if k != "ours_nocache_2w"]
            if "floor" in bases:
                plan.append(("g", "map page, 1 writer busy", "floor", floor_map,
                             dict(method="GET", background=writes), "floor"))
        for case, label, server, url, kw, key in plan:
            background = kw.pop("background", None)
            wrk(url, conns=4, seconds=2, **kw)  # warm-up: caches, JIT, pools
            row = {"case": case, "label": label, "server": server}
            for conns in (1, 16):
                bg = wrk_background(bases[ref] + "/graphql", seconds=args.duration + 2, **background) \
                    if background else None
                load = os.getloadavg()[0]
                cpu0 = cpu_seconds(srv.procs[key].pid) if key in srv.procs else None
                r = wrk(url, conns=conns, seconds=args.duration, **kw)
                if cpu0 is not None and r["requests"]:
                    # Beside writes, the writer's requests are served by the same process (when it is
                    # the one measured): CPU over all the requests it served.
                    served = r["requests"]
                    if bg is not None:
                        r["background_writes_per_s"] = bg.result()["rps"]
                        if key == ref:
                            served += bg.result()["requests"]
                    r["server_cpu_ms_per_request"] = round((cpu_seconds(srv.procs[key].pid) - cpu0) * 1000 / served,
                                                           2)
                elif bg is not None:
                    r["background_writes_per_s"] = bg.result()["rps"]
                r["load_average"] = round(load, 2)
                row[f"c{conns}"] = r
            results["rows"].append(row)
            c1, c16 = row["c1"], row["c16"]
            extra = f" | writes/s beside it {c1['background_writes_per_s']}/{c16['background_writes_per_s']}" \
                if "background_writes_per_s" in c1 else ""
            cpu = f" | CPU/req {c1['server_cpu_ms_per_request']:.1f}/{c16['server_cpu_ms_per_request']:.1f} ms" \
                if "server_cpu_ms_per_request" in c1 and "server_cpu_ms_per_request" in c16 else ""
            print(f"({case}) {label:<28} {server:<16} c=1 p50 {c1['p50']:7.2f} p95 {c1['p95']:7.2f} "
                  f"p99 {c1['p99']:7.2f} ms {c1['rps']:7.1f} rps | c=16 p50 {c16['p50']:7.2f} p99 {c16['p99']:7.2f} "
                  f"ms {c16['rps']:7.1f} rps | errors {c1['errors'] + c16['errors']}{extra}{cpu} | load "
                  f"{c1['load_average']}/{c16['load_average']}", flush=True)
        results["peak_rss_mb"] = {k: peak_rss_mb(p.pid) for k, p in srv.procs.items()}
        results["postgraphile_version"] = getattr(srv, "pgl_version", None)
    finally:
        srv.stop()
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["ratios"] = ratios(results["rows"])
    results["goals"] = goals(results["rows"])
    print("peak memory (VmHWM, MB):", results["peak_rss_mb"])
    for k, v in results["ratios"].items():
        print(f"{k}: {v}")
    for g in results["goals"]:
        print(f"goal {g['goal']}: {g['value']} (target {g['target']}) {'met' if g['met'] else 'NOT met'}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print("wrote", args.out)
    return 0


def ratios(rows: list[dict]) -> dict:
    by = {(r["case"], r["server"]): r for r in rows}
    out = {}
    for case in ("a", "b", "c", "g"):
        for mine, mname in (("ours", "ours"), ("ours, cache off", "uncached")):
            ours = by.get((case, mine))
            if not ours:
                continue
            for other, name in (("floor", "floor"), ("PostGraphile", "PostGraphile")):
                o = by.get((case, other))
                if o:
                    out[f"({case}) {mname}/{name} p50 c=1"] = round(ours["c1"]["p50"] / o["c1"]["p50"], 2)
                    out[f"({case}) {mname}/{name} rps c=16"] = round(ours["c16"]["rps"] / o["c16"]["rps"], 2)
        c, u = by.get((case, "ours")), by.get((case, "ours, cache off"))
        if c and u:
            out[f"({case}) cached/uncached p50 c=1"] = round(c["c1"]["p50"] / u["c1"]["p50"], 2)
            out[f"({case}) cached/uncached rps c=16"] = round(c["c16"]["rps"] / u["c16"]["rps"], 2)
    return out


def goals(rows: list[dict]) -> list[dict]:
    """Issue 18's goals, with the response cache off, from this run's rows."""
    by = {(r["case"], r["server"]): r for r in rows}
    out = []

    def add(goal, value, target, met):
        out.append({"goal": goal, "value": value, "target": target, "met": bool(met)})

    for case, factor in (("a", 2), ("b", 2), ("c", 3), ("g", 2)):
        u, f = by.get((case, "ours, cache off")), by.get((case, "floor"))
        if u and f:
            r = round(u["c1"]["p50"] / f["c1"]["p50"], 2)
            add(f"({case}) uncached p50 c=1 / floor", r, f"<= {factor}", r <= factor)
        p = by.get((case, "PostGraphile"))
        if u and p and case in ("a", "b"):
            r = round(u["c16"]["rps"] / p["c16"]["rps"], 2)
            add(f"({case}) uncached rps c=16 / PostGraphile", r, ">= 1", r >= 1)
    u = by.get(("a", "ours, cache off"))
    if u and "server_cpu_ms_per_request" in u["c1"]:
        v = u["c1"]["server_cpu_ms_per_request"]
        add("(a) uncached server CPU per request, c=1 (ms)", v, "<= 15", v <= 15)
    return out


if __name__ == "__main__":
    sys.exit(main())
