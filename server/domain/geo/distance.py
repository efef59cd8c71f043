"""Distances, bearings and the Chongqing envelope (spherical Earth, good to ~0.5 %)."""
from __future__ import annotations

import math

from server.domain.errors import BadInput

R = 6371008.8  # mean Earth radius (IUGG), metres
# Chongqing spans about 28.16-32.20 N and 105.29-110.19 E; ~0.2 deg of margin keeps bank-side
# points and GPS scatter at the border inside. An envelope, not the boundary polygon.
CHONGQING_BOUNDS = (27.9, 105.05, 32.45, 110.45)  # south, west, north, east


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, clockwise from north, in [0, 360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


def bbox_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """A (south, west, north, east) box that contains the circle (for an index pre-filter)."""
    if not radius_m >= 0:
        raise ValueError("radius_m must be >= 0")
    ang = radius_m / R
    dlat = math.degrees(ang)
    south, north = lat - dlat, lat + dlat
    if north >= 90 or south <= -90 or ang >= math.pi / 2:
        # The circle reaches a pole: every longitude is inside.
        return max(south, -90.0), -180.0, min(north, 90.0), 180.0
    # Widest longitude span of a spherical cap: asin(sin(ang) / cos(lat)).
    dlon = math.degrees(math.asin(min(1.0, math.sin(ang) / math.cos(math.radians(lat)))))
    return south, lon - dlon, north, lon + dlon


def check_in_chongqing(lat: float, lon: float, *, field: str) -> None:
    """BAD_USER_INPUT naming `field` unless the point is a real coordinate inside Chongqing."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise BadInput(f"{field}: latitude and longitude must be finite numbers", field=field)
    if not -90 <= lat <= 90:
        raise BadInput(f"{field}: latitude out of range [-90, 90]: {lat}", field=field)
    if not -180 <= lon <= 180:
        raise BadInput(f"{field}: longitude out of range [-180, 180]: {lon}", field=field)
    s, w, n, e = CHONGQING_BOUNDS
    if not (s <= lat <= n and w <= lon <= e):
        raise BadInput(f"{field}: ({lat}, {lon}) is outside Chongqing", field=field)
