"""Which limit a reading is judged against (issue 19), rules read from server/reference/lifecycle.json.

- Effluent (a sample of what the outfall discharges) is judged against the outfall's own discharge
  standard and grade, or its approved limits where it has them. Never against GB 3838: a parameter
  the discharge standard does not set is not judged (no fallback), and an outfall whose standard is
  still to be assigned, or whose standard's table is not in the reference (GB 18596, DB 50/848, a
  sector standard), is judged only against approved limits entered for it.
- River water upstream or downstream is judged against the receiving water's target class (GB 3838).
- A stormwater outlet has no discharge limit: its finding is flow in dry weather, not a reading.
- A kit reading is a screening result; a laboratory reading confirms.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.domain.errors import BadInput
from server.domain.standards.limits import (GB3838, GB8978, GB18918, WATER_CLASSES, Judgement, _label, _rule, _Rule,
                                            validate_value, verdict)
from server.reference import lifecycle

_REF = lifecycle()
STANDARDS: dict[str, dict] = {s["key"]: s for s in _REF["discharge_standards"]}
STANDARD_KEYS: tuple[str, ...] = tuple(STANDARDS)
SAMPLE_TYPES: tuple[str, ...] = tuple(t["key"] for t in _REF["sample_types"])
RIVER_SAMPLES = ("UPSTREAM", "DOWNSTREAM")
METHODS: tuple[str, ...] = tuple(m["key"] for m in _REF["methods"])
STORMWATER_SUBTYPES = frozenset(_REF["stormwater_subtypes"])
_TABLES = {"GB8978": GB8978, "GB18918": GB18918}  # standards whose limits are in domain.json
APPROVED_LABEL = "批复限值"


@dataclass(frozen=True)
class ApprovedLimit:
    """A limit set for one outfall by its approval or registration (max, and a min for pH/DO)."""

    parameter: str
    limit_max: float | None
    limit_min: float | None = None


@dataclass(frozen=True)
class DischargeStandard:
    key: str = "UNASSIGNED"
    grade: str | None = None
    sector: str | None = None  # the sector standard's number/name when key == SECTOR

    @property
    def label(self) -> str:
        s = STANDARDS[self.key]
        if self.key in _TABLES and self.grade:
            return _label(_TABLES[self.key], self.grade)  # as measurements name it: GB 8978-1996 一级
        name = self.sector if self.key == "SECTOR" and self.sector else (s.get("no") or s["name_zh"])
        return f"{name} {self.grade}".strip() if self.grade else name


@dataclass(frozen=True)
class Assessment:
    judgement: Judgement
    basis: str | None  # DISCHARGE, APPROVED, RECEIVING_WATER, or None when not judged
    note: str | None  # why nothing was judged, said plainly


def check_standard(key: str, grade: str | None, sector: str | None) -> DischargeStandard:
    """BAD_USER_INPUT unless the grade fits the standard (free text where its grades are unverified)."""
    if key not in STANDARDS:
        raise BadInput(f"dischargeStandard must be one of {', '.join(STANDARD_KEYS)}; got {key!r}",
                       field="dischargeStandard")
    grades = STANDARDS[key]["grades"]
    grade = (grade or "").strip() or None
    sector = (sector or "").strip() or None
    if grades == [] and grade is not None:
        raise BadInput(f"{key} has no grades", field="dischargeGrade")
    if grades and grade not in grades:
        raise BadInput(f"dischargeGrade for {key} must be one of {', '.join(grades)}", field="dischargeGrade")
    if grades is None and grade is not None and len(grade) > 8:
        raise BadInput("dischargeGrade is at most 8 characters", field="dischargeGrade")
    if key == "SECTOR" and not sector:
        raise BadInput("name the sector standard (e.g. its number)", field="sectorStandard")
    if key != "SECTOR" and sector is not None:
        raise BadInput("sectorStandard applies only to SECTOR", field="sectorStandard")
    if sector is not None and len(sector) > 80:
        raise BadInput("sectorStandard is at most 80 characters", field="sectorStandard")
    return DischargeStandard(key, grade, sector)


def initial_standard(subtype: str | None) -> str:
    """A new outfall's standard: STORMWATER when its HJ 1312 subtype is a stormwater outlet (that is
    the rule, not a guess), otherwise to be assigned by a supervisor."""
    return "STORMWATER" if subtype in STORMWATER_SUBTYPES else "UNASSIGNED"


def suggested_standard(subtype: str | None) -> str | None:
    """The hint shown to whoever assigns the standard (longest matching subtype prefix)."""
    hints = {k: v for k, v in _REF["suggested_standard_by_subtype"].items() if not k.startswith("_")}
    best = None
    for prefix, key in hints.items():
        if subtype and (subtype == prefix or subtype.startswith(prefix + ".")):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, key)
    return best[1] if best else None


def suggested_grade(standard: str, receiving_class: str | None) -> str | None:
    """GB 8978's grade follows the receiving water; GB 18918's has a default by the receiving class."""
    table = {"GB8978": "gb8978_grade_by_receiving_class", "GB18918": "gb18918_grade_by_receiving_class"}.get(standard)
    return _REF[table].get(receiving_class) if table and receiving_class else None


def new_outfall_prohibited(target_class: str | None, zones: Sequence[str] = ()) -> str | None:
    """Why rules forbid a new outfall here (GB 8978 §4.1: class I/II waters, protected zones), or None."""
    rule = _REF["new_outfall_prohibited"]
    if target_class in rule["water_classes"]:
        return f"受纳水体目标为 {target_class} 类：GB 8978 禁止新建排污口"
    hit = [z for z in zones if z in rule["zones"]]
    return f"位于保护区（{'、'.join(hit)}）：禁止新建排污口" if hit else None


def _approved_rule(a: ApprovedLimit) -> _Rule | None:
    if a.limit_max is not None and a.limit_min is not None:
        return _Rule(APPROVED_LABEL, "", APPROVED_LABEL, "range", float(a.limit_max), float(a.limit_min))
    if a.limit_min is not None:
        return _Rule(APPROVED_LABEL, "", APPROVED_LABEL, "min", float(a.limit_min), float(a.limit_min))
    if a.limit_max is not None:
        return _Rule(APPROVED_LABEL, "", APPROVED_LABEL, "max", float(a.limit_max), None)
    return None


def _none(parameter: str, value: float, note: str) -> Assessment:
    return Assessment(verdict(parameter, value, None), None, note)


def assess_effluent(parameter: str, value: float, standard: DischargeStandard,
                    approved: dict[str, ApprovedLimit] | None = None, *, water_temp: float | None = None) -> Assessment:
    """Effluent against the outfall's approved limit for the parameter, else its discharge standard."""
    validate_value(parameter, value)
    a = (approved or {}).get(parameter)
    if a is not None and (rule := _approved_rule(a)) is not None:
        return Assessment(verdict(parameter, value, rule), "APPROVED", None)
    if standard.key == "STORMWATER":
        return _none(parameter, value, "雨洪排口无排放限值：旱天出流即为问题")
    if standard.key == "UNASSIGNED":
        return _none(parameter, value, "执行标准待确定，未评价")
    table = _TABLES.get(standard.key)
    if table is None:
        return _none(parameter, value, f"{standard.label} 的限值未录入：请录入批复限值")
    if standard.grade is None:
        return _none(parameter, value, f"{standard.label} 的级别待确定，未评价")
    rule = _rule(table, standard.grade, parameter, water_temp=water_temp)
    if rule is None:
        return _none(parameter, value, f"{standard.label} 未规定该项目限值（不以 GB 3838 代替）")
    return Assessment(verdict(parameter, value, rule), "DISCHARGE", None)


def assess_river(parameter: str, value: float, target_class: str | None, *, lake: bool = False) -> Assessment:
    """River water against the receiving water's target class (GB 3838)."""
    validate_value(parameter, value)
    if target_class is None:
        return _none(parameter, value, "受纳水体目标水质未确定，未评价")
    if target_class not in WATER_CLASSES:
        raise BadInput(f"target class {target_class!r} unknown", field="waterClass")
    rule = _rule(GB3838, target_class, parameter, river=not lake)
    if rule is None:
        return _none(parameter, value, f"GB 3838 {target_class} 类未规定该项目限值")
    return Assessment(verdict(parameter, value, rule), "RECEIVING_WATER", None)


def river_target(river_code: str | None) -> str | None:
    """The target class the reference gives a river (e.g. the Yangtze main stem: II), or None."""
    for t in _REF["receiving_targets"]:
        if t["river"] == river_code:
            return t["target_class"]
    return None
