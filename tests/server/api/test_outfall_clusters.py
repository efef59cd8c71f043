"""outfallClusters, the city overview's read: for every caller, filter and zoom, exactly what aggregating
`outfallPoints` per grid cell gives (membership, counts by phase, latest exceedance as the caller may
see it, centroids), the same filter errors; on SQLite and PostgreSQL."""
from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from server.domain.geo.crs import to_crs
from server.domain.outfalls.models import Outfall
from tests.server.api import test_outfall_points as points_tests
from tests.server.api.test_outfall_points import WANZHOU, inspect_in_two_districts

seeded = points_tests.seeded  # the demo city, two more district users (a fixture)

POINTS = """query($f: OutfallFilter) { outfallPoints(filter: $f) { count ids phases exceeded } }"""
CLUSTERS = """query($f: OutfallFilter, $z: Int!, $crs: Crs) { outfallClusters(filter: $f, zoom: $z, crs: $crs) {
  zoom cellDegrees count cells cellX cellY lats lons counts phaseKeys phaseCounts exceeded notExceeded } }"""
FILTERS = (None, {"districtCode": WANZHOU}, {"phase": "SURVEYED", "riverCode": "JIALING"},
           {"bbox": {"south": 29.4, "west": 106.3, "north": 29.8, "east": 106.8}}, {"search": "万州"},
           {"near": {"lat": 29.56, "lon": 106.55, "radiusM": 20000}})


def expected(points: dict, where: dict[int, tuple[float, float]], zoom: int) -> dict:
    """outfallPoints aggregated per cell, with the stored (unrounded) positions of its ids."""
    step = 2.0 ** (6 - zoom)
    cells: dict[tuple[int, int], dict] = {}
    for i, phase, exc in zip(points["ids"], points["phases"], points["exceeded"]):
        lat, lon = where[i]
        c = cells.setdefault((math.floor((lon + 180) / step), math.floor((lat + 90) / step)),
                             {"n": 0, "lat": 0.0, "lon": 0.0, "x": 0, "ok": 0, "phase": {}})
        c["n"] += 1
        c["lat"] += lat
        c["lon"] += lon
        c["x"] += exc == 1
        c["ok"] += exc == 0
        c["phase"][phase] = c["phase"].get(phase, 0) + 1
    return cells


async def test_clusters_equal_aggregated_points_for_every_caller(gql, seeded, db):
    await inspect_in_two_districts(gql, 900.0, 900.0)
    async with db.session() as s:
        where = {i: (la, lo) for i, la, lo in (await s.execute(select(Outfall.id, Outfall.lat, Outfall.lon))).all()}
    exceeded_seen = {}
    for who in ("supervisor", "officer", "officer2", "integrator"):
        g = await gql.as_(who)
        for f in FILTERS:
            pts = (await g(POINTS, {"f": f}))["outfallPoints"]
            for zoom in (5, 8, 11, 14):
                c = (await g(CLUSTERS, {"f": f, "z": zoom}))["outfallClusters"]
                want = expected(pts, where, zoom)
                assert c["zoom"] == zoom and c["cellDegrees"] == 2.0 ** (6 - zoom)
                assert c["count"] == pts["count"] == sum(c["counts"])
                assert c["cells"] == len(want) == len(c["cellX"]) == len(c["lats"]) == len(c["exceeded"])
                keys = list(zip(c["cellX"], c["cellY"]))
                assert keys == sorted(want, key=lambda k: (k[1], k[0]))  # ordered by row, then column
                k = len(c["phaseKeys"])
                for i, key in enumerate(keys):
                    w = want[key]
                    assert c["counts"][i] == w["n"]
                    assert dict(zip(c["phaseKeys"], c["phaseCounts"][i * k:(i + 1) * k])) == {
                        p: w["phase"].get(p, 0) for p in c["phaseKeys"]}
                    assert (c["exceeded"][i], c["notExceeded"][i]) == (w["x"], w["ok"])
                    assert (c["lats"][i], c["lons"][i]) == pytest.approx((w["lat"] / w["n"], w["lon"] / w["n"]),
                                                                         abs=5.1e-6)
            if f is None:
                exceeded_seen[who] = sum(c["exceeded"])
    # The city sees both exceedances; each district role only its own district's.
    assert exceeded_seen == {"supervisor": 2, "integrator": 2, "officer": 1, "officer2": 1}


async def test_clusters_in_gcj02(gql, seeded):
    g = await gql.as_("supervisor")
    f = {"riverCode": "JIALING"}
    wgs = (await g(CLUSTERS, {"f": f, "z": 13}))["outfallClusters"]
    gcj = (await g(CLUSTERS, {"f": f, "z": 13, "crs": "GCJ02"}))["outfallClusters"]
    assert wgs["cells"] > 1
    # Cells are of the WGS-84 grid whatever the datum; only the centroids move.
    assert (gcj["cellX"], gcj["cellY"], gcj["counts"]) == (wgs["cellX"], wgs["cellY"], wgs["counts"])
    for la, lo, gla, glo in zip(wgs["lats"], wgs["lons"], gcj["lats"], gcj["lons"]):
        assert (gla, glo) == pytest.approx(to_crs(la, lo, "GCJ02"), abs=2e-5)
    plain = (await g("{ outfallClusters(zoom: 7) { count cells counts } }"))["outfallClusters"]
    assert plain["count"] == sum(plain["counts"]) > wgs["count"] > 0


@pytest.mark.parametrize("variables, field", [
    ({"z": 23}, "zoom"),
    ({"z": -1}, "zoom"),
    ({"z": 8, "f": {"districtCode": "999999"}}, "filter.districtCode"),
    ({"z": 8, "f": {"riverCode": "NILE"}}, "filter.riverCode"),
    ({"z": 8, "f": {"bbox": {"south": 30, "west": 106, "north": 29, "east": 107}}}, "filter.bbox"),
    ({"z": 8, "f": {"search": "x" * 101}}, "filter.search"),
])
async def test_bad_input_names_the_field(gql, seeded, variables, field):
    g = await gql.as_("supervisor")
    err = await g.error(CLUSTERS, variables)
    assert err["extensions"]["code"] == "BAD_USER_INPUT"
    assert err["extensions"]["field"] == field
