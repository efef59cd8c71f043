from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest

from server.domain.evidence import (CLOCK_SKEW, CODES, SEVERITY, Check, PhotoFacts, Site, Window, hamming, pair_checks,
                                    phash_bands, photo_checks, sort_checks, worst)
from server.domain.geo import haversine_m

UTC = timezone.utc
CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 12:00 in Chongqing
SITE = Site(29.5647, 106.5870)
R = 6371008.8


def north_of(site: Site, metres: float) -> tuple[float, float]:
    return site.lat + math.degrees(metres / R), site.lon


def photo(**kw) -> PhotoFacts:
    base = dict(media_id="m1", sha256="a" * 64, phash="f0f0f0f0f0f0f0f0", taken_at=NOW - timedelta(minutes=30),
                exif_lat=SITE.lat, exif_lon=SITE.lon, software="HDR+ 1.0.199571065z",
                uploaded_at=NOW - timedelta(minutes=1))
    base.update(kw)
    return PhotoFacts(**base)


def codes(p: PhotoFacts, **kw) -> list[str]:
    kw.setdefault("now", NOW)
    kw.setdefault("site", SITE)
    return [c.code for c in photo_checks(p, **kw)]


def test_clean_photo_has_no_checks():
    assert codes(photo(), window=Window(NOW - timedelta(hours=2), NOW + timedelta(days=1))) == []


def test_every_code_has_a_severity_from_the_enum():
    assert set(SEVERITY) == set(CODES) and set(SEVERITY.values()) <= {"INFO", "WARNING", "FAIL"}


# ---- missing EXIF ----

def test_no_exif_time():
    cs = photo_checks(photo(taken_at=None), now=NOW, site=SITE, window=Window(NOW, None))
    assert [(c.code, c.severity) for c in cs] == [("NO_EXIF_TIME", "WARNING")]


@pytest.mark.parametrize("lat,lon", [(None, None), (29.5, None), (None, 106.5), (0.0, 0.0), (math.nan, 106.5)])
def test_no_exif_gps(lat, lon):
    cs = photo_checks(photo(exif_lat=lat, exif_lon=lon), now=NOW, site=SITE)
    assert [(c.code, c.severity) for c in cs] == [("NO_EXIF_GPS", "WARNING")]


def test_no_gps_without_site_still_warns():
    assert codes(photo(exif_lat=None, exif_lon=None), site=None) == ["NO_EXIF_GPS"]


def test_videos_without_container_time_or_place_are_flagged_unverifiable():
    cs = photo_checks(photo(kind="VIDEO", taken_at=None, exif_lat=None, exif_lon=None), now=NOW, site=SITE)
    assert [c.code for c in cs] == ["NO_EXIF_TIME", "NO_EXIF_GPS"]
    assert all("video" in c.message_en and "cannot be verified" in c.message_en for c in cs)


# ---- place ----

def test_far_from_site_boundary_is_inclusive():
    lat, lon = north_of(SITE, 200)
    d = haversine_m(SITE.lat, SITE.lon, lat, lon)
    assert d == pytest.approx(200, abs=1e-6)
    assert codes(photo(exif_lat=lat, exif_lon=lon), far_threshold_m=d) == []  # exactly at the threshold: fine
    assert codes(photo(exif_lat=lat, exif_lon=lon), far_threshold_m=d - 0.01) == ["FAR_FROM_SITE"]
    assert codes(photo(exif_lat=lat, exif_lon=lon), far_threshold_m=d + 0.01) == []


def test_far_from_site_message_and_severity():
    (c,) = photo_checks(photo(exif_lat=north_of(SITE, 1234.2)[0]), now=NOW, site=SITE)
    assert (c.code, c.severity) == ("FAR_FROM_SITE", "FAIL")
    assert c.message_zh == "拍摄位置距现场 1,234 米（阈值 200 米）"
    assert c.message_en == "Taken 1,234 m from the site (threshold 200 m)"


