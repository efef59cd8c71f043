"""Reuse detection through the real upload path and the database's indexes, and the submission's
consistency checks, as the reviewer reads them in GraphQL (both databases)."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta

import pytest
from PIL import Image

from tests.factories import reuse_corpus as rc
from tests.server.api.test_media_api import CST, upload

SITES = [(29.5647, 106.587), (29.5800, 106.5300), (29.6100, 106.4900)]  # a few km apart
CHECKS = """checks { code severity messageZh messageEn relatedMediaIds relatedMedia { id url thumbnailUrl }
  positions { label lat lon } gcj: positions(crs: GCJ02) { label lat lon } distanceM
  reuse { mirrored rotationDeg keptShare scale inliers agreeShare wordsZh wordsEn } }"""
# What the reviewer is told was done to the original, beside the two photos (EvidenceCheck.reuse).
EDITS = {"crop_uneven": lambda r: r["keptShare"] < 0.9 and any("cropped" in w for w in r["wordsEn"])
         and any("裁剪" in w for w in r["wordsZh"]),
         "rotate_90": lambda r: abs(abs(r["rotationDeg"]) - 90) < 5 and any("turned" in w for w in r["wordsEn"]),
         "mirror": lambda r: r["mirrored"] and "mirrored" in r["wordsEn"] and "镜像翻转" in r["wordsZh"],
         "scale_30": lambda r: r["scale"] < 0.5 and any("rescaled" in w for w in r["wordsEn"]),
         "darker": lambda r: not r["mirrored"] and r["wordsEn"] == [] and r["keptShare"] > 0.9}
COMPLETE = f"""mutation($id: ID!) {{ completeUpload(mediaId: $id) {{ id status {CHECKS} }} }}"""


def _exif(data: bytes, scene: int) -> bytes:
    return rc.with_exif(data, gps=SITES[scene], taken_at=datetime.now(CST) - timedelta(minutes=5))


async def _put(g, client, data: bytes) -> dict:
    t = await upload(g, client, data)
    return (await g(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]


@pytest.fixture(scope="module")
def photos():
    return {(s, d): rc.photo(s, d) for s in range(2) for d in range(3)}


def _reuse(m: dict) -> list[str]:
    return [i for c in m["checks"] if c["code"] == "REUSED_PHOTO" for i in c["relatedMediaIds"]]


async def test_doctored_copies_are_found_through_the_index_and_honest_visits_are_not(gql, client, users, photos):
    insp = await gql.as_("inspector")
    originals = {s: await _put(insp, client, _exif(photos[(s, 0)], s)) for s in range(2)}
    assert all(_reuse(m) == [] for m in originals.values())
    # Copies claim the original's site (GPS put back) or carry no GPS at all (then only a turn, mirror,
    # rescale or recompression is found city-wide, through the perceptual-hash bands).
    copies = {s: {originals[s]["id"]} for s in range(2)}  # a later copy may also match an earlier copy
    for name in ("crop_uneven", "rotate_90", "mirror", "scale_30", "screenshot", "crop_mirror_text_dark",
                 "text_overlay", "darker"):
        for s in range(2):
            doctored = rc.TRANSFORMS[name](Image.open(io.BytesIO(photos[(s, 0)])).convert("RGB"))
            m = await _put(insp, client, _exif(doctored, s))
            hits = _reuse(m)
            assert originals[s]["id"] in hits and set(hits) <= copies[s], (name, s, m["checks"])
            copies[s].add(m["id"])
            c = next(c for c in m["checks"] if c["code"] == "REUSED_PHOTO" and c["relatedMediaIds"] == [originals[s]["id"]])
            assert c["severity"] == "FAIL" and f"#{originals[s]['id']}" in c["messageZh"]
            assert [r["id"] for r in c["relatedMedia"]] == [originals[s]["id"]] and c["relatedMedia"][0]["url"]
            assert c["relatedMedia"][0]["thumbnailUrl"] and c["positions"] == [] and c["distanceM"] is None
            r = c["reuse"]
            assert r["inliers"] >= 12 and r["agreeShare"] >= 0.68, r
            assert EDITS.get(name, lambda r: True)(r), (name, r)
    for name in ("rotate_270", "mirror_vertical"):
        plain = rc.TRANSFORMS[name](Image.open(io.BytesIO(photos[(0, 0)])).convert("RGB"))
        hits = _reuse(await _put(insp, client, plain))
        assert originals[0]["id"] in hits and set(hits) <= copies[0], name
    for s in range(2):
        for d in (1, 2):
            m = await _put(insp, client, _exif(photos[(s, d)], s))
            assert _reuse(m) == [], (s, d, m["checks"])


async def test_submission_consistency_checks_with_their_evidence(gql, client, users, photos):
    sup, officer = await gql.as_("supervisor"), await gql.as_("officer")
    finding = await _put(sup, client, _exif(photos[(0, 0)], 0))
    create = """mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"""
    task = (await sup(create, {"i": {"clientId": str(uuid.uuid4()), "kind": "OUTFALL_REMEDIATION", "source": "MANUAL",
                                     "title": "排口整治", "districtCode": "500103",
                                     "location": {"lat": SITES[0][0], "lon": SITES[0][1]},
                                     "mediaIds": [finding["id"]]}}))["createTask"]
    before = await _put(officer, client, _exif(photos[(0, 1)], 0))  # a repeat visit: same place, same view
    elsewhere = await _put(officer, client, _exif(photos[(1, 1)], 0))  # another outfall, GPS claiming this one
    after = await _put(officer, client, _exif(photos[(0, 2)], 0))
    copy = rc.TRANSFORMS["crop_mirror_text_dark"](Image.open(io.BytesIO(photos[(0, 2)])).convert("RGB"))
    twice = await _put(officer, client, copy)  # the after photo again, edited, with no GPS
    far = await _put(officer, client, rc.with_exif(photos[(1, 2)], gps=SITES[2],
                                                   taken_at=datetime.now(CST) - timedelta(minutes=1)))
    q = f"""mutation($i: SubmitRectificationInput!) {{ submitRectification(input: $i) {{ id {CHECKS} }} }}"""
    sub = (await officer(q, {"i": {"clientId": str(uuid.uuid4()), "taskId": task["id"],
                                   "beforeMediaIds": [before["id"], elsewhere["id"]],
                                   "afterMediaIds": [after["id"], twice["id"], far["id"]]}}))["submitRectification"]
    by = {}
    for c in sub["checks"]:
        by.setdefault(c["code"], []).append(c)
    assert [c["relatedMediaIds"] for c in by["BEFORE_SAME_VIEW"]] == [[before["id"], finding["id"]]]
    assert [c["relatedMediaIds"] for c in by["BEFORE_NOT_SAME_VIEW"]] == [[elsewhere["id"], finding["id"]]]
    assert by["BEFORE_NOT_SAME_VIEW"][0]["severity"] == "WARNING"
    assert all(c["reuse"] is None for code in by if code != "REUSED_PHOTO" for c in by[code])
    assert [c["relatedMediaIds"] for c in by["DUPLICATE_IN_SUBMISSION"]] == [[after["id"], twice["id"]]]
    assert [c["relatedMediaIds"] for c in by["REUSED_PHOTO"]] == [[after["id"]]]
    (dist,) = by["FAR_FROM_SITE"]
    assert {p["label"]: (p["lat"], p["lon"]) for p in dist["positions"]} == {
        "photo": pytest.approx(SITES[2], abs=1e-5), "site": pytest.approx(SITES[0])}
    assert dist["distanceM"] > 3000
    from server.domain.geo.crs import to_crs  # the same two positions on Chinese (GCJ-02) map tiles

    assert {p["label"]: (p["lat"], p["lon"]) for p in dist["gcj"]} == {
        k: pytest.approx(to_crs(*v, "GCJ02")) for k, v in {p["label"]: (p["lat"], p["lon"]) for p in dist["positions"]}.items()}
    assert dist["gcj"][0]["lon"] != pytest.approx(dist["positions"][0]["lon"], abs=1e-4)
    # The first submission's photos are not each other's reuse; the finding itself was not reused.
    assert finding["id"] not in [i for c in by.get("REUSED_PHOTO", []) for i in c["relatedMediaIds"]]
    # The reviewer sees every photo a check names, side by side; the district officer only its own.
    shown = {r["id"] for c in sub["checks"] for r in c["relatedMedia"]}
    assert after["id"] in shown and finding["id"] not in shown
    seen = (await sup(f'{{ task(id: "{task["id"]}") {{ latestSubmission {{ {CHECKS} }} }} }}'))["task"]
    shown = {r["id"] for c in seen["latestSubmission"]["checks"] for r in c["relatedMedia"]}
    assert {finding["id"], before["id"], elsewhere["id"], after["id"], twice["id"]} <= shown
