"""What the phone's review screen shows beside each evidence check (issue 17 item 5), without a screen:
the photos a check compares side by side and the positions a distance was measured between, framed on
a map; first on made answers, then end to end from a real server (mobile/app/lookups.py)."""
from __future__ import annotations

import math

import pytest

from mobile.core import evidence, mapping
from mobile.core.evidence import Photo


def _media(mid, checks=(), path=None):
    return {"id": mid, "checks": list(checks), "localPath": path}


FAR = {"code": "FAR_FROM_SITE", "severity": "FAIL", "messageEn": "taken 1.8 km away", "messageZh": "距现场 1.8 公里",
       "relatedMediaIds": [], "positions": [{"label": "photo", "lat": 29.58, "lon": 106.53},
                                            {"label": "site", "lat": 29.5647, "lon": 106.587}], "distanceM": 1800.0}
SAME = {"code": "AFTER_SAME_AS_BEFORE", "severity": "FAIL", "messageEn": "after looks like before",
        "messageZh": "前后相同", "relatedMediaIds": ["21", "11"]}
REUSED = {"code": "REUSED_PHOTO", "severity": "FAIL", "messageEn": "copy of #5", "messageZh": "#5 的副本",
          "mediaId": "21", "relatedMediaIds": ["5"], "relatedMedia": [{"id": "5", "localPath": "/t/5.img"}],
          "reuse": {"mirrored": True, "wordsZh": ["镜像翻转", "旋转 90°"], "wordsEn": ["mirrored", "turned 90°"]}}


def _task(**sub):
    return {"media": [{"id": "5", "localPath": "/t/5.img"}], "latestSubmission": {
        "before": [_media("11", path="/t/11.img")],
        "after": [_media("21", [REUSED], "/t/21.img"), _media("22", [FAR], "/t/22.img")],
        "checks": [FAR, REUSED, SAME], **sub}}


def test_each_photos_checks_come_first_named_after_it_then_the_submissions_own():
    shown = evidence.evidence(_task())
    assert [(e.check["code"], e.photo and (e.photo.role, e.photo.number)) for e in shown] == [
        ("REUSED_PHOTO", ("after", 1)), ("FAR_FROM_SITE", ("after", 2)), ("AFTER_SAME_AS_BEFORE", None)]
    assert evidence.evidence({"latestSubmission": {"checks": [SAME]}})[0].photo is None
    assert evidence.evidence({}) == []


def test_a_comparison_is_shown_side_by_side_this_photo_first():
    reused, far, same = evidence.evidence(_task())
    # The task's own finding photo is named as such, not as some stored photo.
    assert reused.side_by_side == [Photo("21", "after", 1, "/t/21.img"), Photo("5", "finding", 1, "/t/5.img")]
    assert reused.edits(zh=True) == ["镜像翻转", "旋转 90°"] and reused.edits(zh=False) == ["mirrored", "turned 90°"]
    assert same.side_by_side == [Photo("21", "after", 1, "/t/21.img"), Photo("11", "before", 1, "/t/11.img")]
    assert far.side_by_side == [] and far.edits(zh=True) == []
    assert far.positions == FAR["positions"] and far.distance_m == 1800.0


def test_a_stored_photo_of_another_record_is_shown_and_one_the_caller_may_not_see_is_left_out():
    task = _task()
    task["media"] = []  # the original is some other record's photo now
    reused = evidence.evidence(task)[0]
    assert reused.side_by_side[1] == Photo("5", "stored", None, "/t/5.img")
    hidden = {**REUSED, "relatedMedia": []}  # relatedMediaIds names it; the server left it out
    task["latestSubmission"]["after"][0]["checks"] = [hidden]
    task["latestSubmission"]["checks"] = [hidden]
    assert evidence.evidence(task)[0].side_by_side == []  # one photo alone is no comparison
    assert evidence.thumbnails_to_fetch(_task()) == []  # the finding photo is already held
    assert evidence.thumbnails_to_fetch({"latestSubmission": {"checks": [REUSED, REUSED]}}) == [
        {"id": "5", "localPath": "/t/5.img"}]  # once, however often it is named


