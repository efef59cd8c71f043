"""Distance, bearing and the N nearest cached outfalls, offline."""
from __future__ import annotations

import pytest

from mobile.core import actions, nearby
from mobile.core.device import Fix


def test_haversine_known_distances():
    # One degree of latitude is ~111.2 km on the mean sphere; Chongqing to Chengdu is ~266 km.
    assert nearby.haversine_m(29.0, 106.0, 30.0, 106.0) == pytest.approx(111_195, rel=1e-3)
    assert nearby.haversine_m(29.563, 106.551, 30.657, 104.066) == pytest.approx(266_000, rel=0.02)
    assert nearby.haversine_m(29.5, 106.5, 29.5, 106.5) == 0


@pytest.mark.parametrize("dlat,dlon,deg,zh,en", [
    (0.01, 0, 0, "北", "N"), (0.01, 0.0115, 45, "东北", "NE"), (0, 0.01, 90, "东", "E"),
    (-0.01, 0.0115, 135, "东南", "SE"), (-0.01, 0, 180, "南", "S"), (-0.01, -0.0115, 225, "西南", "SW"),
    (0, -0.01, 270, "西", "W"), (0.01, -0.0115, 315, "西北", "NW")])
def test_bearing_and_compass(dlat, dlon, deg, zh, en):
    b = nearby.bearing_deg(29.5, 106.5, 29.5 + dlat, 106.5 + dlon)
    assert b == pytest.approx(deg, abs=1.0)
    assert nearby.compass(b) == (zh, en)


def test_compass_sector_edges():
    assert nearby.compass(22.4) == ("北", "N") and nearby.compass(22.6) == ("东北", "NE")
    assert nearby.compass(337.6) == ("北", "N") and nearby.compass(359.9) == ("北", "N")


def test_nearest_from_the_store_including_local_outfalls(store):
    here = Fix(29.5600, 106.5700)
    store.replace_outfalls("500103", [
        {"id": str(i), "name": f"排口{i}", "district": {"code": "500103"},
         "location": {"lat": 29.5600 + i * 0.001, "lon": 106.5700}} for i in range(1, 8)])
    local = actions.register_outfall(store, name="新排口", category="OTHER", river_code="R", district_code="500103",
                                     location=Fix(29.5600, 106.5705))
    got = nearby.nearest(store, here, n=3)
    assert [g.outfall.get("id") for g in got] == [None, "1", "2"]
    assert got[0].outfall["clientId"] == local.client_id and got[0].compass_en == "E"
    assert got[1].distance_m == pytest.approx(111.2, abs=0.5) and got[1].compass_zh == "北"
    assert "m" in got[1].text()
    assert len(nearby.nearest(store, (29.56, 106.57), n=50, max_distance_m=300)) == 3