def test_site_accuracy_widens_the_threshold():
    site = Site(SITE.lat, SITE.lon, accuracy_m=50)
    assert codes(photo(exif_lat=north_of(SITE, 249)[0]), site=site) == []
    (c,) = photo_checks(photo(exif_lat=north_of(SITE, 251)[0]), now=NOW, site=site)
    assert c.code == "FAR_FROM_SITE" and "251 m" in c.message_en and "50 m" in c.message_en
    assert "另加定位误差 50 米" in c.message_zh
    assert codes(photo(exif_lat=north_of(SITE, 251)[0]), site=Site(SITE.lat, SITE.lon, accuracy_m=None)) == \
        ["FAR_FROM_SITE"]


def test_no_site_no_distance_check():
    assert codes(photo(exif_lat=30.8, exif_lon=108.4), site=None) == []


# ---- time ----

@pytest.mark.parametrize("offset,fires", [(CLOCK_SKEW, False), (CLOCK_SKEW + timedelta(seconds=1), True),
                                          (timedelta(0), False), (timedelta(hours=3), True)])
def test_taken_in_future_aware(offset, fires):
    p = photo(taken_at=NOW + offset, uploaded_at=NOW + offset)  # upload as late, to isolate the rule
    assert codes(p) == (["TAKEN_IN_FUTURE"] if fires else [])


def test_naive_exif_time_is_china_standard_time():
    wall = (NOW + timedelta(minutes=4)).astimezone(CST).replace(tzinfo=None)  # 12:04 on the phone: in skew
    assert codes(photo(taken_at=wall, uploaded_at=NOW)) == []
    wall = (NOW + timedelta(minutes=6)).astimezone(CST).replace(tzinfo=None)
    assert "TAKEN_IN_FUTURE" in codes(photo(taken_at=wall, uploaded_at=NOW))
    # The UTC wall clock read as CST lies 8 h in the past, not the future.
    assert codes(photo(taken_at=NOW.replace(tzinfo=None), uploaded_at=NOW)) == []
    # ... but with a UTC phone (offset 0) the same naive time is simply "now".
    utc_wall = (NOW + timedelta(minutes=6)).replace(tzinfo=None)
    assert codes(photo(taken_at=utc_wall, uploaded_at=NOW + timedelta(hours=1)), local_tz_offset_hours=0) == \
        ["TAKEN_IN_FUTURE"]
    assert codes(photo(taken_at=utc_wall, uploaded_at=NOW + timedelta(hours=1))) == []


def test_aware_exif_time_with_other_offset():
    t = (NOW - timedelta(minutes=10)).astimezone(timezone(timedelta(hours=-5)))
    assert codes(photo(taken_at=t)) == []


def test_future_message_shows_local_times():
    (c,) = photo_checks(photo(taken_at=NOW + timedelta(hours=1), uploaded_at=NOW), now=NOW)
    assert c.severity == "FAIL"
    assert "2026-06-01 13:00 UTC+8" in c.message_zh and "2026-06-01 12:00 UTC+8" in c.message_en


@pytest.mark.parametrize("after_upload,fires", [(CLOCK_SKEW, False), (CLOCK_SKEW + timedelta(seconds=1), True)])
def test_taken_after_upload(after_upload, fires):
    up = NOW - timedelta(hours=1)
    cs = photo_checks(photo(taken_at=up + after_upload, uploaded_at=up), now=NOW, site=SITE)
    assert [(c.code, c.severity) for c in cs] == ([("TAKEN_AFTER_UPLOAD", "FAIL")] if fires else [])


def test_future_is_reported_once_not_also_after_upload():
    assert codes(photo(taken_at=NOW + timedelta(days=1), uploaded_at=NOW)) == ["TAKEN_IN_FUTURE"]


@pytest.mark.parametrize("before_start,fires", [(CLOCK_SKEW, False), (CLOCK_SKEW + timedelta(seconds=1), True),
                                                (timedelta(hours=-1), False)])
