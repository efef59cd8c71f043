"""Distance and bearing from a GPS fix to cached outfalls; the N nearest, offline from the store.

WGS-84 throughout (what GPS gives and what the server stores); the spherical haversine is within
0.5 % of the ellipsoid, plenty for "which outfall is 80 m to the north-east of me".
The same formula as server/domain/geo/distance.py, kept here on purpose: the APK packages mobile/ only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
COMPASS_EN = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
COMPASS_ZH = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")


class HasLatLon(Protocol):
    lat: float
    lon: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from true north in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def compass(bearing: float) -> tuple[str, str]:
    """8-point compass name (Chinese, English): each sector is 45° centred on its direction."""
    i = int(((bearing % 360.0) + 22.5) // 45) % 8
    return COMPASS_ZH[i], COMPASS_EN[i]


@dataclass(frozen=True)
class NearbyOutfall:
    outfall: dict[str, Any]  # as cached (server Outfall, or a local one with "id": None and "clientId")
    distance_m: float
    bearing_deg: float
    compass_zh: str
    compass_en: str

    def text(self) -> str:
        d = f"{self.distance_m:.0f} m" if self.distance_m < 1000 else f"{self.distance_m / 1000:.1f} km"
        return f"{self.outfall.get('name')} · {d} {self.compass_zh}/{self.compass_en}"


def _latlon(where: HasLatLon | tuple[float, float]) -> tuple[float, float]:
    if isinstance(where, tuple):
        return float(where[0]), float(where[1])
    return float(where.lat), float(where.lon)


def rank(where: HasLatLon | tuple[float, float], outfalls: list[dict[str, Any]], n: int = 10,
         max_distance_m: float | None = None) -> list[NearbyOutfall]:
    """The n nearest of `outfalls` (dicts with location {lat, lon}), nearest first."""
    lat, lon = _latlon(where)
    out = []
    for o in outfalls:
        loc = o.get("location") or {}
        if loc.get("lat") is None or loc.get("lon") is None:
            continue
        d = haversine_m(lat, lon, loc["lat"], loc["lon"])
        if max_distance_m is not None and d > max_distance_m:
            continue
        b = bearing_deg(lat, lon, loc["lat"], loc["lon"])
        zh, en = compass(b)
        out.append(NearbyOutfall(o, d, b, zh, en))
    out.sort(key=lambda x: x.distance_m)
    return out[:n]


def nearest(store, where: HasLatLon | tuple[float, float], n: int = 10, *, district_code: str | None = None,
            max_distance_m: float | None = None) -> list[NearbyOutfall]:
    """The n nearest outfalls in the store's cache (including ones registered here, not yet synced)."""
    return rank(where, store.outfalls(district_code), n, max_distance_m)
