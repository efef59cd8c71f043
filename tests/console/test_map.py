"""The one-map in a real browser: a supervisor signs in, filters to a district and sees exactly that
district's outfalls (count and drawn points match the database), and a click opens the profile."""
from __future__ import annotations

from tests.console.conftest import OTHER, screenshot

WAIT_LOADED = "() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn !== undefined"


def db_count(server, sql: str, *args) -> int:
    return server.count(sql, *args)


def test_supervisor_filters_the_map_to_a_district(pages, server):
    page = pages.new()
    page.goto(server.url + "/console/")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "supervisor-demo")
    page.click("button[type=submit]")
    total = db_count(server, "SELECT count(*) FROM outfalls")
    page.wait_for_function(f"() => document.querySelector('[data-testid=filtered-count]')?.textContent === '{total}'")
    # the whole demo city is in the first view: every outfall drawn, once
    page.wait_for_function(WAIT_LOADED + f" && window.__owDrawn === {total}", timeout=30_000)

    want = db_count(server, "SELECT count(*) FROM outfalls WHERE district_code = $1", OTHER)
    assert want > 0
    page.select_option("select[name=district]", OTHER)
    page.wait_for_function(f"() => document.querySelector('[data-testid=filtered-count]')?.textContent === '{want}'")
    page.wait_for_function(WAIT_LOADED + " && window.__owDrawn === " + str(want), timeout=30_000)
    codes = page.evaluate("window.__owLayer.points().map(p => p.district)")
    assert set(codes) == {OTHER}
    assert not page.errors


def test_map_screenshots_in_both_languages(pages, server):
    for lang in ("zh", "en"):
        page = pages.as_("supervisor", lang=lang)
        page.goto(server.url + "/console/#/map")
        page.wait_for_function(WAIT_LOADED + " && window.__owDrawn > 0", timeout=30_000)
        page.wait_for_timeout(500)
        screenshot(page, f"map-{lang}")
        if lang == "en":
            assert "Filtered" in page.text_content("aside")
        else:
            assert "筛选结果" in page.text_content("aside")
