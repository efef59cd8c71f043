"""In-process cost of the uncached read pages with the ordinary executor and with the fast one.

No HTTP server and no load generator: the app is called over ASGI in this process, so what is
measured is the server's own work per request (auth, SQL, ORM, GraphQL execution, JSON), with the
response cache off. Both executors run on the same data in the same process, interleaved in rounds,
so the ratio is fair on a noisy machine.

    python bench/executor_bench.py --url postgresql://postgres@127.0.0.1:5432/outfallwatch_bench

The data is bench/generate.py's (`make bench-generate`, or `python bench/generate.py --url URL --scale 0.1`).
"""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.generate import DEFAULT_URL, sqlalchemy_url  # noqa: E402 - after the repo is on sys.path
from bench.http_bench import BBOX, DETAIL_Q, MAP_Q, TASKS_Q  # noqa: E402 - as above


async def _app(url: str, fast: bool, data_dir: str):
    from server.app import create_app
    from server.settings import Settings

    s = dataclasses.replace(Settings.from_env(), database_url=url, data_dir=Path(data_dir), response_cache=False,
                            fast_execution=fast, background_jobs=False)
    return create_app(s)


async def _login(c: httpx.AsyncClient, user: str) -> str:
    from server.demo.seed import demo_password

    r = await c.post("/graphql", json={"query": "mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}",
                                       "variables": {"u": user, "p": demo_password(user)}})
    return r.json()["data"]["login"]["token"]


async def run(url: str, rounds: int, per_round: int) -> dict:
    detail_id = None
    cases = {}
    clients = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fast in (False, True):
            app = await _app(url, fast, tmp)
            async with app.router.lifespan_context(app):
                pass
            c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120)
            clients[fast] = (c, {u: await _login(c, u) for u in ("supervisor", "officer")})
        c, tok = clients[False]
        b = dict(zip(("south", "west", "north", "east"), BBOX))
        first = await c.post("/graphql", json={"query": MAP_Q, "variables": {"b": b}},
                             headers={"Authorization": f"Bearer {tok['supervisor']}"})
        detail_id = first.json()["data"]["outfalls"]["edges"][0]["node"]["id"]
        cases = {"(a) map page": (MAP_Q, {"b": b}, "supervisor"),
                 "(b) outfall detail": (DETAIL_Q, {"id": detail_id}, "supervisor"),
                 "(c) officer's tasks": (TASKS_Q, {}, "officer")}
        times: dict[tuple[str, bool], list[float]] = {(k, f): [] for k in cases for f in (False, True)}
        cpu: dict[tuple[str, bool], float] = {k: 0.0 for k in times}
        answers: dict[tuple[str, bool], str] = {}
        for _ in range(rounds):
            for name, (q, v, user) in cases.items():
                for fast in (False, True):
                    c, tok = clients[fast]
                    h = {"Authorization": f"Bearer {tok[user]}"}
                    for _ in range(per_round):
                        t0, p0 = time.perf_counter(), time.process_time()
                        r = await c.post("/graphql", json={"query": q, "variables": v}, headers=h)
                        times[(name, fast)].append((time.perf_counter() - t0) * 1000)
                        cpu[(name, fast)] += time.process_time() - p0
                        body = r.json()
                        assert not body.get("errors"), body["errors"]
                        answers[(name, fast)] = json.dumps(body, sort_keys=True)
        for fast in (False, True):
            await clients[fast][0].aclose()
    out = {}
    for name in cases:
        assert answers[(name, False)] == answers[(name, True)], f"{name}: answers differ"
        row = {}
        for fast in (False, True):
            t = times[(name, fast)]
            row["fast" if fast else "ordinary"] = {"p50_ms": round(statistics.median(t), 1),
                                                   "cpu_ms_per_request": round(cpu[(name, fast)] * 1000 / len(t), 1)}
        row["p50_ratio_fast_over_ordinary"] = round(row["fast"]["p50_ms"] / row["ordinary"]["p50_ms"], 2)
        out[name] = row
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-round", type=int, default=8)
    a = ap.parse_args(argv)
    res = asyncio.run(run(sqlalchemy_url(a.url), a.rounds, a.per_round))
    print(json.dumps(res, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / "executor_latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
