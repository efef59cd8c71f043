"""Offline exceedance check of rapid-test readings, with the server's rules, against cached limit rows.

Rows have the shape of server.domain.standards.limits_table(): standard, level, label, parameter,
scope ("river"/"lake" for GB 3838 TP/TN), condition (GB 18918 NH3-N water-temperature bracket),
direction ("max" | "min" | "range"), limit, limit_low, unit. The phone caches what the server sends;
until then it uses limits_table.json, generated from the same domain.json (a test keeps them equal).

Which limit applies is the server's rule since issue 19 (server/domain/standards/applicable.py, rules
in server/reference/lifecycle.json), mirrored by `assess`: effluent is judged against the outfall's
own approved limits, else its discharge standard and grade (cached with the outfall:
dischargeStandard, dischargeGrade, approvedLimits), never against GB 3838 as a fallback; river water
up- or downstream against the receiving water's target class (receivingTarget). A stormwater outlet,
an outfall whose standard is still to be assigned, or a standard whose table is not in the reference
is not judged, and the Judgement says why (`reason`). tests/mobile/test_limits.py holds `assess` to
the server's functions, and tests/mobile/test_limits_live.py to what a real server stores.

`check`/`for_outfall` (the category rule used before issue 19) stay for the reference table's tests.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

GB3838, GB18918, GB8978 = "GB 3838-2002", "GB 18918-2002", "GB 8978-1996"
DEFAULT_WATER_CLASS = "III"
NH3_N_COLD_C = 12.0
_TABLE = Path(__file__).with_name("limits_table.json")


@lru_cache(maxsize=1)
def _bundle() -> dict[str, Any]:
    return json.loads(_TABLE.read_text(encoding="utf-8"))


def bundled_rows() -> list[dict[str, Any]]:
    return list(_bundle()["rows"])


UNITS: dict[str, str] = dict(_bundle()["units"])
BOUNDS: dict[str, tuple[float, float]] = {k: (float(v[0]), float(v[1])) for k, v in _bundle()["bounds"].items()}
PARAMETERS = tuple(UNITS)


@dataclass(frozen=True)
class Judgement:
    parameter: str
    value: float
    unit: str
    limit: float | None  # the bound shown: maximum, DO's minimum, or pH's upper end
    limit_low: float | None
    standard: str | None  # label, e.g. "GB 3838-2002 III"
    exceeded: bool
    exceedance_ratio: float | None  # value/limit (max), limit/value (min), None (range); NOT 超标倍数
    direction: str | None = None
    basis: str | None = None  # DISCHARGE, APPROVED, RECEIVING_WATER (as the server stores it); None: not judged
    reason: str | None = None  # why nothing was judged: one of REASONS

    @property
    def exceedance_multiple(self) -> float | None:
        """超标倍数, (C − limit)/limit: see exceedance_multiple."""
        return exceedance_multiple(self.value, self.limit, direction=self.direction)

    def text(self) -> str:
        """One line for the inspection screen (Chinese, then English)."""
        if self.limit is None:
            return f"{self.parameter} {self.value:g} {self.unit}: 无限值 / no limit".replace("  ", " ")
        bound = f"{self.limit_low:g}-{self.limit:g}" if self.direction == "range" else f"{self.limit:g}"
        if not self.exceeded:
            return f"{self.parameter} {self.value:g} {self.unit} 达标 / within {bound} ({self.standard})"
        m = self.exceedance_multiple
        times = f" 超标{m:.2f}倍 / {m:.2f}× over" if m is not None else ""
        return f"{self.parameter} {self.value:g} {self.unit} 超标 / EXCEEDS {bound}{times} ({self.standard})"


def exceedance_multiple(value: float, limit: float | None, *, direction: str | None = "max") -> float | None:
    """超标倍数 as the bureaus define it, (C − limit)/limit: twice the limit is 超标 1 倍.

    The phone's copy of server.domain.standards.exceedance_multiple (the phone ships without the
    server); tests/mobile/test_limits.py holds both to the same boundary cases. Only a reading above
    a maximum has one; pH ranges and DO minima have none (domain.md §6)."""
    if direction != "max" or limit is None or limit <= 0 or value is None or not value > limit:
        return None
    return (float(value) - limit) / limit


# -- the outfall's own standard (issue 19) -------------------------------------------------------

SAMPLE_TYPES = ("EFFLUENT", "UPSTREAM", "DOWNSTREAM")
RIVER_SAMPLES = ("UPSTREAM", "DOWNSTREAM")
APPROVED_LABEL = "批复限值"  # the server's label for a judgement against approved limits
# Why a reading was not judged (the app says each in the UI language):
REASONS = ("STORMWATER", "UNASSIGNED", "NO_TABLE", "NO_GRADE", "NOT_SET", "NO_TARGET")


def lifecycle() -> dict[str, Any]:
    """The part of server/reference/lifecycle.json the phone needs offline (bundled; a test keeps it equal)."""
    return _bundle()["lifecycle"]


def standard_of(outfall: dict[str, Any]) -> tuple[str, str | None]:
    """(discharge standard key, grade) of a cached outfall. One registered on this phone and not yet
    synced has what the server will give it: STORMWATER for a stormwater subtype, else UNASSIGNED."""
    key = outfall.get("dischargeStandard")
    if not key:
        key = "STORMWATER" if outfall.get("subtype") in lifecycle()["stormwater_subtypes"] else "UNASSIGNED"
    return key, outfall.get("dischargeGrade")


def receiving_target(outfall: dict[str, Any]) -> str | None:
    """The class river water at this outfall is held to: the server's answer when cached, else the
    outfall's water class, else the reference's target for its river, else unknown (never III)."""
    if outfall.get("receivingTarget"):
        return outfall["receivingTarget"]
    if outfall.get("waterClass"):
        return outfall["waterClass"]
    river = outfall.get("river") or {}
    code = river.get("code") if isinstance(river, dict) else None
    return lifecycle()["receiving_targets"].get(code or outfall.get("riverCode") or "")


def _judge(parameter: str, value: float, row: dict[str, Any] | None, basis: str | None,
           reason: str | None = None) -> Judgement:
    unit = UNITS[parameter]
    if row is None:
        return Judgement(parameter, value, unit, None, None, None, False, None, None, None, reason)
    limit, low, direction = float(row["limit"]), row.get("limit_low"), row["direction"]
    if direction == "range":
        exceeded, ratio = not (float(low) <= value <= limit), None
    elif direction == "min":
        exceeded, ratio = value < limit, (limit / value if value > 0 else None)
    else:
        exceeded, ratio = value > limit, value / limit
    return Judgement(parameter, value, unit, limit, float(low) if low is not None else None, row["label"],
                     exceeded, ratio, direction, basis, None)


def _approved_row(a: dict[str, Any]) -> dict[str, Any] | None:
    hi, lo = a.get("limitMax"), a.get("limitMin")
    if hi is not None and lo is not None:
        return {"limit": hi, "limit_low": lo, "direction": "range", "label": APPROVED_LABEL}
    if lo is not None:
        return {"limit": lo, "limit_low": lo, "direction": "min", "label": APPROVED_LABEL}
    if hi is not None:
        return {"limit": hi, "limit_low": None, "direction": "max", "label": APPROVED_LABEL}
    return None


def assess(rows: list[dict[str, Any]], outfall: dict[str, Any], parameter: str, value: float, *,
           sample_type: str = "EFFLUENT", water_temp: float | None = None) -> Judgement:
    """Judge one reading at a cached outfall as the server will (server.domain.standards.applicable).
    Raises ValueError for an implausible value."""
    err = plausibility_error(parameter, value)
    if err:
        raise ValueError(err)
    if sample_type not in SAMPLE_TYPES:
        raise ValueError(f"sample type must be one of {', '.join(SAMPLE_TYPES)}")
    value = float(value)
    if sample_type in RIVER_SAMPLES:
        target = receiving_target(outfall)
        if target is None:
            return _judge(parameter, value, None, None, "NO_TARGET")
        row = _find(rows, GB3838, target, parameter, river=True, water_temp=None)
        return _judge(parameter, value, row, "RECEIVING_WATER", None if row else "NOT_SET")
    for a in outfall.get("approvedLimits") or []:
        if a.get("parameter") == parameter and (row := _approved_row(a)) is not None:
            return _judge(parameter, value, row, "APPROVED")
    key, grade = standard_of(outfall)
    if key in ("STORMWATER", "UNASSIGNED"):
        return _judge(parameter, value, None, None, key)
    table = lifecycle()["tables"].get(key)
    if table is None:
        return _judge(parameter, value, None, None, "NO_TABLE")
    if grade is None:
        return _judge(parameter, value, None, None, "NO_GRADE")
    row = _find(rows, table, grade, parameter, river=True, water_temp=water_temp)
    return _judge(parameter, value, row, "DISCHARGE", None if row else "NOT_SET")


def assess_all(rows: list[dict[str, Any]], outfall: dict[str, Any], readings: dict[str, float], *,
               sample_type: str = "EFFLUENT") -> list[Judgement]:
    """Every reading of one sample; its WATER_TEMP picks GB 18918's NH3-N bracket, as on the server."""
    temp = readings.get("WATER_TEMP")
    return [assess(rows, outfall, p, v, sample_type=sample_type, water_temp=temp) for p, v in readings.items()]


