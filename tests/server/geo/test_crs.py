"""Datum shifts against every vector in domain.json["gcj02_test_vectors"], plus round trips."""
from __future__ import annotations

import re

import pytest

from server.domain import geo
from server.domain.errors import BadInput
from server.domain.geo import crs
from server.domain.geo.distance import haversine_m
from server.reference import domain

FUNCS = {
    ("WGS84", "GCJ02"): crs.wgs84_to_gcj02,
    ("GCJ02", "WGS84"): crs.gcj02_to_wgs84,
    ("GCJ02", "BD09"): crs.gcj02_to_bd09,
    ("BD09", "GCJ02"): crs.bd09_to_gcj02,
    ("WGS84", "BD09"): crs.wgs84_to_bd09,
    ("BD09", "WGS84"): crs.bd09_to_wgs84,
}


def _decimals(vectors: list[dict]) -> list[int]:
    """The strictest number of decimals each vector states ("as above" repeats the previous)."""
    out, prev = [], None
    for v in vectors:
        tol = v.get("tolerance")
        if tol is None:
            n = 8  # computed regression values, printed to 8 decimals
        elif tol.strip() == "as above":
            n = prev
        else:
            n = max(int(x) for x in re.findall(r"(\d+)\s*(?:decimals|\)|$)", tol))
        out.append(n)
        prev = n
    return out


VECTORS = domain()["gcj02_test_vectors"]
CASES = list(zip(VECTORS, _decimals(VECTORS)))


def test_tolerance_parsing_reads_the_json():
    assert [n for _, n in CASES][:4] == [6, 6, 6, 5]
    assert len(CASES) == len(VECTORS) >= 12


@pytest.mark.parametrize("vec,decimals", CASES, ids=[f"{v['from']}->{v['to']}@{v.get('place', v['in_lat'])}"
                                                      for v in VECTORS])
def test_vector(vec, decimals):
    tol = 0.5 * 10 ** -decimals if decimals < 8 else 1e-8
    lat, lon = FUNCS[(vec["from"], vec["to"])](vec["in_lat"], vec["in_lng"])
    assert lat == pytest.approx(vec["out_lat"], abs=tol)
    assert lon == pytest.approx(vec["out_lng"], abs=tol)
    if "bd09" in vec:  # stored as [lng, lat]
        blat, blon = crs.wgs84_to_bd09(vec["in_lat"], vec["in_lng"])
        assert blon == pytest.approx(vec["bd09"][0], abs=1e-8)
        assert blat == pytest.approx(vec["bd09"][1], abs=1e-8)


def test_eviltransform_vectors_are_bit_exact():
    for v in VECTORS:
        if v.get("reproduced_here") == "exact":
            assert crs.wgs84_to_gcj02(v["in_lat"], v["in_lng"]) == (v["out_lat"], v["out_lng"])


GRID = [(28.1 + 0.25 * i, 105.25 + 0.25 * j) for i in range(17) for j in range(21)]  # 28.1-32.1, 105.25-110.25


def test_round_trips_over_chongqing_within_half_a_metre():
    worst = {"gcj": 0.0, "bd": 0.0, "bd_gcj": 0.0}
    for lat, lon in GRID:
        g = crs.wgs84_to_gcj02(lat, lon)
        worst["gcj"] = max(worst["gcj"], haversine_m(lat, lon, *crs.gcj02_to_wgs84(*g)))
        b = crs.wgs84_to_bd09(lat, lon)
        worst["bd"] = max(worst["bd"], haversine_m(lat, lon, *crs.bd09_to_wgs84(*b)))
        worst["bd_gcj"] = max(worst["bd_gcj"], haversine_m(*g, *crs.bd09_to_gcj02(*crs.gcj02_to_bd09(*g))))
    assert max(worst.values()) < 0.5, worst


def test_shift_in_chongqing_is_a_few_hundred_metres():
    # domain.json: WGS->GCJ moves Chongqing points by ~399-598 m.
    shifts = [haversine_m(lat, lon, *crs.wgs84_to_gcj02(lat, lon)) for lat, lon in GRID]
    assert 350 < min(shifts) and max(shifts) < 650


def test_out_of_china_passthrough():
    assert crs.out_of_china(51.5, -0.12)  # London
    assert not crs.out_of_china(29.56, 106.58)
    assert crs.wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
    assert crs.gcj02_to_wgs84(51.5, -0.12) == (51.5, -0.12)


def test_to_crs():
    lat, lon = 29.5647, 106.587
    assert geo.to_crs(lat, lon, "WGS84") == (lat, lon)
    assert geo.to_crs(lat, lon, "GCJ02") == crs.wgs84_to_gcj02(lat, lon)
    assert geo.to_crs(lat, lon, "BD09") == crs.wgs84_to_bd09(lat, lon)
    with pytest.raises(BadInput) as e:
        geo.to_crs(lat, lon, "EPSG:3857")
    assert e.value.field == "crs"


def test_to_crs_accepts_enum_members():
    from enum import Enum

    Crs = Enum("Crs", {"GCJ02": "GCJ02"})
    assert geo.to_crs(29.5, 106.5, Crs.GCJ02) == crs.wgs84_to_gcj02(29.5, 106.5)
