"""Pure geometry: datum shifts (crs) and distances (distance). models/service hold the DB side."""
from server.domain.geo.crs import (
    CRS_NAMES,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_crs,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from server.domain.geo.distance import (
    CHONGQING_BOUNDS,
    R as EARTH_RADIUS_M,
    bbox_around,
    bearing_deg,
    check_in_chongqing,
    haversine_m,
)

__all__ = [
    "CHONGQING_BOUNDS", "CRS_NAMES", "EARTH_RADIUS_M", "bbox_around", "bd09_to_gcj02", "bd09_to_wgs84",
    "bearing_deg", "check_in_chongqing", "gcj02_to_bd09", "gcj02_to_wgs84", "haversine_m", "out_of_china",
    "to_crs", "wgs84_to_bd09", "wgs84_to_gcj02",
]
