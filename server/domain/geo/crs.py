"""WGS-84 <-> GCJ-02 <-> BD-09, with the constants of domain.json["gcj02"].

The formula shapes (transformLat/Lon, BD-09 rotation) are code; a, ee, the BD-09 offsets and the
out-of-China box are data. Every function takes and returns (lat, lon).
"""
from __future__ import annotations

import math

from server.domain.errors import BadInput
from server.reference import domain

_G = domain()["gcj02"]
A = float(_G["a"])
EE = float(_G["ee"])
_BD = _G["bd09_offsets"]
X_PI = math.pi * 3000.0 / 180.0
# wandergis' box (exclusive bounds), the one domain.json marks as such; Chongqing is well inside.
_OOC = _G["out_of_china"]["wandergis"]
_OOC_LAT, _OOC_LON = tuple(_OOC["lat"]), tuple(_OOC["lng"])
CRS_NAMES = ("WGS84", "GCJ02", "BD09")


def out_of_china(lat: float, lon: float) -> bool:
    """True where GCJ-02 is not applied (a rough box, as in the reference libraries)."""
    return not (_OOC_LON[0] < lon < _OOC_LON[1] and _OOC_LAT[0] < lat < _OOC_LAT[1])


def _tlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def _delta(lat: float, lon: float) -> tuple[float, float]:
    dlat, dlon = _tlat(lon - 105.0, lat - 35.0), _tlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = dlat * 180.0 / ((A * (1 - EE)) / (magic * sq) * math.pi)
    dlon = dlon * 180.0 / (A / sq * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _delta(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Fixed-point inversion (as gcoord/eviltransform-js): stops below 1e-7 deg, 30 steps at most."""
    if out_of_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(30):
        tlat, tlon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = tlat - lat, tlon - lon
        wlat, wlon = wlat - dlat, wlon - dlon
        if abs(dlat) < 1e-7 and abs(dlon) < 1e-7:
            break
    return wlat, wlon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + _BD["z_sin_coeff"] * math.sin(lat * X_PI)
    theta = math.atan2(lat, lon) + _BD["theta_cos_coeff"] * math.cos(lon * X_PI)
    return z * math.sin(theta) + _BD["lat"], z * math.cos(theta) + _BD["lng"]


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - _BD["lng"], lat - _BD["lat"]
    z = math.sqrt(x * x + y * y) - _BD["z_sin_coeff"] * math.sin(y * X_PI)
    theta = math.atan2(y, x) - _BD["theta_cos_coeff"] * math.cos(x * X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def wgs84_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def to_crs(lat: float, lon: float, crs: str) -> tuple[float, float]:
    """A WGS-84 point in the asked datum: WGS84, GCJ02 or BD09 (an Enum member works too)."""
    crs = getattr(crs, "value", crs)
    if crs == "WGS84":
        return lat, lon
    if crs == "GCJ02":
        return wgs84_to_gcj02(lat, lon)
    if crs == "BD09":
        return wgs84_to_bd09(lat, lon)
    raise BadInput(f"unknown crs {crs!r}; expected one of {', '.join(CRS_NAMES)}", field="crs")
