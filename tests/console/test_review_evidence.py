"""The review desk shows every evidence check with its evidence (issue 17 item 5), through the real server
and Chromium: a reused after photo beside the stored original it copies with what was done to it, a
before photo beside the finding photo it matches, and a photo taken ~5.8 km away on a map with the site.
Screenshots: artifacts/console/review-evidence-zh.png, -en.png."""
from __future__ import annotations

import json
import os

import pytest

from tests.console.conftest import Pages, assert_accessible, fresh_pg_database, screenshot, start_server, stop_server


@pytest.fixture(scope="module")
def seeded(console_build, tmp_path_factory):
    """A server of its own (the shared one's review queue stays as the other tests expect it)."""
    from tests.factories import review_evidence

    pg = os.environ.get("OUTFALLWATCH_TEST_DATABASE_URL")
    s = start_server(tmp_path_factory.mktemp("console-evidence"),
                     database_url=fresh_pg_database(pg, "_console_evidence") if pg else None)
    try:
        yield s, review_evidence.seed(s.url)
    finally:
        stop_server(s)


@pytest.fixture
def desk(playwright_browser, seeded):
    s, ids = seeded
    p = Pages(playwright_browser, s)
    yield p, s, ids
    p.close()


def _open(p, s, ids, lang):
    page = p.as_("supervisor", lang=lang, height=1400)
    page.goto(s.url + "/console/#/review")
    page.click(f"button.qitem[data-task='{ids['task_code']}']")
    page.wait_for_selector(f"h1:has-text('{ids['task_code']}')")
    page.wait_for_selector("[data-testid=evidence-pair][data-code=REUSED_PHOTO]")
    page.wait_for_function("() => [...document.querySelectorAll('.pair img')].every(i => i.complete && i.naturalWidth > 0)")
    return page


@pytest.mark.parametrize("lang,edit,apart", [("zh", "镜像翻转", "相距 5.8 km"), ("en", "mirrored", "5.8 km apart")])
def test_each_check_shows_its_photos_side_by_side_and_its_positions_on_a_map(desk, lang, edit, apart):
    p, s, ids = desk
    page = _open(p, s, ids, lang)
    # A reuse: the copy first, then the stored original (the task's finding photo), named, with what was done.
    reuse = page.locator("[data-testid=evidence-pair][data-code=REUSED_PHOTO]")
    assert reuse.get_attribute("data-ids") == f"{ids['reused_id']},{ids['finding_id']}"
    captions = reuse.locator("figcaption").all_text_contents()
    assert captions == (["整改后 1", "发现照片 1"] if lang == "zh" else ["After 1", "Finding photo 1"])
    edits = page.locator("li[data-code=REUSED_PHOTO] [data-testid=reuse-edits]").first.text_content()
    assert edit in edits, edits
    # A before photo beside the finding it shows the same view as.
    same = page.locator("[data-testid=evidence-pair][data-code=BEFORE_SAME_VIEW]")
    assert same.get_attribute("data-ids") == f"{ids['before_id']},{ids['finding_id']}"
    # A distance: both positions on the check's own map, inside it, and how far apart.
    far = page.locator("li[data-code=FAR_FROM_SITE]").first
    m = far.locator("[data-testid=check-map]")
    got = {x["label"]: (x["lat"], x["lon"]) for x in json.loads(m.get_attribute("data-positions"))}
    assert got == {"photo": pytest.approx(ids["far"], abs=1e-5), "site": pytest.approx(ids["site"])}
    assert apart in far.text_content()
    m.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # markers placed after the map's first frame
    box = m.bounding_box()
    for label in ("photo", "site"):
        pin = m.locator(f".pin[data-label={label}]").bounding_box()
        cx, cy = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2
        assert box["x"] <= cx <= box["x"] + box["width"] and box["y"] <= cy <= box["y"] + box["height"], (label, pin, box)
    page.locator("[data-testid=checks]").scroll_into_view_if_needed()
    screenshot(page, f"review-evidence-{lang}")
    assert_accessible(page, f"review with evidence ({lang})")
    assert not page.errors