def test_taken_before_task(before_start, fires):
    start = NOW - timedelta(hours=2)
    p = photo(taken_at=start - before_start)
    cs = photo_checks(p, now=NOW, site=SITE, window=Window(start, None))
    assert [(c.code, c.severity) for c in cs] == ([("TAKEN_BEFORE_TASK", "FAIL")] if fires else [])


def test_before_task_needs_a_window_start():
    old = photo(taken_at=NOW - timedelta(days=30))
    assert codes(old) == [] and codes(old, window=Window(None, NOW)) == []


def test_naive_server_times_are_utc():
    p = photo(taken_at=NOW - timedelta(minutes=30), uploaded_at=(NOW - timedelta(minutes=1)).replace(tzinfo=None))
    start = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    assert codes(p, now=NOW.replace(tzinfo=None), window=Window(start, None)) == []


# ---- software ----

@pytest.mark.parametrize("software", [
    "Adobe Photoshop 25.0 (Windows)", "Adobe Photoshop Lightroom Classic 13.0", "GIMP 2.10.34", "Snapseed 2.0",
    "PicsArt", "Picsart Photo Studio", "美图秀秀", "Meitu", "醒图", "Pixelmator Pro 3.5", "Affinity Photo 2",
    "Canva", "PHOTOSHOP", "lightroom mobile",
])
def test_edited_by_software(software):
    cs = photo_checks(photo(software=software), now=NOW, site=SITE)
    assert [(c.code, c.severity) for c in cs] == [("EDITED_BY_SOFTWARE", "WARNING")]
    assert software.strip()[:60] in cs[0].message_zh


@pytest.mark.parametrize("software", [None, "", "HDR+ 1.0.199571065z", "G998BXXU3AUE1", "iOS 17.1.2", "17.1.2",
                                      "MediaTek Camera Application", "Android", "HUAWEI P40 Pro", "ELE-AL00 10.1.0.150",
                                      "Xiaomi Camera", "Canvas Camera", "DJI Fly", "Ver.1.00"])
def test_camera_firmware_is_not_editing(software):
    assert codes(photo(software=software)) == []


# ---- duplicates ----

def test_duplicate_file_counts_other_records():
    cs = photo_checks(photo(), now=NOW, site=SITE, duplicate_of=["m2", "m3", "m1", "m2"])
    assert [(c.code, c.severity) for c in cs] == [("DUPLICATE_FILE", "FAIL")]
    assert "另外 2 条记录" in cs[0].message_zh and "2 other record" in cs[0].message_en
    assert codes(photo(), duplicate_of=[]) == [] and codes(photo(), duplicate_of=["m1"]) == []


def test_near_duplicate_reports_smallest_distance():
    cs = photo_checks(photo(), now=NOW, site=SITE, near_duplicate_of=[("m2", 3), ("m3", 2), ("m2", 1), ("m1", 0)])
    assert [(c.code, c.severity) for c in cs] == [("NEAR_DUPLICATE", "WARNING")]
    assert "汉明距离 1" in cs[0].message_zh and "2 other photo" in cs[0].message_en
    assert codes(photo(), near_duplicate_of=[]) == []


def test_exact_duplicates_are_not_also_near_duplicates():
    assert codes(photo(), duplicate_of=["m2"], near_duplicate_of=[("m2", 0)]) == ["DUPLICATE_FILE"]


# ---- ordering and severity ----

def test_checks_sorted_fail_first():
    p = photo(taken_at=None, software="Snapseed", exif_lat=north_of(SITE, 5000)[0])
    cs = photo_checks(p, now=NOW, site=SITE, duplicate_of=["m9"], near_duplicate_of=[("m8", 2)])
    assert [c.code for c in cs] == ["FAR_FROM_SITE", "DUPLICATE_FILE", "NO_EXIF_TIME", "NEAR_DUPLICATE",
                                    "EDITED_BY_SOFTWARE"]
    assert worst(cs) == "FAIL"


