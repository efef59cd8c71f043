"""Where one uncached read page spends the server's CPU: cProfile over in-process requests.

The app is called over ASGI in this process (no HTTP server, no load generator), with the response
cache off, so the profile is the server's own work per request: auth, SQL round trips, ORM,
GraphQL execution, JSON.

    python bench/profile_pages.py --url postgresql://postgres@127.0.0.1:5432/outfallwatch_bench \
        [--case a|b|c] [--requests 30] [--fast on|off] [--top 35]

Prints the wall time and process CPU per request, then the functions with the most own time and the
most cumulative time.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import pstats
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


async def run(url: str, case: str, n: int, fast: bool, top: int) -> None:
    from server.app import create_app
    from server.demo.seed import demo_password
    from server.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        s = dataclasses.replace(Settings.from_env(), database_url=url, data_dir=Path(tmp), response_cache=False,
                                fast_execution=fast, background_jobs=False)
        app = create_app(s)
        async with app.router.lifespan_context(app):
            c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120)
            user = "officer" if case == "c" else "supervisor"
            r = await c.post("/graphql", json={"query": "mutation($u:String!,$p:String!){login(username:$u,password:$p)"
                                                        "{token}}", "variables": {"u": user, "p": demo_password(user)}})
            h = {"Authorization": f"Bearer {r.json()['data']['login']['token']}"}
            b = dict(zip(("south", "west", "north", "east"), BBOX))
            if case == "b":
                m = await c.post("/graphql", json={"query": MAP_Q, "variables": {"b": b}}, headers=h)
                body = {"query": DETAIL_Q, "variables": {"id": m.json()["data"]["outfalls"]["edges"][0]["node"]["id"]}}
            else:
                body = {"query": MAP_Q if case == "a" else TASKS_Q, "variables": {"b": b} if case == "a" else {}}
            for _ in range(3):  # warm-up: pools, validation cache
                assert "errors" not in (await c.post("/graphql", json=body, headers=h)).json()
            prof = cProfile.Profile()
            walls, cpu0 = [], time.process_time()
            for _ in range(n):
                t0 = time.perf_counter()
                prof.enable()
                await c.post("/graphql", json=body, headers=h)
                prof.disable()
                walls.append((time.perf_counter() - t0) * 1000)
            cpu = (time.process_time() - cpu0) * 1000 / n
            await c.aclose()
    print(f"case ({case}), fast path {'on' if fast else 'off'}: wall p50 {statistics.median(walls):.1f} ms "
          f"(profiled), process CPU {cpu:.1f} ms per request")
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(key).print_stats(top)
        print(out.getvalue())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--case", default="a", choices=("a", "b", "c"))
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--fast", default="on", choices=("on", "off"))
    ap.add_argument("--top", type=int, default=35)
    a = ap.parse_args(argv)
    asyncio.run(run(sqlalchemy_url(a.url), a.case, a.requests, a.fast == "on", a.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
