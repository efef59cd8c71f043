"""The command screen at 1920×1080: a new task shows in its live feed within 2 s, and after the server
drops every connection (a restart) it reconnects by itself and keeps showing new events."""
from __future__ import annotations

import time

import pytest

from tests.console.conftest import OTHER, create_task, outfall_in, screenshot, start_server, stop_server


def open_screen(pages, server_, lang="zh"):
    page = pages.new(token=server_.token("supervisor"), lang=lang, width=1920, height=1080)
    page.goto(server_.url + "/screen/")
    page.wait_for_selector("[data-testid=conn].ok", timeout=20_000)
    page.wait_for_function("() => document.querySelector('[data-testid=fig-open]')?.textContent !== '…'")
    return page


def test_a_new_task_is_on_the_screen_within_2_seconds(pages, server):
    page = open_screen(pages, server)
    token = server.token("supervisor")
    before = int(page.text_content("[data-testid=fig-open]"))
    task = create_task(server, token, district=OTHER, title="大屏测试任务", outfall=outfall_in(server, token, OTHER))
    page.wait_for_selector(f"[data-testid=feed] li[data-task='{task['code']}']", timeout=2000)
    page.wait_for_function(f"() => Number(document.querySelector('[data-testid=fig-open]').textContent) === {before + 1}",
                           timeout=5000)
    assert not page.errors


@pytest.fixture
def own_server(console_build, tmp_path):
    s = start_server(tmp_path)
    yield s
    stop_server(s)


def test_the_screen_survives_a_dropped_connection(pages, own_server, tmp_path):
    s = own_server
    page = open_screen(pages, s)
    stop_server(s)  # every WebSocket drops, every request fails
    page.wait_for_selector("[data-testid=conn].bad", timeout=10_000)
    time.sleep(1)
    restarted = start_server(s.data_dir, port=int(s.url.rsplit(":", 1)[1]))
    try:
        page.wait_for_selector("[data-testid=conn].ok", timeout=30_000)  # back-off is capped at 15 s
        token = restarted.token("supervisor")
        task = create_task(restarted, token, district=OTHER, title="断线后任务", outfall=outfall_in(restarted, token, OTHER))
        page.wait_for_selector(f"[data-testid=feed] li[data-task='{task['code']}']", timeout=5000)
        assert not page.errors
    finally:
        s.proc = restarted.proc


def test_screen_screenshots(pages, server):
    for lang in ("zh", "en"):
        page = open_screen(pages, server, lang)
        page.wait_for_function("() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn > 0", timeout=30_000)
        page.wait_for_timeout(800)
        screenshot(page, f"screen-{lang}")
