"""GB 3838-2002 single-factor assessment of station readings (单因子评价法), limits read from domain.json.

- Class of a value: the best class whose limit it meets (a value equal to a limit meets it).
  Maxima: value <= limit; DO (minimum): value >= limit; pH (range, the same 6-9 for every class):
  inside -> class I (it never sets the class), outside -> 劣V.
- Evaluated indicators: domain.json station_assessment.class_indicators_river (+ TN and the lake
  TP row for lakes/reservoirs); water temperature, conductivity and turbidity have no class.
- The class of a reading or a day is the worst class of its evaluated indicators; it needs a value of at
  least one indicator other than pH (pH alone would call anything class I).
- 超标倍数 = (C - limit)/limit, against the target class's limit (labelled), never for pH, DO and
  water temperature (domain.json exceedance_multiple.not_for).
"""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from server.domain.stations.params import BY_KEY, CLASSES, rules, station_key
from server.domain.standards.limits import exceedance_multiple
from server.reference import domain

ROMAN = CLASSES[:5]
WORSE_THAN_V = 6


def _sa() -> dict:
    return domain()["station_assessment"]


@lru_cache(maxsize=4)
def evaluated(water_body: str = "RIVER") -> tuple[str, ...]:
    """Our parameter keys that judge the class, in order."""
    names = list(_sa()["class_indicators_river"])
    if water_body == "LAKE":
        names += _sa()["class_indicators_lake_reservoir_extra"]
    return tuple(k for k in BY_KEY if station_key(k) in names)


NO_MULTIPLE = frozenset(k for k in BY_KEY if station_key(k) in _sa()["exceedance_multiple"]["not_for"])


def _row(param: str, water_body: str) -> dict | None:
    key = BY_KEY[param].gb3838
    if key is None:
        return None
    if param == "TP" and water_body == "LAKE":
        key = "TP_lake_reservoir"
    return domain()["gb3838"][key]


