"""Judging field rapid-test readings against GB 3838 / GB 18918 / GB 8978, limits read from domain.json.

Mapping decisions (see also the module constants below):
- GB 18918 NH3-N has two values: outside brackets for water > 12 °C, in brackets for <= 12 °C. We use
  the > 12 °C value (the stricter one, and the normal case in Chongqing) unless a measured water
  temperature <= 12 °C is passed to `judge`.
- GB 18918 TP depends on the plant's build date, which we do not know: we use the stricter
  "built from 2006" row.
- GB 8978 has no total-phosphorus row; TP is judged against "phosphate (as P)". A field TP reading
  includes phosphate, so this is a conservative screen, not a legal finding.
- GB 3838 TN is defined for lakes/reservoirs only (header "总氮(湖、库)"): on rivers it has no limit.
- GB 3838 class I DO is "90 % saturation or 7.5 mg/L"; we use 7.5 mg/L.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from server.domain.errors import BadInput
from server.reference import domain

PARAMETERS = ("PH", "WATER_TEMP", "CONDUCTIVITY", "COD", "CODMN", "BOD5", "NH3_N", "TP", "TN", "DO",
              "TURBIDITY", "FLOW")
CATEGORIES = ("INDUSTRIAL", "URBAN_SEWAGE_PLANT", "AGRICULTURAL", "OTHER")
WATER_CLASSES = ("I", "II", "III", "IV", "V")
DEFAULT_WATER_CLASS = "III"

# API parameter -> key in each domain.json block; absent = the standard sets no limit.
GB3838_KEYS = {"PH": "pH", "WATER_TEMP": "water_temperature", "DO": "DO", "CODMN": "CODMn", "COD": "COD",
               "BOD5": "BOD5", "NH3_N": "NH3_N", "TP": "TP", "TN": "TN"}
GB3838_TP_LAKE_KEY = "TP_lake_reservoir"
GB18918_KEYS = {"PH": "pH", "COD": "COD", "BOD5": "BOD5", "NH3_N": "NH3_N", "TN": "TN", "TP": "TP_built_from_2006"}
GB8978_KEYS = {"PH": "pH", "COD": "COD", "BOD5": "BOD5", "NH3_N": "NH3_N", "TP": "phosphate_as_P"}
FIELD_TEST_KEYS = {"PH": "pH", "WATER_TEMP": "water_temp", "CONDUCTIVITY": "conductivity", "COD": "COD",
                   "CODMN": "CODMn", "NH3_N": "NH3_N", "TP": "TP", "TN": "TN", "DO": "DO", "TURBIDITY": "turbidity",
                   "FLOW": "flow"}  # BOD5 is not a field-kit item there; its unit comes from gb3838.

GB3838, GB18918, GB8978 = "GB 3838-2002", "GB 18918-2002", "GB 8978-1996"
_BLOCKS = {GB3838: "gb3838", GB18918: "gb18918", GB8978: "gb8978"}
GB8978_GRADES = {"grade1": "一级", "grade2": "二级", "grade3": "三级"}
_GB18918_LABELS = {"1A": "1A", "1B": "1B", "2": "二级", "3": "三级"}
NH3_N_COLD_C = 12.0  # GB 18918 NH3-N bracket threshold (water temperature, °C)

# Plausibility bounds (inclusive); beyond them a reading is a typo or a broken probe, not a result.
_MGL_MAX = 1e6  # 1e6 mg/L is a kilogram per litre
BOUNDS: dict[str, tuple[float, float]] = {
    "PH": (0.0, 14.0), "WATER_TEMP": (-5.0, 60.0), "CONDUCTIVITY": (0.0, 1e6), "TURBIDITY": (0.0, 1e5),
    "FLOW": (0.0, 1e5), "DO": (0.0, 100.0),  # pure-oxygen saturation is ~70 mg/L
    **{p: (0.0, _MGL_MAX) for p in ("COD", "CODMN", "BOD5", "NH3_N", "TP", "TN")},
}


def _units() -> dict[str, str]:
    d = domain()
    raw = {p["key"]: p["unit"] for p in d["field_test_parameters"]["parameters"]}
    out = {}
    for param in PARAMETERS:
        u = raw[FIELD_TEST_KEYS[param]] if param in FIELD_TEST_KEYS else d["gb3838"][GB3838_KEYS[param]]["unit"]
        u = u.split(" (")[0].strip()  # "mg/L (as N)" -> "mg/L", "m³/s (app uses ...)" -> "m³/s"
        out[param] = "" if u == "dimensionless" else u
    return out


UNITS: dict[str, str] = _units()


def _names_zh() -> dict[str, str]:
    d = domain()
    raw = {p["key"]: p["name_zh"] for p in d["field_test_parameters"]["parameters"]}
    return {param: raw[FIELD_TEST_KEYS[param]] if param in FIELD_TEST_KEYS else d["gb3838"][GB3838_KEYS[param]]["name_zh"]
            for param in PARAMETERS}


NAMES_ZH: dict[str, str] = _names_zh()


def parameter_label(parameter: str) -> str:
    """The Chinese name people read (氨氮), never the API code (NH3_N)."""
    return NAMES_ZH.get(parameter, parameter)
SEWAGE_GRADES: tuple[str, ...] = tuple(domain()["gb18918"]["_meta"]["grades"])


def _check_keys() -> None:
    """Fail at import if domain.json stops having a key this module maps to."""
    d = domain()
    for block, keys in (("gb3838", {**GB3838_KEYS, "_": GB3838_TP_LAKE_KEY}), ("gb18918", GB18918_KEYS),
                        ("gb8978", GB8978_KEYS)):
        missing = [k for k in keys.values() if k not in d[block]]
        assert not missing, f"domain.json[{block!r}] lacks {missing}"


_check_keys()


@dataclass(frozen=True)
class Judgement:
    parameter: str
    value: float
    unit: str
    limit: float | None  # the bound shown to users: the maximum, DO's minimum, or pH's upper end
    limit_low: float | None  # the lower bound where one exists (pH low end, DO minimum)
    standard: str | None  # e.g. "GB 3838-2002 III", "GB 18918-2002 1A", "GB 8978-1996 一级"
    exceeded: bool
    exceedance_ratio: float | None  # value/limit (max), limit/value (min), None (range); NOT 超标倍数
    direction: str | None = None  # "max", "min" or "range"; None when no limit applies

    @property
    def exceedance_multiple(self) -> float | None:
        """超标倍数, see `exceedance_multiple`."""
        return exceedance_multiple(self.value, self.limit, direction=self.direction)


def exceedance_multiple(value: float, limit: float | None, *, direction: str | None = "max") -> float | None:
    """超标倍数 as the bureaus define it: (C − limit) / limit, so twice the limit is 超标 1 倍, not 2.

    Only a reading above a maximum has one: None within the limit (a negative "multiple" means
    nothing to a reader), for pH ranges and DO minima (GB 3838 evaluation gives them no multiple,
    domain.md §6), and when no positive limit applies. The one place this is computed: the phone
    mirrors it in mobile/core/limits.py and tests hold the two to the same boundary cases."""
    if direction != "max" or limit is None or limit <= 0 or value is None:
        return None
    if not value > limit:
        return None
    return (float(value) - limit) / limit


def stored_direction(limit_low: float | None) -> str:
    """The direction of a judgement as stored on a measurement row: pH ranges and DO minima keep a
    lower bound (limit_low), maxima do not."""
    return "max" if limit_low is None else "bounded"


@dataclass(frozen=True)
class _Rule:
    standard: str
    level: str
    label: str
    direction: str
    limit: float
    limit_low: float | None


def _label(standard: str, level: str) -> str:
    if standard == GB18918:
        return f"{standard} {_GB18918_LABELS.get(level, level)}"
    if standard == GB8978:
        return f"{standard} {GB8978_GRADES[level]}"
    return f"{standard} {level}"


def _key(standard: str, parameter: str, river: bool) -> str | None:
    if standard == GB3838:
        if parameter == "TP" and not river:
            return GB3838_TP_LAKE_KEY
        if parameter == "TN" and river:
            return None
        return GB3838_KEYS.get(parameter)
    return (GB18918_KEYS if standard == GB18918 else GB8978_KEYS).get(parameter)


def _rule(standard: str, level: str, parameter: str, *, river: bool = True,
          water_temp: float | None = None) -> _Rule | None:
    key = _key(standard, parameter, river)
    if key is None:
        return None
    row: dict[str, Any] = domain()[_BLOCKS[standard]][key]
    raw = row.get(level)
    if isinstance(raw, dict):  # GB 18918 NH3-N: {"gt12C": .., "le12C": ..}
        raw = raw["le12C"] if water_temp is not None and water_temp <= NH3_N_COLD_C else raw["gt12C"]
    if raw is None:
        return None
    label = _label(standard, level)
    if isinstance(raw, list):
        return _Rule(standard, level, label, "range", float(raw[1]), float(raw[0]))
    direction = row.get("direction", "max")
    if direction == "min":
        return _Rule(standard, level, label, "min", float(raw), float(raw))
    if direction != "max":
        return None  # "narrative" (water temperature): nothing to compare a single reading with
    return _Rule(standard, level, label, "max", float(raw), None)


def validate_value(parameter: str, value: float, *, field: str = "value") -> None:
    """BAD_USER_INPUT unless `value` is a plausible reading of `parameter` in its fixed unit."""
    if parameter not in UNITS:
        raise BadInput(f"unknown parameter {parameter!r}", field="parameter")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadInput(f"{parameter}: value must be a number", field=field)
    if not math.isfinite(value):
        raise BadInput(f"{parameter}: value must be a finite number", field=field)
    lo, hi = BOUNDS[parameter]
    unit = UNITS[parameter]
    if value < lo:
        what = "must not be negative" if lo == 0 else f"must be at least {lo:g} {unit}".rstrip()
        raise BadInput(f"{parameter}: value {value:g} {what}", field=field)
    if value > hi:
        raise BadInput(f"{parameter}: value {value:g} exceeds the plausible maximum {hi:g} {unit}".rstrip(),
                       field=field)


def _check_choice(value: str, allowed: tuple[str, ...], field: str) -> None:
    if value not in allowed:
        raise BadInput(f"{field} must be one of {', '.join(allowed)}; got {value!r}", field=field)


def judge(parameter: str, value: float, *, category: str, water_class: str | None, sewage_grade: str = "1A",
          river: bool = True, water_temp: float | None = None) -> Judgement:
    """Judge one reading. The outfall's category picks the standard; GB 3838 at the receiving water's
    class (III if unknown) fills in parameters that standard does not set. `water_temp` (°C) only
    matters for GB 18918 NH3-N."""
    validate_value(parameter, value)
    _check_choice(category, CATEGORIES, "category")
    wc = water_class or DEFAULT_WATER_CLASS
    _check_choice(wc, WATER_CLASSES, "waterClass")
    _check_choice(sewage_grade, SEWAGE_GRADES, "sewageGrade")
    value = float(value)
    if category == "URBAN_SEWAGE_PLANT":
        rule = _rule(GB18918, sewage_grade, parameter, water_temp=water_temp)
    elif category == "INDUSTRIAL":
        rule = _rule(GB8978, "grade1", parameter)
    else:
        rule = None
    return verdict(parameter, value, rule or _rule(GB3838, wc, parameter, river=river))


def verdict(parameter: str, value: float, rule: "_Rule | None") -> Judgement:
    """Compare one validated reading with one rule (None: no limit applies)."""
    value = float(value)
    unit = UNITS[parameter]
    if rule is None:
        return Judgement(parameter, value, unit, None, None, None, False, None, None)
    if rule.direction == "range":
        if rule.limit_low is None:  # the table's loader gives every range its lower end
            raise ValueError(f"{rule.label} {parameter}: a range rule without its lower limit")
        exceeded, ratio = not (rule.limit_low <= value <= rule.limit), None
    elif rule.direction == "min":
        exceeded, ratio = value < rule.limit, (rule.limit / value if value > 0 else None)
    else:
        exceeded, ratio = value > rule.limit, value / rule.limit
    return Judgement(parameter, value, unit, rule.limit, rule.limit_low, rule.label, exceeded, ratio, rule.direction)


def _levels(standard: str, sewage_grade: str | None) -> tuple[str, ...]:
    if standard == GB3838:
        return WATER_CLASSES
    if standard == GB8978:
        return tuple(GB8978_GRADES)
    return SEWAGE_GRADES if sewage_grade is None else (sewage_grade,)


def limits_table(*, sewage_grade: str | None = "1A") -> list[dict]:
    """Every limit `judge` can apply to the API parameters, as flat rows for the phone's offline cache.

    GB 18918 rows are for `sewage_grade` only (None: all grades). `scope` is "river"/"lake" for
    GB 3838 TP and TN; `condition` marks GB 18918 NH3-N's water-temperature brackets."""
    if sewage_grade is not None:
        _check_choice(sewage_grade, SEWAGE_GRADES, "sewageGrade")
    rows: list[dict] = []
    for standard in (GB3838, GB18918, GB8978):
        for level in _levels(standard, sewage_grade):
            for parameter in PARAMETERS:
                variants: list[tuple[str | None, str | None, dict]] = [(None, None, {})]
                if standard == GB3838 and parameter == "TP":
                    variants = [("river", None, {"river": True}), ("lake", None, {"river": False})]
                elif standard == GB3838 and parameter == "TN":
                    variants = [("lake", None, {"river": False})]
                elif standard == GB18918 and parameter == "NH3_N":
                    variants = [(None, f"water_temp>{NH3_N_COLD_C:g}", {"water_temp": None}),
                                (None, f"water_temp<={NH3_N_COLD_C:g}", {"water_temp": NH3_N_COLD_C})]
                for scope, condition, kw in variants:
                    rule = _rule(standard, level, parameter, **kw)
                    if rule is None:
                        continue
                    rows.append({"standard": standard, "level": level, "label": rule.label, "parameter": parameter,
                                 "scope": scope, "condition": condition, "direction": rule.direction,
                                 "limit": rule.limit, "limit_low": rule.limit_low, "unit": UNITS[parameter]})
    return rows
