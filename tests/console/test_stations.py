"""Stations in the console (issue 15 item 9, issue 14): the station layer on the one-map and its list,
reachable by keyboard; the station page's calendar, series, episodes and upstream suspects equal the
API's; a supervisor raises tasks for the top suspects in one step; a supervisor creates a task from the
map, for a picked outfall and for a picked point."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.console.conftest import OTHER, screenshot

CST = timezone(timedelta(hours=8))
MAP_READY = "() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn > 0"


def task(server, token, id_: str) -> dict:
    return server.gql("""query($id: ID!) { task(id: $id) { code title outfall { id } district { code }
        location { lat lon } } }""", {"id": id_}, token)["task"]


def off_target_station(server, token) -> dict:
    st = server.gql("""{ stations { id code name offTarget status episodes(first: 5) { kind clearedAt
        failing { parameter } } } }""", token=token)["stations"]
    return next(s for s in st if s["offTarget"])


def test_stations_on_the_map_and_by_keyboard(pages, server):
    sup = server.token("supervisor")
    want = server.gql("{ stations { id status } }", token=sup)["stations"]
    active = {s["id"] for s in want if s["status"] == "ACTIVE"}
    off = off_target_station(server, sup)
    page = pages.new(token=sup)
    page.goto(server.url + "/console/#/map")
    page.wait_for_function(MAP_READY + " && window.__owStations > 0", timeout=30_000)
    assert page.evaluate("window.__owStations") == len(active)
    page.wait_for_function("() => window.__owMap.querySourceFeatures('stations').length > 0")
    drawn = page.evaluate("window.__owMap.querySourceFeatures('stations').map(f => f.properties)")
    assert {d["id"] for d in drawn} == active
    assert next(d for d in drawn if d["id"] == off["id"])["off"] is True
    # The list in the panel: the off-target station first, marked; open it by keyboard only.
    summary = page.locator("[data-testid=station-list] summary")
    summary.focus()
    page.keyboard.press("Enter")
    first = page.locator(".stationlist li").first
    assert off["name"] in first.text_content() and first.locator(".badge.bad").count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == off["name"]
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=station-code]")
    assert page.text_content("[data-testid=station-code]") == off["code"]
    assert not page.errors


def test_a_click_on_a_station_opens_its_page(pages, server):
    sup = server.token("supervisor")
    page = pages.new(token=sup)
    page.goto(server.url + "/console/#/map")
    page.wait_for_function(MAP_READY + " && window.__owStations > 0"
                           " && window.__owMap.queryRenderedFeatures({layers: ['stations']}).length > 0", timeout=30_000)
    point = page.evaluate("""() => { const m = window.__owMap, c = m.getCanvas(), r = c.getBoundingClientRect();
        for (const f of m.queryRenderedFeatures({layers: ['stations']})) {
          const xy = m.project(f.geometry.coordinates), x = r.left + xy.x, y = r.top + xy.y;
          if (document.elementFromPoint(x, y) === c) return {x, y, id: f.properties.id, code: f.properties.code};
        } return null; }""")
    assert point, "no station drawn in the open"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("[data-testid=station-code]")
    assert page.text_content("[data-testid=station-code]") == point["code"]
    assert page.evaluate("location.hash") == f"#/station/{point['id']}"


def test_station_page_equals_the_api_and_raises_suspect_tasks(pages, server):
    sup = server.token("supervisor")
    off = off_target_station(server, sup)
    parameter = next(e for e in off["episodes"] if e["kind"] == "POLLUTION" and not e["clearedAt"])["failing"][0]["parameter"]
    year = datetime.now(CST).year
    api = server.gql("""query($id: ID!, $y: Int!, $p: StationParameter!) { station(id: $id) {
        calendar(year: $y) { day waterClass }
        upstreamSuspects(parameter: $p, maxKm: 20, first: 20) { suspects { outfall { id } } } } }""",
                     {"id": off["id"], "y": year, "p": parameter}, sup)["station"]
    page = pages.new(token=sup)
    page.goto(server.url + f"/console/#/station/{off['id']}")
    page.wait_for_selector("[data-testid=suspects-ready]", timeout=30_000)
    page.wait_for_selector("[data-testid=trend]", timeout=30_000)
    assert page.text_content("[data-testid=station-state]") == "未达标"
    cells = page.eval_on_selector_all("[data-testid=calendar] td", "tds => tds.map(td => td.dataset.class)")
    assert cells == [d["waterClass"] or "" for d in api["calendar"]]
    assert any(cells)
    assert page.locator("[data-testid=episodes] tr.open").count() >= 1
    assert page.eval_on_selector("select[name=parameter]", "s => s.value") == parameter
    suspects = [s["outfall"]["id"] for s in api["upstreamSuspects"]["suspects"]]
    assert suspects, "the demo's off-target station has outfalls upstream"
    rows = page.eval_on_selector_all("[data-testid=suspects] tbody tr", "trs => trs.map(tr => tr.dataset.outfall)")
    assert rows == suspects
    top = suspects[:3]
    checked = page.eval_on_selector_all("[data-testid=suspects] tbody tr",
                                        "trs => trs.filter(tr => tr.querySelector('input').checked).map(tr => tr.dataset.outfall)")
    assert checked == top
    screenshot(page, "station-suspects-zh")
    page.click("[data-testid=raise-suspects]")
    page.wait_for_selector("[data-testid=raised] a")
    ids = page.eval_on_selector_all("[data-testid=raised] a", "as => as.map(a => a.hash.split('/').pop())")
    got = sorted(task(server, sup, i)["outfall"]["id"] for i in ids)
    assert got == sorted(top)
    assert not page.errors


def test_supervisor_creates_tasks_from_the_map(pages, server):
    sup = server.token("supervisor")
    page = pages.new(token=sup)
    page.goto(server.url + "/console/#/map")
    page.wait_for_function(MAP_READY, timeout=30_000)
    page.select_option("select[name=district]", OTHER)
    page.wait_for_function(MAP_READY + f" && window.__owLayer.points().every(p => p.district === '{OTHER}')",
                           timeout=30_000)
    page.wait_for_timeout(1000)  # the fit-to-results animation
    # 1. an outfall
    page.click("[data-testid=pick-task]")
    point = page.evaluate("""() => { const m = window.__owMap, c = m.getCanvas(), r = c.getBoundingClientRect();
        for (const f of m.queryRenderedFeatures({layers: ['outfalls']})) {
          const xy = m.project(f.geometry.coordinates), x = r.left + xy.x, y = r.top + xy.y;
          if (document.elementFromPoint(x, y) === c) return {x, y, id: f.properties.id};
        } return null; }""")
    assert point
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("[role=dialog] input[name=title]")
    code = server.gql("query($id: ID!) { outfall(id: $id) { code } }", {"id": point["id"]}, sup)["outfall"]["code"]
    assert code in page.text_content("[role=dialog] h2")
    page.fill("[role=dialog] input[name=title]", "地图上派发的任务")
    page.click("[role=dialog] button[type=submit]")
    page.wait_for_selector("[data-testid=task-created] a")
    created = page.eval_on_selector("[data-testid=task-created] a", "a => a.hash.split('/').pop()")
    node = task(server, sup, created)
    assert (node["title"], node["outfall"]["id"], node["district"]["code"]) == ("地图上派发的任务", point["id"], OTHER)
    # 2. a point with no outfall under it, a little beside one: the district is the nearest outfall's
    page.click("[data-testid=pick-task]")
    empty = page.evaluate("""() => { const m = window.__owMap, c = m.getCanvas(), r = c.getBoundingClientRect();
        for (const f of m.queryRenderedFeatures({layers: ['outfalls']})) {
          const o = m.project(f.geometry.coordinates);
          for (const [dx, dy] of [[24, 0], [-24, 0], [0, 24], [0, -24]]) {
            const x = o.x + dx, y = o.y + dy;
            if (document.elementFromPoint(r.left + x, r.top + y) !== c) continue;
            if (m.queryRenderedFeatures([[x - 8, y - 8], [x + 8, y + 8]]).filter(g => g.layer.id !== 'rivers').length) continue;
            const ll = m.unproject([x, y]); return {x: r.left + x, y: r.top + y, lat: ll.lat, lon: ll.lng};
          }
        } return null; }""")
    assert empty
    page.mouse.click(empty["x"], empty["y"])
    page.wait_for_selector("[role=dialog] input[name=title]")
    lat, lon = (float(v) for v in page.text_content("[role=dialog] h2").split("·")[1].split(","))
    assert abs(lat - empty["lat"]) < 2e-3 and abs(lon - empty["lon"]) < 2e-3  # the pixel the mouse hit
    page.fill("[role=dialog] input[name=title]", "地图点位任务")
    page.click("[role=dialog] button[type=submit]")
    page.wait_for_function(f"() => document.querySelector('[data-testid=task-created] a')?.hash !== '#/task/{created}'")
    second = page.eval_on_selector("[data-testid=task-created] a", "a => a.hash.split('/').pop()")
    node = task(server, sup, second)
    assert node["title"] == "地图点位任务" and node["outfall"] is None
    assert abs(node["location"]["lat"] - lat) < 1e-5 and abs(node["location"]["lon"] - lon) < 1e-5
    assert not page.errors
