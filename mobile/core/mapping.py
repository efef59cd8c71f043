"""The map's arithmetic, without Kivy: datums, Web Mercator tiles, the tile cache and what to draw.

Positions everywhere in the app are WGS-84 (the GPS, the server's register). Tiles are drawn in a
datum of their own: 天地图 (Tianditu) is WGS-84-like (CGCS2000), most Chinese commercial tiles are
GCJ-02. A TileSource says which; to_map() moves a WGS-84 point into the tiles' datum before it is
projected, and from_map() brings a point picked on the map (the registration pin) back to WGS-84.
The GCJ-02 formulas are the server's (server/domain/geo/crs.py, constants of domain.json["gcj02"]),
copied because the APK packages mobile/ only; tests/mobile/test_mapping.py holds the two equal and
both to domain.json's test vectors.

Offline: tiles are cached as files <cache>/<source key>/<z>/<x>/<y>.png; tiles_along() lists the
tiles covering a corridor along the district's rivers (mobile/assets/river_courses.json, the
server's reference courses) so they can be fetched before going out. Without tiles the map still
draws the rivers and outfalls on a plain background.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from mobile.core.nearby import haversine_m

TILE = 256
MAX_LAT = 85.05112878
DATUMS = ("WGS84", "GCJ02")

# domain.json["gcj02"] (Krasovsky 1940) and its out-of-China box, as the server uses them.
A = 6378245.0
EE = 0.006693421622965943
_OOC_LAT, _OOC_LON = (3.86, 53.55), (73.66, 135.05)  # "wandergis", exclusive, as the server


# -- datums ---------------------------------------------------------------------------------------

def out_of_china(lat: float, lon: float) -> bool:
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


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _tlat(lon - 105.0, lat - 35.0), _tlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = dlat * 180.0 / ((A * (1 - EE)) / (magic * sq) * math.pi)
    dlon = dlon * 180.0 / (A / sq * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Fixed-point inversion, as the server: below 1e-7 degrees, 30 steps at most."""
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


# -- tile sources -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TileSource:
    """An XYZ tile service: url with {z} {x} {y} (and optionally {s} for a subdomain), and the datum
    its pictures are drawn in."""
    url: str
    datum: str = "WGS84"
    min_zoom: int = 3
    max_zoom: int = 18
    subdomains: str = ""
    name: str = ""

    def __post_init__(self):
        if self.datum not in DATUMS:
            raise ValueError(f"datum must be one of {', '.join(DATUMS)}; got {self.datum!r}")
        if not all(k in self.url for k in ("{z}", "{x}", "{y}")):
            raise ValueError("tile url needs {z}, {x} and {y}")
        if not self.url.startswith(("http://", "https://", "file://")):
            raise ValueError("tile url must be http(s):// or file://")

    @property
    def key(self) -> str:
        """The cache folder's name: a different service or datum never reuses another's files."""
        return hashlib.sha1(f"{self.url}|{self.datum}".encode()).hexdigest()[:16]

    def tile_url(self, z: int, x: int, y: int) -> str:
        s = self.subdomains[(x + y) % len(self.subdomains)] if self.subdomains else ""
        return self.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)).replace("{s}", s)

    @classmethod
    def from_config(cls, cfg: dict | None) -> "TileSource | None":
        """From the phone's saved setting (or --tiles); None when no tiles are configured."""
        if not cfg or not cfg.get("url"):
            return None
        return cls(url=cfg["url"], datum=cfg.get("datum") or "WGS84", min_zoom=int(cfg.get("min_zoom", 3)),
                   max_zoom=int(cfg.get("max_zoom", 18)), subdomains=cfg.get("subdomains") or "",
                   name=cfg.get("name") or "")

    def as_config(self) -> dict:
        return {"url": self.url, "datum": self.datum, "min_zoom": self.min_zoom, "max_zoom": self.max_zoom,
                "subdomains": self.subdomains, "name": self.name}


