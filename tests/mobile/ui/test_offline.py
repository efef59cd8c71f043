"""Offline honesty (issue 16 item 6), under Xvfb: the same phone signs in once with the server up,
then runs against an address where nothing answers. It must say prominently what waits on the
phone, never claim a sync ("同步完成") that did not reach the server, and name an outfall it
registered offline by its river and district (长江, 渝中区), not their codes (YANGTZE, 500103)."""
from __future__ import annotations

import socket

import pytest

from tests.mobile.ui.conftest import run_role


def _dead_address() -> str:
    """A local port nothing listens on (bound, then closed): connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def offline_run(display, ui_server, tmp_path_factory, shots_dir) -> dict:
    work = tmp_path_factory.mktemp("ui-offline")
    gps = ["--gps", "29.5610,106.5815"]
    first = run_role("offline_prepare", display, ui_server, work, gps, {}, phone="field")
    assert first.get("ok") and not first.get("errors"), first.get("errors")
    return run_role("offline", display, ui_server, work, gps, {}, server_url=_dead_address(), phone="field")


def _ok(run):
    assert run.get("ok") and not run.get("errors"), f"{run.get('errors')}\n{run.get('log_tail')}"


def test_offline_banner_says_what_waits_and_never_claims_a_sync(offline_run):
    _ok(offline_run)
    home = offline_run["offline_home"]
    records, photos, _failures = home["counts"]
    assert records == 2  # the registration and its inspection, both still on the phone
    assert home["banner"].startswith("离线") and f"{records} 条记录" in home["banner"]
    assert "未发送" in home["message"] and "连不上服务器" in home["message"]
    # Prominent: bold, body-size or larger, a box of its own near the top of the screen.
    assert home["banner_bold"] and home["banner_font_sp"] >= 18
    assert home["banner_height"] >= 48 and home["banner_top_from_window_top"] < 300
    everything = " | ".join(home["texts"] + [home["message"]])
    for claim in ("同步完成", "已同步", "已送达服务器", "Sync complete", "synced"):
        assert claim not in everything, f"claims a sync that never reached the server: {claim!r}"
    en = " | ".join(offline_run["offline_home_en"])
    assert "OFFLINE" in en and "only on this phone" in en and "Sync complete" not in en


def test_offline_registered_outfall_is_named_not_coded(offline_run):
    _ok(offline_run)
    texts = offline_run["offline_outfall_texts"]
    joined = " | ".join(texts)
    assert "离线登记排口 UI" in joined
    assert "长江" in joined and "渝中区" in joined
    assert "YANGTZE" not in joined and "500103" not in joined
    # Judged as the server will judge it: a new registration's standard is to be assigned, so its
    # effluent is recorded, not judged (no live "exceeds" figure the server will not confirm).
    assert "执行标准待确定" in offline_run["offline_inspection_standard"]
    assert offline_run["offline_inspection_verdict"] == "标准待确定"


def test_offline_screens_meet_the_size_and_contrast_rules(offline_run):
    audited = offline_run.get("audit") or {}
    assert {"13_offline_outfall", "13_offline_outfall_en", "14_offline_home", "14_offline_home_en"} <= set(audited)
    bad = {n: p for n, p in audited.items() if p}
    assert not bad, bad
