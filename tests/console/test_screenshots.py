"""A screenshot of every page in both languages into artifacts/console/ (the issue's note lists them),
at the common office size 1366×768 and at 1920×1080; each page is checked to have rendered its own
content first, and axe-core (WCAG 2.1 A/AA: contrast, names, labels) finds nothing on it."""
from __future__ import annotations

import pytest

from tests.console.conftest import HOME, assert_accessible, make_submission, outfall_in, screenshot


@pytest.fixture(scope="module")
def data(server):
    sub = make_submission(server, seed=501, title="截图用整改任务")
    sup = server.token("supervisor")
    stations = server.gql("{ stations { id code offTarget } }", token=sup)["stations"]
    station = next((s for s in stations if s["offTarget"]), stations[0])
    return {"task": sub["task"], "outfall": outfall_in(server, sup, HOME), "station": station}


MAP_READY = "() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn > 0 && window.__owStations > 0"


def shots(data) -> list[tuple]:
    return [
        ("map", "#/map", MAP_READY),
        ("profile", f"#/outfall/{data['outfall']['id']}", "[data-testid=profile-code]"),
        ("station", f"#/station/{data['station']['id']}", "[data-testid=suspects-ready]", "[data-testid=trend]"),
        ("ledger", "#/tasks", "tr[data-task]"),
        ("task", f"#/task/{data['task']['id']}", "ol.history li"),
        ("review", "#/review", "[data-testid=checks] li"),
        ("brief", "#/brief", ".chartgrid canvas"),
    ]


def visit(page, server, route: str, *ready: str) -> None:
    page.goto(server.url + "/console/" + route)
    for r in ready:
        if r.startswith("()"):
            page.wait_for_function(r, timeout=30_000)
        else:
            page.wait_for_selector(r, timeout=30_000)
    page.wait_for_timeout(700)  # images, charts and map tiles settle


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page(pages, server, data, lang):
    page = pages.new(lang=lang)
    page.goto(server.url + "/console/")
    page.wait_for_selector("form[aria-label] input[name=username]")
    screenshot(page, f"login-{lang}")
    assert_accessible(page, f"login ({lang})")

    page = pages.as_("supervisor", lang=lang)
    for name, route, *ready in shots(data):
        visit(page, server, route, *ready)
        screenshot(page, f"{name}-{lang}")
        assert_accessible(page, f"{name} ({lang})")
    assert not page.errors


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_at_1920(pages, server, data, lang):
    page = pages.as_("supervisor", lang=lang, width=1920, height=1080)
    for name, route, *ready in shots(data):
        visit(page, server, route, *ready)
        screenshot(page, f"{name}-1920-{lang}")
        assert_accessible(page, f"{name} at 1920 ({lang})")
    page.goto(server.url + "/screen/")
    page.wait_for_function(MAP_READY.replace(" && window.__owStations > 0", ""), timeout=30_000)
    page.wait_for_timeout(700)
    screenshot(page, f"screen-1920-{lang}")
    assert_accessible(page, f"screen ({lang})")
    assert not page.errors
