from __future__ import annotations

import math
import random

import pytest

from server.domain.errors import BadInput
from server.domain.geo import CHONGQING_BOUNDS, bbox_around, bearing_deg, check_in_chongqing, haversine_m

CHAOTIANMEN = (29.5647, 106.5870)
FULING = (29.7030, 107.3890)
WANZHOU = (30.8078, 108.4080)


def test_one_degree_of_latitude():
    assert haversine_m(29.0, 106.0, 30.0, 106.0) == pytest.approx(111_195, abs=1)
    assert haversine_m(0, 0, 0, 1) == pytest.approx(111_195, abs=1)


def test_known_distances():
    # Flat-earth estimate for ~80 km at 29.6 N: dy = 0.1383 deg * 111.195 km, dx = 0.802 * cos(29.634) * 111.195.
    dy, dx = 0.1383 * 111.195, 0.802 * math.cos(math.radians(29.634)) * 111.195
    assert haversine_m(*CHAOTIANMEN, *FULING) / 1000 == pytest.approx(math.hypot(dx, dy), rel=1e-3)
    assert 78_900 < haversine_m(*CHAOTIANMEN, *FULING) < 79_100
    assert haversine_m(*CHAOTIANMEN, *CHAOTIANMEN) == 0
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * 6371008.8)


def test_symmetry():
    assert haversine_m(*CHAOTIANMEN, *WANZHOU) == pytest.approx(haversine_m(*WANZHOU, *CHAOTIANMEN))


@pytest.mark.parametrize("dest,expected", [((30.0, 106.0), 0.0), ((29.0, 107.0), 90.0), ((28.0, 106.0), 180.0),
                                           ((29.0, 105.0), 270.0)])
def test_bearing_cardinal(dest, expected):
    b = bearing_deg(29.0, 106.0, *dest)
    assert 0 <= b < 360
    # Due east/west along a parallel starts slightly off 90/270 on a great circle (~0.25 deg here).
    assert min(abs(b - expected), 360 - abs(b - expected)) < 0.5


def test_bearing_chaotianmen_to_fuling_is_east_north_east():
    assert 75 < bearing_deg(*CHAOTIANMEN, *FULING) < 85


@pytest.mark.parametrize("lat,radius", [(29.56, 500), (29.56, 50_000), (0.0, 10_000), (-45.0, 200_000),
                                        (70.0, 300_000)])
def test_bbox_contains_circle(lat, radius):
    lon = 106.5
    s, w, n, e = bbox_around(lat, lon, radius)
    rnd = random.Random(1)
    for _ in range(500):
        # Points on the circle edge (destination formula) must be inside the box.
        brg, ang = math.radians(rnd.uniform(0, 360)), radius / 6371008.8
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(ang) + math.cos(p1) * math.sin(ang) * math.cos(brg))
        l2 = l1 + math.atan2(math.sin(brg) * math.sin(ang) * math.cos(p1), math.cos(ang) - math.sin(p1) * math.sin(p2))
        plat, plon = math.degrees(p2), math.degrees(l2)
        assert haversine_m(lat, lon, plat, plon) == pytest.approx(radius, rel=1e-6)
        assert s - 1e-9 <= plat <= n + 1e-9 and w - 1e-9 <= plon <= e + 1e-9


def test_bbox_is_tight_and_handles_poles():
    s, w, n, e = bbox_around(29.56, 106.5, 1000)
    assert haversine_m(s, 106.5, n, 106.5) == pytest.approx(2000, rel=1e-9)
    assert bbox_around(89.9, 0, 50_000) == (pytest.approx(89.9 - 50_000 / 111_195, abs=1e-3), -180.0, 90.0, 180.0)
    with pytest.raises(ValueError):
        bbox_around(29, 106, -1)


def test_bounds_cover_chongqing_with_margin():
    s, w, n, e = CHONGQING_BOUNDS
    assert s <= 28.10 - 0.15 and n >= 32.25 + 0.15 and w <= 105.25 - 0.15 and e >= 110.25 + 0.15
    for p in (CHAOTIANMEN, FULING, WANZHOU):
        check_in_chongqing(*p, field="location")


@pytest.mark.parametrize("lat,lon,needle", [
    (91, 106, "latitude out of range"), (-90.5, 106, "latitude out of range"),
    (29, 181, "longitude out of range"), (39.9, 116.4, "is outside Chongqing"), (0, 0, "is outside Chongqing"),
    (math.nan, 106, "finite"), (29, math.inf, "finite"),
])
def test_check_in_chongqing_rejects(lat, lon, needle):
    with pytest.raises(BadInput) as e:
        check_in_chongqing(lat, lon, field="input.location")
    assert needle in e.value.message
    assert e.value.field == "input.location"
    assert e.value.extensions["code"] == "BAD_USER_INPUT"
