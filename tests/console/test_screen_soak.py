"""The command screen runs unattended: a shortened soak (OUTFALLWATCH_SOAK_SECONDS, default 60 s) with
task events flowing the whole time; the JS heap after a forced collection must not keep growing
(the feed is bounded, map refreshes replace their data, listeners are not leaked)."""
from __future__ import annotations

import os
import time

from tests.console.conftest import OTHER, create_task, outfall_in

SOAK_SECONDS = float(os.environ.get("OUTFALLWATCH_SOAK_SECONDS", "60"))


def heap_mb(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
    return m["JSHeapUsedSize"] / 1e6


def test_screen_heap_stays_flat_with_events_flowing(pages, server):
    token = server.token("supervisor")
    outfall = outfall_in(server, token, OTHER)
    page = pages.new(token=token, width=1920, height=1080)
    page.goto(server.url + "/screen/")
    page.wait_for_selector("[data-testid=conn].ok", timeout=20_000)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def burst(n):
        for i in range(n):
            create_task(server, token, district=OTHER, title=f"浸泡测试 {time.time():.0f}-{i}", outfall=outfall)

    burst(45)  # fill the feed past its bound, so growth after this point would be a leak
    page.wait_for_timeout(3000)
    start = heap_mb(cdp)
    samples = []
    end = time.time() + SOAK_SECONDS
    while time.time() < end:
        burst(3)
        page.wait_for_timeout(1000)
        samples.append(heap_mb(cdp))
    page.wait_for_timeout(2000)
    final = heap_mb(cdp)
    assert page.locator("[data-testid=feed] li").count() <= 40
    # Flat: within 3 MB (or 15 %) of where it started, and no steady climb over the second half.
    assert final - start < max(3.0, 0.15 * start), (start, final, samples)
    half = samples[len(samples) // 2:]
    assert max(half) - min(half) < max(3.0, 0.15 * start), half
    assert page.locator("[data-testid=conn].ok").count() == 1
    assert not page.errors
