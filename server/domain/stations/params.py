"""The station parameters and their rules, read from server/reference/stations.json (limits from domain.json)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from server.reference import domain


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    with resources.files("server.reference").joinpath("stations.json").open("r", encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class Param:
    key: str  # API name, e.g. NH3_N
    column: str  # column suffix in station_readings, e.g. nh3_n
    gb3838: str | None  # key in domain.json gb3838, None when GB 3838 sets no class limit
    name_zh: str
    unit: str
    plausible: tuple[float, float]
    spike_abs: float
    spike_rel: float


@lru_cache(maxsize=1)
def params() -> tuple[Param, ...]:
    out = []
    for p in rules()["parameters"]:
        out.append(Param(p["key"], p["key"].lower(), p["gb3838"], p["name_zh"], p["unit"],
                         (float(p["plausible"][0]), float(p["plausible"][1])),
                         float(p["spike"]["abs"]), float(p["spike"]["rel"])))
    basic = domain()["station_assessment"]["basic_indicators"]
    assert sorted(basic) == sorted(r["station_key"] for r in rules()["parameters"]), "stations.json drifted from 9+X"
    return tuple(out)


PARAMS: tuple[Param, ...] = params()
BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}
KEYS: tuple[str, ...] = tuple(p.key for p in PARAMS)
FLAGS = ("VALID", "MISSING", "FAULT", "SUSPECT")
LEVELS = ("NATIONAL", "MUNICIPAL", "DISTRICT")
STATUSES = ("ACTIVE", "SUSPENDED", "CLOSED")
WATER_BODIES = ("RIVER", "LAKE")
CLASSES = ("I", "II", "III", "IV", "V", "劣V")  # index + 1 = class number; 6 = worse than V


def station_key(param: str) -> str:
    """The name domain.json's station_assessment uses for one of our parameter keys."""
    return next(p["station_key"] for p in rules()["parameters"] if p["key"] == param)
