"""GCJ-02 tiles (OUTFALLWATCH_TILE_CRS=GCJ02): the console draws every outfall where the server's
`location(crs: GCJ02)` puts it, and the reference layers are shifted by the same transform, checked
against the domain.json test vectors (the server's transform reproduces them)."""
from __future__ import annotations

import json

import httpx
import pytest

from tests.console.conftest import ROOT, start_server, stop_server


@pytest.fixture
def gcj_server(console_build, tmp_path):
    s = start_server(tmp_path, {"OUTFALLWATCH_TILE_CRS": "GCJ02",
                                "OUTFALLWATCH_TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"})  # unreachable
    yield s
    stop_server(s)


def test_transform_matches_the_reference_vectors():
    from server.domain.geo.crs import to_crs

    vectors = json.loads((ROOT / "server" / "reference" / "domain.json").read_text())["gcj02_test_vectors"]
    for v in (v for v in vectors if v["from"] == "WGS84" and v["to"] == "GCJ02"):
        lat, lon = to_crs(v["in_lat"], v["in_lng"], "GCJ02")
        assert (lat, lon) == pytest.approx((v["out_lat"], v["out_lng"]), abs=1e-5), v


def test_console_draws_outfalls_in_gcj02(pages, gcj_server):
    s = gcj_server
    assert '"tileCrs": "GCJ02"' in httpx.get(s.url + "/console/config.js").text
    token = s.token("supervisor")
    q = "{ outfalls(first: 500) { edges { node { id wgs: location { lat lon } gcj: location(crs: GCJ02) { lat lon } } } } }"
    want = {e["node"]["id"]: e["node"] for e in s.gql(q, token=token)["outfalls"]["edges"]}
    page = pages.new(token=token)
    page.goto(s.url + "/console/#/map")
    page.wait_for_function(f"() => window.__owLayer && window.__owLayer.idle() && window.__owDrawn === {len(want)}",
                           timeout=60_000)
    drawn = page.evaluate("window.__owLayer.points().map(p => [p.id, p.lat, p.lon])")
    for id_, lat, lon in drawn:
        g, w = want[id_]["gcj"], want[id_]["wgs"]
        assert (lat, lon) == pytest.approx((g["lat"], g["lon"]), abs=6e-6)  # outfallPoints: 5 decimals (~1 m)
        assert abs(lon - w["lon"]) + abs(lat - w["lat"]) > 1e-3  # really shifted (a few hundred metres)
    # The reference rivers moved with them, and the map still reads with the tile server unreachable.
    from server.demo.rivers import COURSES
    from server.domain.geo.crs import to_crs

    rivers = httpx.get(s.url + "/console/basemap.json?crs=GCJ02").json()["rivers"]["features"]
    lat0, lon0, _ = COURSES["YANGTZE"][0]
    glat, glon = to_crs(lat0, lon0, "GCJ02")
    assert rivers[0]["geometry"]["coordinates"][0] == pytest.approx([glon, glat], abs=1e-6)
    assert page.evaluate("window.__owMap.getLayer('rivers') !== undefined")
