"""A screenshot of every page in both languages into artifacts/console/ (the issue's note lists them),
at the common office size 1366×768; each page is checked to have rendered its own content first."""
from __future__ import annotations

import pytest

from tests.console.conftest import HOME, make_submission, outfall_in, screenshot


@pytest.fixture(scope="module")
def data(server):
    sub = make_submission(server, seed=501, title="截图用整改任务")
    return {"task": sub["task"], "outfall": outfall_in(server, server.token("supervisor"), HOME)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page(pages, server, data, lang):
    page = pages.new(lang=lang)
    page.goto(server.url + "/console/")
    page.wait_for_selector("form[aria-label] input[name=username]")
    screenshot(page, f"login-{lang}")

    page = pages.as_("supervisor", lang=lang)
    shots = [
        ("profile", f"#/outfall/{data['outfall']['id']}", "[data-testid=profile-code]"),
        ("ledger", "#/tasks", "tr[data-task]"),
        ("task", f"#/task/{data['task']['id']}", "ol.history li"),
        ("review", "#/review", "[data-testid=checks] li"),
        ("brief", "#/brief", ".chartgrid canvas"),
    ]
    for name, route, ready in shots:
        page.goto(server.url + "/console/" + route)
        page.wait_for_selector(ready, timeout=20_000)
        page.wait_for_timeout(700)  # images, charts and map tiles settle
        screenshot(page, f"{name}-{lang}")
    big = pages.as_("supervisor", lang=lang, width=1920, height=1080)
    big.goto(server.url + "/console/#/review")
    big.wait_for_selector("[data-testid=checks] li")
    big.wait_for_timeout(700)
    screenshot(big, f"review-1920-{lang}")
    assert not page.errors and not big.errors