def test_worst():
    mk = lambda s: Check("NO_EXIF_TIME", s, "zh", "en")  # noqa: E731
    assert worst([]) is None
    assert worst([mk("INFO")]) == "INFO"
    assert worst([mk("INFO"), mk("WARNING"), mk("INFO")]) == "WARNING"
    assert worst(iter([mk("WARNING"), mk("FAIL"), mk("INFO")])) == "FAIL"
    assert [c.severity for c in sort_checks([mk("INFO"), mk("FAIL"), mk("WARNING")])] == ["FAIL", "WARNING", "INFO"]


def test_check_message_languages():
    c = Check("NO_EXIF_GPS", "WARNING", "中文", "English")
    assert (c.message(), c.message("zh"), c.message("en"), c.message("en-US"), c.message("both")) == \
        ("中文", "中文", "English", "English", "中文 / English")


# ---- hashes ----

def test_hamming():
    assert hamming("0000000000000000", "0000000000000000") == 0
    assert hamming("ffffffffffffffff", "0000000000000000") == 64
    assert hamming("8000000000000001", "0000000000000000") == 2
    assert hamming("F0", "f1") == 1
    with pytest.raises(ValueError):
        hamming("00", "000")


def test_phash_bands():
    assert phash_bands("0123456789abcdef") == (0x0123, 0x4567, 0x89AB, 0xCDEF)
    assert phash_bands("ffffffffffffffff") == (65535,) * 4
    with pytest.raises(ValueError):
        phash_bands("0123")


def test_bands_pigeonhole_within_three_bits():
    rnd = random.Random(7)
    for _ in range(2000):
        a = rnd.getrandbits(64)
        b = a
        for bit in rnd.sample(range(64), rnd.randint(0, 3)):
            b ^= 1 << bit
        ha, hb = f"{a:016x}", f"{b:016x}"
        assert hamming(ha, hb) <= 3
        assert any(x == y for x, y in zip(phash_bands(ha), phash_bands(hb)))


# ---- before / after ----

def _pf(mid, sha, ph):
    return photo(media_id=mid, sha256=sha * 64, phash=ph)


def test_after_same_file_as_before():
    before = [_pf("b1", "1", "0000000000000000"), _pf("b2", "2", None)]
    after = [_pf("a1", "3", "ffffffffffffffff"), _pf("a2", "2", None)]
    (c,) = pair_checks(before, after)
    assert (c.code, c.severity) == ("AFTER_SAME_AS_BEFORE", "FAIL")
    assert c.message_zh == "整改后第 2 张照片与整改前第 2 张是同一文件"
    assert c.message_en == "After photo 2 is the same file as before photo 2"


@pytest.mark.parametrize("bits,fires", [(0, True), (6, True), (7, False), (40, False)])
def test_after_phash_threshold(bits, fires):
    before = [_pf("b1", "1", "0000000000000000")]
    after = [_pf("a1", "2", f"{(1 << bits) - 1:016x}")]
    cs = pair_checks(before, after)
    assert [c.code for c in cs] == (["AFTER_SAME_AS_BEFORE"] if fires else [])
    if fires:
        assert f"汉明距离 {bits}" in cs[0].message_zh


def test_pair_checks_threshold_parameter_and_best_match():
    before = [_pf("b1", "1", "00000000000000ff"), _pf("b2", "2", "000000000000000f")]
    after = [_pf("a1", "3", "0000000000000000")]
    (c,) = pair_checks(before, after)
    assert "before photo 2" in c.message_en and "distance 4" in c.message_en
    assert pair_checks(before, after, same_threshold=3) == []


def test_pair_checks_empty_and_missing_hashes():
    assert pair_checks([], [_pf("a", "1", "0000000000000000")]) == []
    assert pair_checks([_pf("b", "1", "0000000000000000")], []) == []
    assert pair_checks([_pf("b", "1", None)], [_pf("a", "2", "0000000000000000")]) == []
    assert pair_checks([_pf("b", "1", "0000000000000000")], [_pf("a", "2", None)]) == []
