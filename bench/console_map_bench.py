"""The one-map with 60,000 outfalls in Chromium: time from navigation to the first markers drawn, to all
of them drawn, and frame times while panning.

At the city overview the console draws the server's cells (`outfallClusters`, a few hundred), so
"first markers" and "all drawn" are the same moment: every one of the 60,000 is counted in a drawn
cell (window.__owDrawn is the sum of the cells' counts). Zoomed in (zoom 11 here) it draws the view's
points, read by bounding box; the time from the jump to those points drawn is reported too.

    .venv/bin/python bench/console_map_bench.py [--outfalls 60000] [--pan-seconds 5]

Builds a fresh data folder the way `make run` does (migrate, seed-demo), adds outfalls along the
reference river courses up to --outfalls, starts `outfallwatch serve` (SQLite, one process), and drives
Debian's /usr/bin/chromium with Playwright (`make console` must have built the console). Frame times
are requestAnimationFrame intervals recorded in the page while the mouse drags the map; Chromium's
performance timeline (CDP Performance.getMetrics) gives script and layout time over the same pans.
Headless Chromium renders WebGL with SwiftShader (CPU), so frame times here are a pessimistic bound.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.demo.rivers import COURSES  # noqa: E402
from server.demo.seed import district_codes_by_name  # noqa: E402
from tests.console.conftest import CHROMIUM, start_server, stop_server  # noqa: E402

CATS = ("INDUSTRIAL", "URBAN_SEWAGE_PLANT", "AGRICULTURAL", "OTHER")
PHASES = ("SURVEYED", "MONITORED", "TRACED", "REMEDIATED")


def fill(db: Path, total: int, seed: int = 11) -> int:
    """Outfalls along the rivers (both banks, within ~1.5 km) until the register holds `total`."""
    rng = random.Random(seed)
    codes = district_codes_by_name()
    with sqlite3.connect(db) as c:
        have = c.execute("SELECT count(*) FROM outfalls").fetchone()[0]
        segs = [(river, a, b) for river, course in COURSES.items() for a, b in zip(course, course[1:])]
        now = datetime.now(timezone.utc).isoformat()
        rows = []
        for i in range(total - have):
            river, a, b = rng.choice(segs)
            t = rng.random()
            lat = a[0] + (b[0] - a[0]) * t + rng.gauss(0, 0.012)
            lon = a[1] + (b[1] - a[1]) * t + rng.gauss(0, 0.012)
            district = codes[(a if t < 0.5 else b)[2]]
            rows.append((f"B{district}-{i:06d}", f"基准排口{i:06d}", rng.choice(CATS), river, district, lat, lon,
                         rng.choice(PHASES), "ACTIVE", 0, now, now, 1))
        c.executemany("""INSERT INTO outfalls (code, name, category, river_code, district_code, lat, lon, phase, status,
                         signboard_installed, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows)
        return c.execute("SELECT count(*) FROM outfalls").fetchone()[0]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def pan(page, cdp, seconds: float) -> dict:
    box = page.locator(".mapwrap").bounding_box()
    cx, cy = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4
    before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    page.evaluate("""() => { window.__frames = []; let last = performance.now();
        const f = (t) => { window.__frames.push(t - last); last = t; if (window.__framesOn) requestAnimationFrame(f); };
        window.__framesOn = true; requestAnimationFrame(f); }""")
    end = time.time() + seconds
    step = 0
    while time.time() < end:
        dx = 220 if step % 2 == 0 else -220
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + dx, cy + dx / 3, steps=20)
        page.mouse.up()
        step += 1
    page.evaluate("window.__framesOn = false")
    frames = page.evaluate("window.__frames")[1:]
    after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"frames": len(frames), "frame_ms_p50": round(pct(frames, 50), 1), "frame_ms_p95": round(pct(frames, 95), 1),
            "frame_ms_max": round(max(frames), 1), "fps": round(len(frames) / seconds, 1),
            "script_s": round(after["ScriptDuration"] - before["ScriptDuration"], 2),
            "task_s": round(after["TaskDuration"] - before["TaskDuration"], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outfalls", type=int, default=60_000)
    ap.add_argument("--pan-seconds", type=float, default=5.0)
    ap.add_argument("--width", type=int, default=1920)
    ap.add_argument("--height", type=int, default=1080)
    ap.add_argument("--console-dir", help="serve another build of the console (e.g. an earlier commit's dist) "
                                          "to compare before / after on the same machine and load")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "console_map_latest.json"),
                    help="where to write the result as JSON (empty: print only)")
    a = ap.parse_args()
    env = {"OUTFALLWATCH_CONSOLE_DIR": a.console_dir} if a.console_dir else None
    load_before = os.getloadavg()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="console-bench-") as d:
        data = Path(d)
        server = start_server(data)
        stop_server(server)  # migrated and seeded; now add the city
        n = fill(data / "outfallwatch.db", a.outfalls)
        server = start_server(data, env)
        try:
            token = server.token("supervisor")
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM)
                ctx = b.new_context(viewport={"width": a.width, "height": a.height})
                ctx.add_init_script(f"try {{ localStorage.setItem('outfallwatch.token', '{token}') }} catch (e) {{}}")
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                cdp.send("Performance.enable")
                t0 = time.time()
                page.goto(server.url + "/console/#/map")
                page.wait_for_function("() => window.__owFirstDraw", timeout=120_000, polling=50)
                first = page.evaluate("window.__owFirstDraw")  # ms since navigation start
                # Where the time went (marks the console sets; absent in builds before outfallPoints).
                marks = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('mark')
                    .filter(m => m.name.startsWith('ow:')).map(m => [m.name.slice(3), Math.round(m.startTime)]))""")
                page.wait_for_function(f"() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn === {n}",
                                       timeout=600_000, polling=100)
                all_drawn = (time.time() - t0) * 1000
                overview = pan(page, cdp, a.pan_seconds)
                mode_overview = page.evaluate("window.__owLayer.drawnAs ? window.__owLayer.drawnAs() : 'points'")
                cells = page.evaluate("window.__owMap.getSource('outfall-cells') ? "
                                      "window.__owMap.querySourceFeatures('outfall-cells').length : null")
                t1 = time.time()
                page.evaluate("window.__owMap.jumpTo({center: [106.55, 29.56], zoom: 11})")
                page.wait_for_timeout(50)  # the jump's moveend starts the box's read
                page.wait_for_function("() => window.__owLayer.idle() && window.__owMap.loaded()", timeout=600_000,
                                       polling=50)
                zoom11_ms = (time.time() - t1) * 1000
                page.wait_for_timeout(500)
                city = pan(page, cdp, a.pan_seconds)
                on_screen = page.evaluate("window.__owMap.queryRenderedFeatures({layers: ['outfalls']}).length")
                b.close()
        finally:
            stop_server(server)
    result = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
              "command": " ".join(["bench/console_map_bench.py", *sys.argv[1:]]),
              "outfalls": n, "viewport": f"{a.width}x{a.height}", "console": a.console_dir or "this checkout",
              "loadavg_before": [round(x, 1) for x in load_before],
              "loadavg_after": [round(x, 1) for x in os.getloadavg()], "first_draw_ms": round(first),
              "first_draw_breakdown_ms": marks,
              "all_drawn_ms": round(all_drawn), "overview_drawn_as": mode_overview, "overview_cells": cells,
              "pan_overview": overview,
              "zoom11_points_drawn_ms": round(zoom11_ms),
              "pan_zoom11_central": {**city, "points_on_screen": on_screen}}
    print(json.dumps(result, indent=2))
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
