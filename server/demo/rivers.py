"""Approximate courses of Chongqing's rivers (WGS-84 waypoints, downstream order) for the demo register.

The waypoints are reference data (server/reference/river_courses.json, with their source note); the
tracing network reads the same file. Each waypoint names the district it lies in; outfalls between
two waypoints take the nearer one's. Good to a few kilometres.
"""
from __future__ import annotations

import json
from importlib import resources


def _load() -> dict[str, list[tuple[float, float, str]]]:
    with resources.files("server.reference").joinpath("river_courses.json").open("r", encoding="utf-8") as f:
        return {code: [(float(a), float(b), str(c)) for a, b, c in pts] for code, pts in json.load(f)["courses"].items()}


COURSES: dict[str, list[tuple[float, float, str]]] = _load()