@dataclass(frozen=True)
class Limit:
    """A class limit as the interval a value must lie in: a maximum is (-inf, limit], a minimum (DO)
    [limit, inf), a range (pH) [low, high]; a value on the limit meets it."""

    direction: str  # max, min or range
    low: float
    high: float

    def meets(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def shown(self) -> float:
        """The one number quoted for it, and a multiple is taken against: a minimum's, else the upper end."""
        return self.low if self.direction == "min" else self.high


@lru_cache(maxsize=256)
def limit(param: str, cls: str, water_body: str = "RIVER") -> Limit | None:
    """A class's limit for a parameter, or None where GB 3838 sets none."""
    row = _row(param, water_body)
    direction = row.get("direction") if row is not None else None
    if row is None or direction not in ("max", "min", "range"):
        return None
    raw = row[cls]
    if direction == "range":
        return Limit("range", float(raw[0]), float(raw[1]))
    return Limit("max", -math.inf, float(raw)) if direction == "max" else Limit("min", float(raw), math.inf)


def class_of(param: str, value: float | None, water_body: str = "RIVER") -> int | None:
    """1..5 for I..V, 6 for 劣V, None when the parameter has no class limit or no value."""
    if value is None or param not in evaluated(water_body):
        return None
    for i, cls in enumerate(ROMAN, start=1):
        lim = limit(param, cls, water_body)
        if lim is None:
            return None
        if lim.meets(value):
            return i
    return WORSE_THAN_V


def class_name(n: int | None) -> str | None:
    return None if n is None else CLASSES[n - 1]


def class_number(name: str) -> int:
    return CLASSES.index(name) + 1


@dataclass(frozen=True)
class Failing:
    parameter: str
    value: float
    cls: str
    limit: float | None  # the target class's limit (DO: its minimum; pH: the upper end)
    limit_class: str  # which class's limit `limit` and `multiple` use
    multiple: float | None  # 超标倍数, None for pH, DO and water temperature


@dataclass(frozen=True)
class Assessment:
    cls: int | None  # worst class over the evaluated indicators with a value, None when none had one
    meets_target: bool | None
    failing: tuple[Failing, ...]
    classes: dict[str, int]  # per evaluated parameter with a value


def assess(values: Mapping[str, float | None], target: str, water_body: str = "RIVER") -> Assessment:
    """Judge one reading (or one day's values) of a station with a target class."""
    tnum = class_number(target)
    classes: dict[str, int] = {}
    judged: dict[str, tuple[float, Limit]] = {}  # value and target limit of each classed parameter
    for p in evaluated(water_body):
        v = values.get(p)
        c = class_of(p, v, water_body)
        lim = limit(p, target, water_body)
        if c is not None and v is not None and lim is not None:
            classes[p], judged[p] = c, (v, lim)
    if not any(lim.direction != "range" for _, lim in judged.values()):
        # pH (the same 6-9 for every class) alone would call anything class I: not a judgement.
        return Assessment(None, None, (), classes)
    worst = max(classes.values())
    failing = []
    for p, c in classes.items():
        if c <= tnum:
            continue
        v, lim = judged[p]
        mult = None if p in NO_MULTIPLE else exceedance_multiple(v, lim.shown, direction=lim.direction)
        failing.append(Failing(p, v, CLASSES[c - 1], lim.shown, target, mult))
    failing.sort(key=lambda f: (-class_number(f.cls), -(f.multiple or 0)))
    return Assessment(worst, worst <= tnum, tuple(failing), classes)


@lru_cache(maxsize=4)
def _bounds(water_body: str) -> tuple[tuple[str, bool, tuple[tuple[float, float], ...]], ...]:
    """(parameter, whether it judges, (low, high) of I..V) of each evaluated indicator with class limits.
    A range (pH) is the same for every class: alone it judges nothing."""
    out = []
    for p in evaluated(water_body):
        lims = [limit(p, c, water_body) for c in ROMAN]
        kept = [lim for lim in lims if lim is not None]
        if len(kept) == len(lims):
            out.append((p, kept[0].direction != "range", tuple((lim.low, lim.high) for lim in kept)))
    return tuple(out)


def classify(values: Mapping[str, float | None], target: str,
             water_body: str = "RIVER") -> tuple[int | None, bool | None]:
    """(cls, meets_target) of assess() without building its failing list: the per-slot path of alerting
    and the calendar, which need the failing indicators only on the rare off-target slot or day."""
    worst, judged = 0, False
    for p, judges, bounds in _bounds(water_body):
        v = values.get(p)
        if v is None:
            continue
        c = WORSE_THAN_V
        for i, (lo, hi) in enumerate(bounds, start=1):
            if lo <= v <= hi:
                c = i
                break
        judged = judged or judges
        if c > worst:
            worst = c
    if not judged:
        return None, None
    return worst, worst <= class_number(target)


def grade(cls: int | None) -> str | None:
    """优 / 良好 / 轻度污染 / 中度污染 / 重度污染 for a class (domain.json qualitative_grades)."""
    return None if cls is None else _sa()["qualitative_grades"][CLASSES[cls - 1]]


def river_grade(classes: list[int]) -> str | None:
    """A river's grade from its sections' classes (5 or more sections: by the shares, domain.json)."""
    if len(classes) < 5:
        return None  # fewer than 5: average the indicators first (done by the caller)
    n = len(classes)
    shares = {"good": sum(c <= 3 for c in classes) / n, "bad": sum(c == WORSE_THAN_V for c in classes) / n}
    for rule in _sa()["river_grades_5_or_more_sections"]:
        if _holds(rule["rule"], shares):
            return rule["grade"]
    return None


def _holds(rule: str, shares: dict[str, float]) -> bool:
    """Evaluate a domain.json rule such as "0.75 <= share I-III < 0.90 and share 劣V < 0.20"."""
    ops = {"<": operator.lt, "<=": operator.le, ">=": operator.ge, ">": operator.gt}

    def operand(tok: str) -> float:
        return shares["good"] if tok == "share I-III" else shares["bad"] if tok == "share 劣V" else float(tok)

    for clause in rule.split(" and "):
        toks = re.findall(r"share I-III|share 劣V|[<>]=?|[0-9.]+", clause)
        for i in range(1, len(toks), 2):  # a op b [op c]
            if not ops[toks[i]](operand(toks[i - 1]), operand(toks[i + 1])):
                return False
    return True


def daily_min_valid() -> int:
    return int(rules()["daily"]["min_valid_readings"])