@pytest.mark.parametrize("points", [
    [(29.5647, 106.587), (29.5648, 106.5871)],  # 14 m apart
    [(29.5647, 106.587), (29.58, 106.53)],  # 5.8 km
    [(29.5647, 106.587), (31.2, 121.47)],  # Chongqing to Shanghai
    [(29.58, 106.53), (29.5647, 106.587)],
])
@pytest.mark.parametrize("datum", ["WGS84", "GCJ02"])
def test_frame_shows_both_positions_inside_the_map_with_room(points, datum):
    w, h, pad = 380.0, 200.0, 28.0
    (lat, lon), zoom = evidence.frame(points, w, h, padding=pad, zooms=(3, 18))
    view = mapping.View(lat, lon, zoom, w, h, datum)
    xy = [view.to_screen(*p) for p in points]
    for x, y in xy:
        assert pad - 1 <= x <= w - pad + 1 and pad - 1 <= y <= h - pad + 1, (xy, zoom)
    spread = max(abs(xy[0][0] - xy[1][0]) / (w - 2 * pad), abs(xy[0][1] - xy[1][1]) / (h - 2 * pad))
    assert spread > 0.98 or zoom == 18  # as close as it can: the two fill the map unless at the deepest zoom


def test_frame_of_one_point_is_the_deepest_zoom_on_it():
    (lat, lon), zoom = evidence.frame([(29.5647, 106.587)], 300, 200, padding=20, zooms=(8, 17))
    assert zoom == 17 and math.isclose(lat, 29.5647, abs_tol=1e-9) and math.isclose(lon, 106.587, abs_tol=1e-9)
    with pytest.raises(ValueError):
        evidence.frame([], 300, 200, padding=20)


# ---- End to end: the review screen's read against a real server ------------------------------------

@pytest.fixture(scope="module")
def seeded(sqlite_template, tmp_path_factory):
    from tests.factories import review_evidence
    from tests.mobile.conftest import demo_server

    d = tmp_path_factory.mktemp("evidence-server")
    with demo_server(d, sqlite_template, secret="mobile-evidence-") as (base, _db, _app):
        yield base, review_evidence.seed(base)


def test_the_review_read_brings_every_check_with_its_photos_and_positions(seeded, tmp_path):
    from PIL import Image

    from mobile.app.lookups import submission_evidence
    from mobile.core.client import Client
    from mobile.core.store import Store
    from tests.mobile.conftest import login

    base, ids = seeded

    class _S:
        url = base

    store = Store.open(tmp_path / "phone")
    client = login(_S, "supervisor")
    try:
        task, fresh = submission_evidence(client, store, ids["task_id"])
        assert fresh
        shown = {(e.check["code"], e.photo and e.photo.media_id): e for e in evidence.evidence(task)}
        reused = shown[("REUSED_PHOTO", ids["reused_id"])]
        assert [(p.media_id, p.role, p.number) for p in reused.side_by_side] == [
            (ids["reused_id"], "after", 1), (ids["finding_id"], "finding", 1)]
        assert "mirrored" in reused.edits(zh=False) and "镜像翻转" in reused.edits(zh=True)
        same = next(e for (code, _m), e in shown.items() if code == "BEFORE_SAME_VIEW")
        assert [(p.media_id, p.role) for p in same.side_by_side] == [(ids["before_id"], "before"),
                                                                      (ids["finding_id"], "finding")]
        for p in reused.side_by_side + same.side_by_side:  # real thumbnails, downloaded once into the phone
            with Image.open(p.path) as img:
                assert max(img.size) >= 64
        far = shown[("FAR_FROM_SITE", ids["far_id"])]
        got = {p["label"]: (p["lat"], p["lon"]) for p in far.positions}
        assert got == {"photo": pytest.approx(ids["far"], abs=1e-5), "site": pytest.approx(ids["site"])}
        assert 5000 < far.distance_m < 6500
        # Offline afterwards: the same evidence from the phone's cache, thumbnails still on disk.
        client.close()
        with Client("http://127.0.0.1:9", timeout=1) as nowhere:
            cached, fresh = submission_evidence(nowhere, store, ids["task_id"])
        assert not fresh and [e.check["code"] for e in evidence.evidence(cached)] == \
            [e.check["code"] for e in evidence.evidence(task)]
    finally:
        client.close()
        store.close()