def to_map(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A WGS-84 point in the datum the tiles are drawn in."""
    return wgs84_to_gcj02(lat, lon) if datum == "GCJ02" else (lat, lon)


def from_map(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A point picked on tiles of `datum`, as WGS-84."""
    return gcj02_to_wgs84(lat, lon) if datum == "GCJ02" else (lat, lon)


# -- Web Mercator ---------------------------------------------------------------------------------

def project(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Global pixel coordinates at `zoom` (x east, y south, 256-pixel tiles)."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = TILE * 2 ** zoom
    x = (lon + 180.0) / 360.0 * n
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n
    return x, y


def unproject(x: float, y: float, zoom: float) -> tuple[float, float]:
    n = TILE * 2 ** zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lon


def tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    x, y = project(lat, lon, zoom)
    top = 2 ** zoom - 1
    return min(top, max(0, int(x // TILE))), min(top, max(0, int(y // TILE)))


def metres_per_pixel(lat: float, zoom: float) -> float:
    return 156543.03392 * math.cos(math.radians(lat)) / 2 ** zoom


@dataclass(frozen=True)
class View:
    """What the map shows: a WGS-84 centre, a zoom, a size in pixels, the tiles' datum. Screen
    coordinates have y up (Kivy's), origin at the bottom left of the view."""
    lat: float
    lon: float
    zoom: float
    width: float
    height: float
    datum: str = "WGS84"

    def to_screen(self, lat: float, lon: float) -> tuple[float, float]:
        mlat, mlon = to_map(lat, lon, self.datum)
        clat, clon = to_map(self.lat, self.lon, self.datum)
        x, y = project(mlat, mlon, self.zoom)
        cx, cy = project(clat, clon, self.zoom)
        return self.width / 2 + (x - cx), self.height / 2 - (y - cy)

    def to_wgs84(self, sx: float, sy: float) -> tuple[float, float]:
        clat, clon = to_map(self.lat, self.lon, self.datum)
        cx, cy = project(clat, clon, self.zoom)
        mlat, mlon = unproject(cx + (sx - self.width / 2), cy - (sy - self.height / 2), self.zoom)
        return from_map(mlat, mlon, self.datum)

    def tiles(self) -> list[tuple[int, int, int, float, float]]:
        """(z, x, y, screen x, screen y of the tile's bottom-left) for every tile in view."""
        z = int(round(self.zoom))
        scale = 2 ** (self.zoom - z)
        clat, clon = to_map(self.lat, self.lon, self.datum)
        cx, cy = project(clat, clon, z)
        size = TILE * scale
        left, top = cx - self.width / 2 / scale, cy - self.height / 2 / scale
        out = []
        for tx in range(int(left // TILE), int((left + self.width / scale) // TILE) + 1):
            for ty in range(int(top // TILE), int((top + self.height / scale) // TILE) + 1):
                if 0 <= ty < 2 ** z:
                    sx = (tx * TILE - left) * scale
                    sy = self.height - (ty * TILE - top) * scale - size
                    out.append((z, tx % 2 ** z, ty, sx, sy))
        return out


def pinch(view: View, start: tuple[tuple[float, float], tuple[float, float]],
          now: tuple[tuple[float, float], tuple[float, float]], *, min_zoom: float = 3,
          max_zoom: float = 19) -> tuple[tuple[float, float], float]:
    """Two fingers moved from `start` to `now` (screen points of the view, y up): the new WGS-84
    centre and zoom. The spread's ratio changes the zoom by its log2 (fingers twice as far apart:
    one level in), and the place under the fingers' midpoint at the start stays under their
    midpoint now, so the map follows the hand as it would on any phone map."""
    (a0, b0), (a1, b1) = start, now
    d0 = math.hypot(b0[0] - a0[0], b0[1] - a0[1])
    d1 = math.hypot(b1[0] - a1[0], b1[1] - a1[1])
    zoom = view.zoom
    if d0 > 1 and d1 > 1:
        zoom = max(min_zoom, min(max_zoom, view.zoom + math.log2(d1 / d0)))
    m0 = ((a0[0] + b0[0]) / 2, (a0[1] + b0[1]) / 2)
    m1 = ((a1[0] + b1[0]) / 2, (a1[1] + b1[1]) / 2)
    anchor = view.to_wgs84(*m0)  # the place that was under the midpoint
    # Put `anchor` at m1 at the new zoom: the centre is m1's offset from the middle, undone.
    mlat, mlon = to_map(*anchor, view.datum)
    ax, ay = project(mlat, mlon, zoom)
    cx, cy = ax - (m1[0] - view.width / 2), ay + (m1[1] - view.height / 2)
    return from_map(*unproject(cx, cy, zoom), view.datum), zoom


# -- offline cache ----------------------------------------------------------------------------------

class TileCache:
    """Tiles as files; fetch() is given (an HTTP GET returning bytes) so the core stays testable."""

    def __init__(self, root: str | os.PathLike, source: TileSource):
        self.root = Path(root) / source.key
        self.source = source

    def path(self, z: int, x: int, y: int) -> Path:
        return self.root / str(z) / str(x) / f"{y}.png"

    def get(self, z: int, x: int, y: int) -> Path | None:
        p = self.path(z, x, y)
        return p if p.is_file() and p.stat().st_size > 0 else None

    def put(self, z: int, x: int, y: int, data: bytes) -> Path:
        p = self.path(z, x, y)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
        return p

    def prefetch(self, tiles: Iterable[tuple[int, int, int]], fetch: Callable[[str], bytes | None],
                 limit: int = 5000) -> dict[str, int]:
        """Fetch the tiles not cached yet (at most `limit`); counts of cached, fetched and failed."""
        counts = {"cached": 0, "fetched": 0, "failed": 0}
        for z, x, y in tiles:
            if self.get(z, x, y):
                counts["cached"] += 1
                continue
            if counts["fetched"] + counts["failed"] >= limit:
                break
            try:
                data = fetch(self.source.tile_url(z, x, y))
            except Exception:  # noqa: BLE001 - offline or refused: counted, the rest goes on
                data = None
            if data:
                self.put(z, x, y, data)
                counts["fetched"] += 1
            else:
                counts["failed"] += 1
        return counts

    def count(self) -> int:
        return sum(1 for _ in self.root.rglob("*.png")) if self.root.is_dir() else 0


def tiles_along(polylines: Iterable[list[tuple[float, float]]], zooms: Iterable[int], buffer_m: float,
                datum: str = "WGS84") -> list[tuple[int, int, int]]:
    """Every tile within `buffer_m` of the polylines (WGS-84 points) at each zoom, in the tiles' datum."""
    out: set[tuple[int, int, int]] = set()
    for z in zooms:
        for line in polylines:
            pts = [to_map(lat, lon, datum) for lat, lon in line]
            for (a_lat, a_lon), (b_lat, b_lon) in zip(pts, pts[1:] or pts):
                seg = haversine_m(a_lat, a_lon, b_lat, b_lon)
                step = max(1, int(seg / max(1.0, metres_per_pixel(a_lat, z) * TILE / 2)))
                for i in range(step + 1):
                    lat = a_lat + (b_lat - a_lat) * i / step
                    lon = a_lon + (b_lon - a_lon) * i / step
                    r_lat = buffer_m / 111_320.0
                    r_lon = buffer_m / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
                    x0, y1 = tile_of(lat - r_lat, lon - r_lon, z)
                    x1, y0 = tile_of(lat + r_lat, lon + r_lon, z)
                    for x in range(x0, x1 + 1):
                        for y in range(y0, y1 + 1):
                            out.add((z, x, y))
    return sorted(out)


# -- what the map draws -------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def river_courses() -> dict[str, list[tuple[float, float, str]]]:
    """The server's reference river courses (WGS-84 waypoints, downstream, each naming its district)."""
    path = Path(__file__).resolve().parent.parent / "assets" / "river_courses.json"
    raw = json.loads(path.read_text(encoding="utf-8"))["courses"]
    return {code: [(float(a), float(b), str(c)) for a, b, c in pts] for code, pts in raw.items()}


def district_rivers(district_name: str | None) -> list[list[tuple[float, float]]]:
    """The river courses through a district, by its name as the courses carry it (with a waypoint
    either side so the line runs through it); all courses when no district is given."""
    out = []
    for pts in river_courses().values():
        idx = [i for i, p in enumerate(pts) if district_name is None or p[2] == district_name]
        if not idx:
            continue
        lo, hi = max(0, min(idx) - 1), min(len(pts) - 1, max(idx) + 1)
        out.append([(lat, lon) for lat, lon, _d in pts[lo:hi + 1]])
    return out


PHASE_COLOURS = {  # 查测溯治: surveyed grey-blue, monitored blue, traced purple, remediated green
    "SURVEYED": (0.33, 0.40, 0.50, 1), "MONITORED": (0.10, 0.35, 0.75, 1), "TRACED": (0.45, 0.20, 0.60, 1),
    "REMEDIATED": (0.10, 0.45, 0.20, 1),
}
OPEN_TASK_COLOUR = (0.75, 0.10, 0.10, 1)
LOCAL_COLOUR = (0.60, 0.30, 0.00, 1)  # registered on this phone, not yet synced


def marker_colour(outfall: dict, open_task_outfalls: set[str]) -> tuple:
    """An outfall's marker: red with an open task, else by phase; amber while only on this phone."""
    if str(outfall.get("id") or "") in open_task_outfalls:
        return OPEN_TASK_COLOUR
    if not outfall.get("id"):
        return LOCAL_COLOUR
    return PHASE_COLOURS.get(outfall.get("phase") or "SURVEYED", PHASE_COLOURS["SURVEYED"])


DUPLICATE_RADIUS_M = 30.0


def outfalls_near(outfalls: Iterable[dict], lat: float, lon: float,
                  radius_m: float = DUPLICATE_RADIUS_M) -> list[tuple[dict, float]]:
    """Registered outfalls within radius_m of a point, nearest first (the registration warning)."""
    got = []
    for o in outfalls:
        loc = o.get("location") or {}
        if loc.get("lat") is None:
            continue
        d = haversine_m(lat, lon, loc["lat"], loc["lon"])
        if d <= radius_m:
            got.append((o, d))
    return sorted(got, key=lambda t: t[1])
