"""The map's arithmetic: the server's GCJ-02 conversion and domain.json's vectors, positions drawn
correctly on WGS-84 and GCJ-02 tiles, the tile cache, prefetch along the rivers."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from mobile.core import mapping as M
from server.domain.geo import crs
from server.reference import domain

VECTORS = domain()["gcj02_test_vectors"]


@pytest.mark.parametrize("v", [v for v in VECTORS if (v["from"], v["to"]) == ("WGS84", "GCJ02")],
                         ids=lambda v: str(v.get("place")))
def test_forward_vectors(v):
    lat, lon = M.wgs84_to_gcj02(v["in_lat"], v["in_lng"])
    assert lat == pytest.approx(v["out_lat"], abs=1e-6) and lon == pytest.approx(v["out_lng"], abs=1e-6)


@pytest.mark.parametrize("v", [v for v in VECTORS if (v["from"], v["to"]) == ("GCJ02", "WGS84")],
                         ids=lambda v: str(v.get("place")))
def test_inverse_vectors(v):
    lat, lon = M.gcj02_to_wgs84(v["in_lat"], v["in_lng"])
    assert lat == pytest.approx(v["out_lat"], abs=1e-5) and lon == pytest.approx(v["out_lng"], abs=1e-5)


def test_same_as_the_servers_conversion():
    rng = random.Random(7)
    pts = [(rng.uniform(28.2, 32.2), rng.uniform(105.2, 110.2)) for _ in range(300)]
    pts += [(3.86, 100.0), (53.55, 100.0), (30.0, 73.66), (30.0, 135.05), (3.87, 73.67), (1.0, 100.0), (48.8, 2.3)]
    for lat, lon in pts:
        assert M.wgs84_to_gcj02(lat, lon) == crs.wgs84_to_gcj02(lat, lon)
        assert M.gcj02_to_wgs84(lat, lon) == crs.gcj02_to_wgs84(lat, lon)
        assert M.out_of_china(lat, lon) == crs.out_of_china(lat, lon)


def test_mercator_round_trip_and_known_tile():
    # Chaotianmen, Chongqing at z15, against the slippy-map formula written the other way (asinh∘tan).
    import math

    n = 2 ** 15
    expected = (int((106.587 + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(29.5647))) / math.pi) / 2 * n))
    assert M.tile_of(29.5647, 106.587, 15) == expected == (26085, 13564)
    x, y = M.project(29.5647, 106.587, 17)
    lat, lon = M.unproject(x, y, 17)
    assert (lat, lon) == (pytest.approx(29.5647, abs=1e-9), pytest.approx(106.587, abs=1e-9))


@pytest.mark.parametrize("datum", M.DATUMS)
def test_a_position_lands_where_the_tiles_draw_it(datum):
    """On GCJ-02 tiles a WGS-84 point must be drawn at its GCJ-02 place (~500 m off in Chongqing),
    on WGS-84 tiles at its own; and a tap there reads back the WGS-84 point."""
    centre = (29.5600, 106.5800)
    view = M.View(*centre, zoom=17, width=800, height=1200, datum=datum)
    for v in [v for v in VECTORS if (v["from"], v["to"]) == ("WGS84", "GCJ02")]:
        far = M.View(v["in_lat"], v["in_lng"], zoom=17, width=800, height=1200, datum=datum)
        sx, sy = far.to_screen(v["in_lat"], v["in_lng"])
        assert (sx, sy) == (pytest.approx(400), pytest.approx(600))  # the centre is the centre
        # Where the tiles draw the place: its pixel in the tiles' own datum.
        drawn = (v["out_lat"], v["out_lng"]) if datum == "GCJ02" else (v["in_lat"], v["in_lng"])
        px, py = M.project(*drawn, 17)
        cx, cy = M.project(*M.to_map(v["in_lat"], v["in_lng"], datum), 17)
        assert (px - cx, py - cy) == (pytest.approx(0, abs=0.05), pytest.approx(0, abs=0.05))
    lat, lon = 29.5610, 106.5815
    sx, sy = view.to_screen(lat, lon)
    assert view.to_wgs84(sx, sy) == (pytest.approx(lat, abs=1e-7), pytest.approx(lon, abs=1e-7))
    # The GCJ-02 offset is real: the same point on the two kinds of tiles is drawn hundreds of metres apart.
    other = M.View(*centre, zoom=17, width=800, height=1200, datum="GCJ02" if datum == "WGS84" else "WGS84")
    ox, oy = other.to_screen(lat, lon)
    assert abs(ox - sx) < 1 and abs(oy - sy) < 1  # both move with the centre: relative positions agree...
    off = M.project(*M.wgs84_to_gcj02(lat, lon), 17)[0] - M.project(lat, lon, 17)[0]
    assert abs(off) * M.metres_per_pixel(lat, 17) > 300  # ...while the tiles' own pixels differ by > 300 m


def test_tiles_in_view_cover_it():
    view = M.View(29.56, 106.58, zoom=16, width=720, height=1280)
    tiles = view.tiles()
    assert all(z == 16 for z, *_ in tiles)
    xs = [sx for *_r, sx, _sy in tiles]
    ys = [sy for *_r, _sx, sy in tiles]
    assert min(xs) <= 0 and max(xs) + 256 >= 720 and min(ys) <= 0 and max(ys) + 256 >= 1280


def test_tile_source_config():
    src = M.TileSource.from_config({"url": "https://t{s}.example/{z}/{x}/{y}.png", "datum": "GCJ02",
                                    "subdomains": "0123"})
    assert src.tile_url(3, 1, 2) == "https://t3.example/3/1/2.png"
    assert M.TileSource.from_config(src.as_config()) == src
    assert M.TileSource.from_config(None) is None and M.TileSource.from_config({"url": ""}) is None
    assert src.key != M.TileSource(src.url, "WGS84").key  # another datum, another cache
    for bad in ({"url": "https://x/{z}/{x}.png"}, {"url": "ftp://x/{z}/{x}/{y}"}, {"url": "https://x/{z}/{x}/{y}",
                                                                                  "datum": "BD09"}):
        with pytest.raises(ValueError):
            M.TileSource.from_config(bad)


def test_cache_prefetch_along_the_rivers(tmp_path):
    rivers = M.district_rivers("渝中区")  # the Yangtze and the Jialing
    assert len(rivers) >= 2
    tiles = M.tiles_along(rivers, zooms=[12, 13], buffer_m=300)
    assert tiles and all(z in (12, 13) for z, _x, _y in tiles)
    # the river course's own tile is in, a tile far away is not
    lat, lon = rivers[0][1]
    assert (13, *M.tile_of(lat, lon, 13)) in tiles
    assert (13, *M.tile_of(31.0, 109.0, 13)) not in tiles
    asked = []

    def fetch(url):
        asked.append(url)
        return None if url.endswith("/0.png") else b"\x89PNG fake"

    cache = M.TileCache(tmp_path, M.TileSource("https://tiles.example/{z}/{x}/{y}.png"))
    first = cache.prefetch(tiles, fetch)
    assert first["fetched"] + first["failed"] == len(tiles) and first["cached"] == 0
    again = cache.prefetch(tiles, fetch)
    assert again["cached"] == first["fetched"]  # nothing fetched twice
    assert cache.count() == first["fetched"]
    z, x, y = tiles[0]
    assert cache.get(z, x, y).read_bytes() == b"\x89PNG fake"
    limited = M.TileCache(tmp_path / "b", cache.source).prefetch(tiles, lambda u: None, limit=3)
    assert limited["failed"] == 3


def test_bundled_river_courses_are_the_servers():
    ours = json.loads((Path(M.__file__).parent.parent / "assets" / "river_courses.json").read_text(encoding="utf-8"))
    from importlib import resources

    theirs = json.loads(resources.files("server.reference").joinpath("river_courses.json").read_text(encoding="utf-8"))
    assert ours == theirs


def test_marker_colours_and_duplicate_warning():
    o = {"id": "7", "phase": "MONITORED", "location": {"lat": 29.56, "lon": 106.58}}
    assert M.marker_colour(o, set()) == M.PHASE_COLOURS["MONITORED"]
    assert M.marker_colour(o, {"7"}) == M.OPEN_TASK_COLOUR
    assert M.marker_colour({"clientId": "x"}, set()) == M.LOCAL_COLOUR
    near = M.outfalls_near([o, {"id": "8", "location": {"lat": 29.5603, "lon": 106.58}}], 29.5601, 106.58)
    assert [x[0]["id"] for x in near] == ["7", "8"] and near[0][1] < 15
    assert M.outfalls_near([o], 29.5610, 106.58) == []  # 111 m: no warning


def _tile_pixel(view: M.View, lat: float, lon: float) -> tuple[float, float]:
    """Where the tiles in `view` show the place whose coordinates IN THE TILES' DATUM are (lat, lon):
    the screen corner of the tile it falls in (view.tiles(), what the widget draws) plus its pixel
    inside that tile. Independent of View.to_screen, which is what is checked against it."""
    z = int(round(view.zoom))
    gx, gy = M.project(lat, lon, z)
    tx, ty = int(gx // M.TILE), int(gy // M.TILE)
    for tz, x, y, sx, sy in view.tiles():
        if (tz, x, y) == (z, tx, ty):
            return sx + (gx - tx * M.TILE), sy + M.TILE - (gy - ty * M.TILE)
    raise AssertionError("the place is not on a tile in view")


@pytest.mark.parametrize("datum", M.DATUMS)
def test_markers_are_drawn_on_the_tile_pixel_of_their_place(datum):
    """Issue 16 item 2, both coordinate systems against domain.json's vectors: a WGS-84 position is
    drawn where the tiles show it. On GCJ-02 tiles that is the pixel of the vector's GCJ-02 output,
    on WGS-84 tiles the pixel of its input; the other choice is hundreds of metres off and fails."""
    vectors = [v for v in VECTORS if (v["from"], v["to"]) == ("WGS84", "GCJ02")]
    assert vectors
    for v in vectors:
        # The view is centred near, not on, the place, so the centre's own conversion matters too.
        view = M.View(v["in_lat"] + 0.001, v["in_lng"] - 0.0015, zoom=17, width=1080, height=1920, datum=datum)
        sx, sy = view.to_screen(v["in_lat"], v["in_lng"])
        right = (v["out_lat"], v["out_lng"]) if datum == "GCJ02" else (v["in_lat"], v["in_lng"])
        wrong = (v["in_lat"], v["in_lng"]) if datum == "GCJ02" else (v["out_lat"], v["out_lng"])
        ex, ey = _tile_pixel(view, *right)
        assert (sx, sy) == (pytest.approx(ex, abs=0.5), pytest.approx(ey, abs=0.5)), v.get("place")
        try:
            wx, wy = _tile_pixel(view, *wrong)
        except AssertionError:
            continue  # so far off it is not even on screen
        assert abs(wx - sx) + abs(wy - sy) > 100, "the two datums must be told apart"
        # And a tap on that pixel reads back the WGS-84 place (the registration pin).
        assert view.to_wgs84(sx, sy) == (pytest.approx(v["in_lat"], abs=2e-6), pytest.approx(v["in_lng"], abs=2e-6))


@pytest.mark.parametrize("datum", M.DATUMS)
def test_pinch_zooms_by_the_spread_and_keeps_the_place_under_the_fingers(datum):
    view = M.View(29.5610, 106.5815, zoom=15, width=400, height=300, datum=datum)
    start = ((150.0, 120.0), (250.0, 180.0))
    under = view.to_wgs84(200.0, 150.0)  # the place under the midpoint
    # Fingers spread to twice the distance around the same midpoint: one level in, same place there.
    (lat, lon), zoom = M.pinch(view, start, ((100.0, 90.0), (300.0, 210.0)))
    assert zoom == pytest.approx(16.0)
    after = M.View(lat, lon, zoom, 400, 300, datum)
    assert after.to_screen(*under) == (pytest.approx(200.0, abs=1e-3), pytest.approx(150.0, abs=1e-3))
    # Pinched in to half and moved 50 px right: half a level out, the place follows the hand.
    (lat, lon), zoom = M.pinch(view, start, ((225.0, 135.0), (275.0, 165.0)))
    assert zoom == pytest.approx(14.0)
    assert M.View(lat, lon, zoom, 400, 300, datum).to_screen(*under) == (pytest.approx(250.0, abs=1e-3),
                                                                          pytest.approx(150.0, abs=1e-3))
    # Bounded by the source's zooms; fingers on one spot change nothing.
    assert M.pinch(view, start, ((0.0, 0.0), (400.0, 300.0)), max_zoom=16)[1] == 16
    assert M.pinch(view, ((5.0, 5.0), (5.0, 5.0)), ((5.0, 5.0), (5.0, 5.0)))[1] == 15