def plausibility_error(parameter: str, value: float) -> str | None:
    """Why a typed value cannot be a reading (the server refuses it too), or None."""
    if parameter not in BOUNDS:
        return f"unknown parameter {parameter!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{parameter}: value must be a finite number"
    lo, hi = BOUNDS[parameter]
    if value < lo:
        return f"{parameter}: value {value:g} must not be below {lo:g} {UNITS[parameter]}".rstrip()
    if value > hi:
        return f"{parameter}: value {value:g} exceeds the plausible maximum {hi:g} {UNITS[parameter]}".rstrip()
    return None


def _norm(row: dict[str, Any]) -> dict[str, Any]:
    # The server may send camelCase (limitLow); the bundle is snake_case.
    if "limitLow" in row and "limit_low" not in row:
        row = {**row, "limit_low": row["limitLow"]}
    return row


def _find(rows: list[dict[str, Any]], standard: str, level: str, parameter: str, *, river: bool,
          water_temp: float | None) -> dict[str, Any] | None:
    cold = water_temp is not None and water_temp <= NH3_N_COLD_C
    for r in rows:
        if r["standard"] != standard or r["level"] != level or r["parameter"] != parameter:
            continue
        scope, cond = r.get("scope"), r.get("condition")
        if scope is not None and scope != ("river" if river else "lake"):
            continue
        if cond is not None and cond.startswith("water_temp<=") != cold:
            continue
        return _norm(r)
    return None


