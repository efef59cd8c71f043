"""The river network as linear reference: river-km along each course, confluences, upstream reaches.

river-km runs from a course's first (upstream) waypoint downstream. A tributary joins its parent where
its last waypoint projects onto the parent's course. Upstream navigation follows USGS NLDI's two modes:
main stem only, or with tributaries (recursively), never downstream and never across a confluence
into the other branch.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from server.domain.geo.distance import haversine_m

_M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Reach:
    """A stretch [km_lo, km_hi] of a river upstream of the start; distance(x) = base + (km_hi - x)."""

    river_code: str
    km_lo: float
    km_hi: float
    base_km: float  # distance along the water from the start to km_hi
    via: tuple[str, ...]  # rivers passed through from the start (confluences crossed)

    def distance_km(self, km: float) -> float:
        return self.base_km + (self.km_hi - km)


class Network:
    def __init__(self, courses: dict[str, list[tuple[float, float]]], parents: dict[str, str | None]):
        self.courses = {c: [(float(p[0]), float(p[1])) for p in pts] for c, pts in courses.items()}
        self.parents = {c: parents.get(c) for c in self.courses}
        self.cum: dict[str, list[float]] = {}
        for code, pts in self.courses.items():
            acc = [0.0]
            for a, b in zip(pts, pts[1:]):
                acc.append(acc[-1] + haversine_m(a[0], a[1], b[0], b[1]) / 1000)
            self.cum[code] = acc
        # parent -> [(tributary, km on the parent where it joins)]
        self.confluences: dict[str, list[tuple[str, float]]] = {c: [] for c in self.courses}
        for code, parent in self.parents.items():
            if parent and parent in self.courses:
                mouth = self.courses[code][-1]
                self.confluences[parent].append((code, self.project(parent, mouth[0], mouth[1])[0]))

    def length_km(self, river: str) -> float:
        return self.cum[river][-1]

    def project(self, river: str, lat: float, lon: float) -> tuple[float, float]:
        """(river-km, distance from the course in metres) of the nearest point on the course."""
        if river not in self.courses:
            raise KeyError(river)
        pts, cum = self.courses[river], self.cum[river]
        kx = math.cos(math.radians(lat)) * _M_PER_DEG
        best = (math.inf, 0.0)
        for i, (a, b) in enumerate(zip(pts, pts[1:])):
            ax, ay = (a[1] - lon) * kx, (a[0] - lat) * _M_PER_DEG
            bx, by = (b[1] - lon) * kx, (b[0] - lat) * _M_PER_DEG
            dx, dy = bx - ax, by - ay
            seg2 = dx * dx + dy * dy
            t = 0.0 if seg2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg2))
            px, py = ax + t * dx, ay + t * dy
            d = math.hypot(px, py)
            if d < best[0]:
                best = (d, cum[i] + t * (cum[i + 1] - cum[i]))
        return best[1], best[0]

    def point_at(self, river: str, km: float) -> tuple[float, float]:
        pts, cum = self.courses[river], self.cum[river]
        km = max(0.0, min(km, cum[-1]))
        for i in range(len(pts) - 1):
            if cum[i + 1] >= km:
                seg = cum[i + 1] - cum[i]
                t = 0.0 if seg == 0 else (km - cum[i]) / seg
                return (pts[i][0] + t * (pts[i + 1][0] - pts[i][0]), pts[i][1] + t * (pts[i + 1][1] - pts[i][1]))
        return pts[-1]

    def upstream(self, river: str, km: float, max_km: float, *, tributaries: bool) -> list[Reach]:
        """The reaches within `max_km` upstream of (river, km)."""
        if max_km < 0:
            return []
        out = [Reach(river, max(0.0, km - max_km), km, 0.0, (river,))]
        if tributaries:
            self._tributaries(river, km, max_km, 0.0, (river,), out)
        return out

    def _tributaries(self, river, km, budget, base, via, out):
        for trib, at in self.confluences.get(river, ()):
            if at > km + 1e-9 or km - at > budget:
                continue  # joins downstream of us, or too far up
            left = budget - (km - at)
            L = self.length_km(trib)
            d0 = base + (km - at)
            out.append(Reach(trib, max(0.0, L - left), L, d0, via + (trib,)))
            self._tributaries(trib, L, left, d0, via + (trib,), out)


def _read(name: str) -> dict:
    with resources.files("server.reference").joinpath(name).open("r", encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def network() -> Network:
    """The city's network from the reference data (river_courses.json, rivers.json)."""
    courses = {c: [(p[0], p[1]) for p in pts] for c, pts in _read("river_courses.json")["courses"].items()}
    parents = {r["code"]: r["parent"] for r in _read("rivers.json")["rivers"]}
    return Network(courses, parents)


def course_source() -> str:
    return _read("river_courses.json")["source"]
