"""The phone's review screen shows every evidence check with its evidence (issue 17 item 5), driven under
Xvfb against a real server: a reused after photo beside the stored original with what was done to it, a
before photo beside the finding it matches, and a photo taken far away on a map with the site. PNGs:
artifacts/screenshots/16_review_evidence*.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.mobile.ui.conftest import SHOTS, WALK_START, run_role

NAMES = ["16_review_evidence", "16_review_evidence_en", "16_review_evidence_map", "16_review_evidence_map_en"]


@pytest.fixture(scope="module")
def run(display, ui_server, tmp_path_factory, shots_dir):
    from tests.factories import review_evidence

    ids = review_evidence.seed(ui_server.url)
    work = tmp_path_factory.mktemp("ui-evidence")
    out = run_role("review_evidence", display, ui_server, work, ["--gps", f"{WALK_START[0]},{WALK_START[1]}"],
                   {"task_id": ids["task_id"]})
    assert out.get("ok") and not out.get("errors"), f"{out.get('errors')}\n--- app log ---\n{out.get('log_tail')}"
    return out, ids


def test_a_reuse_shows_the_copy_beside_the_stored_original_with_what_was_done(run):
    out, ids = run
    for suffix, words in (("", "镜像翻转"), ("_en", "mirrored")):
        reuse = out[f"reuse_shown{suffix}"]
        assert [(p["id"], p["role"]) for p in reuse["side_by_side"]] == [(ids["reused_id"], "after"),
                                                                        (ids["finding_id"], "finding")]
        assert all(p["path"] and Path(p["path"]).stat().st_size > 1000 for p in reuse["side_by_side"])
        assert words in reuse["edits"], reuse
    texts = " | ".join(out["evidence_texts"])
    assert "已存照片" in texts or "发现" in texts
    assert "对原图所做的处理" in texts and "What was done to the stored photo" in " | ".join(out["evidence_texts_en"])


def test_a_before_photo_is_shown_beside_the_finding_it_matches(run):
    out, ids = run
    same = next(r for r in out["evidence"] if r["code"] == "BEFORE_SAME_VIEW")
    assert [(p["id"], p["role"]) for p in same["side_by_side"]] == [(ids["before_id"], "before"),
                                                                   (ids["finding_id"], "finding")]


def test_a_distance_shows_both_positions_on_a_map(run):
    out, ids = run
    for suffix in ("", "_en"):
        m = out[f"evidence_map{suffix}"]
        got = {p["label"]: (p["lat"], p["lon"]) for p in m["positions"]}
        assert got == {"photo": pytest.approx(ids["far"], abs=1e-5), "site": pytest.approx(ids["site"])}
        assert 5000 < m["distance_m"] < 6500
        marks = {k["label"]: k for k in m["marks"]}
        assert set(marks) == {"photo", "site"} and all(k["inside"] for k in marks.values()), m
        # What the screen shows at each mark: the photo's blue dot, the site's red one.
        r, g, b = marks["photo"]["colour"]
        assert b > 150 and b > r + 60, marks["photo"]
        r, g, b = marks["site"]["colour"]
        assert r > 120 and r > g + 60 and r > b + 60, marks["site"]
    assert "相距 5.8 km" in " | ".join(out["evidence_texts"]) or "相距" in " | ".join(out["evidence_texts"])
    assert "5.8 km apart" in " | ".join(out["evidence_texts_en"])


def test_evidence_screens_are_pictured_and_pass_the_size_and_contrast_audit(run):
    from PIL import Image

    out, _ids = run
    for name in NAMES:
        path = SHOTS / f"{name}.png"
        assert path.is_file(), path
        with Image.open(path) as img:
            colours = img.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 30, f"{name} looks blank"
        assert out["audit"][name] == [], (name, out["audit"][name])