def check(rows: list[dict[str, Any]], parameter: str, value: float, *, category: str,
          water_class: str | None = None, sewage_grade: str = "1A", river: bool = True,
          water_temp: float | None = None) -> Judgement:
    """Judge one reading. Raises ValueError for an implausible value (see plausibility_error)."""
    err = plausibility_error(parameter, value)
    if err:
        raise ValueError(err)
    value = float(value)
    if category == "URBAN_SEWAGE_PLANT":
        row = _find(rows, GB18918, sewage_grade, parameter, river=river, water_temp=water_temp)
    elif category == "INDUSTRIAL":
        row = _find(rows, GB8978, "grade1", parameter, river=river, water_temp=None)
    else:
        row = None
    row = row or _find(rows, GB3838, water_class or DEFAULT_WATER_CLASS, parameter, river=river, water_temp=None)
    unit = UNITS[parameter]
    if row is None:
        return Judgement(parameter, value, unit, None, None, None, False, None, None)
    limit, low, direction = float(row["limit"]), row.get("limit_low"), row["direction"]
    if direction == "range":
        exceeded, ratio = not (float(low) <= value <= limit), None
    elif direction == "min":
        exceeded, ratio = value < limit, (limit / value if value > 0 else None)
    else:
        exceeded, ratio = value > limit, value / limit
    return Judgement(parameter, value, unit, limit, float(low) if low is not None else None, row["label"],
                     exceeded, ratio, direction)


def check_all(rows: list[dict[str, Any]], readings: dict[str, float], *, category: str,
              water_class: str | None = None, sewage_grade: str = "1A") -> list[Judgement]:
    """Judge a whole set of readings; a WATER_TEMP reading picks GB 18918's NH3-N bracket."""
    temp = readings.get("WATER_TEMP")
    return [check(rows, p, v, category=category, water_class=water_class, sewage_grade=sewage_grade,
                  water_temp=temp) for p, v in readings.items()]


def for_outfall(rows: list[dict[str, Any]], outfall: dict[str, Any], readings: dict[str, float],
                sewage_grade: str = "1A") -> list[Judgement]:
    """check_all with the category and receiving-water class of a cached outfall."""
    return check_all(rows, readings, category=outfall.get("category") or "OTHER",
                     water_class=outfall.get("waterClass"), sewage_grade=sewage_grade)
