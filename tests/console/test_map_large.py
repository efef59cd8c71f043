"""The one-map over a register too large to send point by point (more than the console's 5,000): the
city overview is the server's cells (outfallClusters), zoomed in it is the view's points, and what the
page says is on screen is exactly what the database holds there. Its own server, filled past 5,000."""
from __future__ import annotations

import pytest

from bench.console_map_bench import fill
from tests.console.conftest import OTHER, screenshot, start_server, stop_server

TOTAL = 6_500
IDLE = "() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn !== undefined"


@pytest.fixture(scope="module")
def big(console_build, tmp_path_factory):
    d = tmp_path_factory.mktemp("console-large")
    s = start_server(d)
    stop_server(s)  # migrated and seeded; now past the console's point-by-point limit
    assert fill(d / "outfallwatch.db", TOTAL) == TOTAL
    s = start_server(d)
    yield s
    stop_server(s)


def in_box(server, bbox: str, column: str = "", value: str = "") -> int:
    s, w, n, e = (float(x) for x in bbox.split(","))
    extra = f" AND {column} = $5" if column else ""
    return server.count("SELECT count(*) FROM outfalls WHERE lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4" + extra,
                        s, n, w, e, *([value] if column else []))


def check_on_screen(page, server) -> int:
    """The statistics panel against the database, for the box it says it counted."""
    page.wait_for_function("() => document.querySelector('.stats')?.dataset.bbox")
    page.wait_for_timeout(600)  # a last debounced refresh after the view settled
    bbox = page.get_attribute(".stats", "data-bbox")
    n = in_box(server, bbox)
    shown = int(page.text_content("[data-testid=onscreen-count]"))
    assert shown == n, (bbox, shown, n)
    for phase in ("SURVEYED", "MONITORED", "TRACED", "REMEDIATED"):
        bar = page.query_selector(f".stats .bar[data-key={phase}] .v")
        assert (int(bar.text_content()) if bar else 0) == in_box(server, bbox, "phase", phase)
    for bar in page.query_selector_all(".stats section:nth-of-type(3) .bar"):
        assert int(bar.query_selector(".v").text_content()) == in_box(server, bbox, "district_code",
                                                                       bar.get_attribute("data-key"))
    return n


def test_large_register_cells_then_points_and_exact_statistics(pages, big):
    page = pages.new(token=big.token("supervisor"), width=1366, height=768)
    page.goto(big.url + "/console/#/map")
    page.wait_for_function(IDLE + f" && window.__owLayer.drawnAs() === 'clusters' && window.__owDrawn === {TOTAL}",
                           timeout=60_000)
    assert page.text_content("[data-testid=filtered-count]") == str(TOTAL)
    cells = page.evaluate("window.__owMap.querySourceFeatures('outfall-cells').length")
    assert 0 < cells < 1500
    assert page.evaluate("window.__owLayer.points().length") == 0  # no point reached the browser
    check_on_screen(page, big)
    screenshot(page, "map-large-cells-zh")
    page.click("[data-testid=stats-toggle]")  # the bars fold away (they cover the south at 1366×768)
    assert page.query_selector(".stats .bar") is None and page.text_content("[data-testid=onscreen-count]")
    page.click("[data-testid=stats-toggle]")
    page.wait_for_selector(".stats .bar")

    # A district of the big city is small enough to be drawn point by point, exactly.
    want = big.count("SELECT count(*) FROM outfalls WHERE district_code = $1", OTHER)
    page.select_option("select[name=district]", OTHER)
    page.wait_for_function(f"() => document.querySelector('[data-testid=filtered-count]')?.textContent === '{want}'",
                           timeout=60_000)
    page.wait_for_function(IDLE + f" && window.__owLayer.drawnAs() === 'all' && window.__owDrawn === {want}")
    assert set(page.evaluate("window.__owLayer.points().map(p => p.district)")) == {OTHER}

    # The whole city again, zoomed in over central Chongqing: the view's points, not cells.
    page.select_option("select[name=district]", "")
    page.wait_for_function(IDLE + " && window.__owLayer.drawnAs() === 'clusters'", timeout=60_000)
    page.evaluate("window.__owMap.jumpTo({center: [106.55, 29.56], zoom: 12})")
    page.wait_for_function(IDLE + " && window.__owLayer.drawnAs() === 'bbox'", timeout=60_000)
    page.wait_for_function("() => window.__owMap.loaded()")
    n = check_on_screen(page, big)
    assert n > 0
    screenshot(page, "map-large-zoom12-zh")
    b = page.evaluate("(() => { const b = window.__owMap.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; })()")
    inside = page.evaluate("""([s, w, n, e]) => window.__owLayer.points()
        .filter(p => p.lat >= s && p.lat <= n && p.lon >= w && p.lon <= e).length""", b)
    assert inside == in_box(big, ",".join(map(str, b)))  # every outfall in view was loaded

    # A pan out of the loaded box loads the next one; the overview again shows cells.
    page.evaluate("window.__owMap.jumpTo({center: [107.9, 30.8], zoom: 12})")
    page.wait_for_function(IDLE + " && window.__owLayer.drawnAs() === 'bbox'", timeout=60_000)
    check_on_screen(page, big)
    page.evaluate("window.__owMap.jumpTo({center: [107.6, 30.0], zoom: 7})")
    page.wait_for_function(IDLE + f" && window.__owLayer.drawnAs() === 'clusters' && window.__owDrawn === {TOTAL}",
                           timeout=60_000)
    assert not page.errors


def test_cells_coloured_by_task_show_a_new_tasks_outfall(pages, big):
    from tests.console.conftest import create_task, outfall_in

    token = big.token("supervisor")
    o = outfall_in(big, token, OTHER)
    create_task(big, token, district=OTHER, title="格网着色", outfall=o)
    page = pages.new(token=token)
    page.goto(big.url + "/console/#/map")
    page.wait_for_function(IDLE + " && window.__owLayer.drawnAs() === 'clusters'", timeout=60_000)
    page.select_option("select[name=colour]", "task")
    lat, lon = o["location"]["lat"], o["location"]["lon"]
    # The cell holding the task's outfall turns orange (open task) once the marks are read.
    page.wait_for_function("""([lat, lon]) => { const l = window.__owLayer, m = window.__owMap;
        const f = m.querySourceFeatures('outfall-cells'); if (!f.length) return false;
        const z = Math.min(10, Math.round(m.getZoom())), step = 2 ** (6 - z);
        const x = Math.floor((lon + 180) / step), y = Math.floor((lat + 90) / step);
        return f.some(c => c.properties.x === x && c.properties.y === y && c.properties.colour === '#f39c12'); }""",
                           arg=[lat, lon], timeout=30_000)
    # The task filter on a large register draws the task's outfalls from the marks, exactly.
    page.select_option("select[name=task]", "open")
    page.wait_for_function(IDLE + " && window.__owLayer.drawnAs() === 'marks'", timeout=30_000)
    ids = page.evaluate("window.__owLayer.points().map(p => p.id)")
    assert o["id"] in ids
    open_ids = {e["node"]["outfall"]["id"] for e in big.gql(
        "{ tasks(filter: {status: [OPEN, IN_PROGRESS, SUBMITTED, REJECTED]}, first: 500) { edges { node { outfall { id } } } } }",
        token=token)["tasks"]["edges"] if e["node"]["outfall"]}
    assert set(ids) == open_ids
    assert page.text_content("[data-testid=filtered-count]") == str(len(open_ids))
    assert not page.errors
