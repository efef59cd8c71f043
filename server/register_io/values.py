"""Cell values -> register values. Each parser returns the value or raises RowError with the reason."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

from sqlalchemy import select
from sqlmodel import col

from server.domain.errors import BadInput
from server.domain.geo.distance import check_in_chongqing
from server.domain.geo.models import District, River
from server.domain.outfalls.labels import STATUS_LABELS, category_labels, phase_labels
from server.domain.outfalls.models import CATEGORIES, PHASES, REMEDIATIONS, STATUSES, WATER_CLASSES
from server.domain.text import check_text
from server.reference import domain

# Lengths of the register's columns (server/domain/outfalls/models.py, service.py).
MAX_CODE, MAX_NAME, MAX_SUBTYPE, MAX_UNIT = 32, 100, 64, 200


class RowError(ValueError):
    """Why one row cannot go into the register."""


@dataclass
class References:
    """The districts and rivers an import may name, by code and by name (loaded once per import)."""

    districts: dict[str, str]  # code, name -> code
    rivers: dict[str, str]  # code, name, English name (lower case) -> code
    district_names: dict[str, str]  # code -> name
    river_names: dict[str, str]  # code -> name

    @classmethod
    async def load(cls, session) -> "References":
        ds = (await session.execute(select(col(District.code), col(District.name)))).all()
        rs = (await session.execute(select(col(River.code), col(River.name), col(River.name_en)))).all()
        districts = {n: c for c, n in ds} | {c: c for c, _ in ds}
        rivers = {n: c for c, n, _ in rs} | {e.lower(): c for c, _, e in rs} | {c: c for c, _, _ in rs}
        return cls(districts, rivers, dict(ds), {c: n for c, n, _ in rs})


def _enum_lookup(values, *label_maps, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {v: v for v in values} | {v.lower(): v for v in values}
    for m in label_maps:
        out |= {label: key for key, label in m.items()}
    return out | (extra or {})


def _remediation_labels() -> dict[str, str]:
    by_key = {r["key"]: r for r in domain()["remediation"]}
    out = {}
    for enum in REMEDIATIONS:
        r = by_key.get(enum.lower())
        if r:
            out[r["name_zh"]] = out[r["short_zh"]] = enum
    return out


def _phase_labels() -> dict[str, str]:
    out = {label: key for key, label in phase_labels().items()}  # "查 排查"
    for key, label in phase_labels().items():
        out |= {part: key for part in label.split()}  # "查", "排查"
    return out


CATEGORY = _enum_lookup(CATEGORIES, category_labels())
PHASE = _enum_lookup(PHASES, extra=_phase_labels())
STATUS = _enum_lookup(STATUSES, STATUS_LABELS)
REMEDIATION = _enum_lookup(REMEDIATIONS, extra=_remediation_labels())
_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "1": "I", "2": "II", "3": "III", "4": "IV",
          "5": "V"}
WATER_CLASS = {v: v for v in WATER_CLASSES} | _ROMAN
YES = {"是", "有", "已设置", "已安装", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "未设置", "未安装", "n", "no", "false", "0", "×", ""}


def text(v) -> str | None:
    """A cell as trimmed text, None when empty. Excel gives numbers: 500103.0 is the code '500103'."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if s[:1] == "'" and s[1:2] in ("=", "+", "-", "@"):
        s = s[1:]  # the exporter's guard against Excel running the text as a formula
    return s or None


def bounded(v, label: str, max_len: int, *, required: bool = False) -> str | None:
    s = text(v)
    if s is None:
        if required:
            raise RowError(f"missing {label}")
        return None
    if len(s) > max_len:
        raise RowError(f"{label} is {len(s)} characters; at most {max_len}")
    try:  # spreadsheet cells keep their line breaks (the export writes them back); nothing else is let in
        return check_text(s, label, multiline=True)
    except BadInput as e:
        raise RowError(e.message) from None


def one_of(v, table: dict[str, str], label: str, allowed) -> str | None:
    s = text(v)
    if s is None:
        return None
    hit = table.get(s) or table.get(s.lower())
    if hit is None:
        raise RowError(f"unknown {label} {s!r}; expected one of {', '.join(allowed)} or its Chinese name")
    return hit


def water_class(v) -> str | None:
    s = text(v)
    if s is None:
        return None
    s2 = s.upper().removesuffix("类").removeprefix("类").strip()
    hit = WATER_CLASS.get(s2)
    if hit is None:
        raise RowError(f"unknown 受纳水体类别 (water class) {s!r}; expected I, II, III, IV or V")
    return hit


@overload
def number(v, label: str, *, required: Literal[True] = True) -> float: ...
@overload
def number(v, label: str, *, required: bool) -> float | None: ...


def number(v, label: str, *, required: bool = True) -> float | None:
    """A finite number from a cell (a decimal comma read as a point); a required one is never None."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        f = float(v)
    else:
        s = text(v)
        if s is None:
            if required:
                raise RowError(f"missing {label}")
            return None
        try:
            f = float(s.replace("，", ".").replace(",", "."))
        except ValueError:
            raise RowError(f"bad number in {label}: {s!r}") from None
    if not math.isfinite(f):
        raise RowError(f"bad number in {label}: {v!r}")
    return f


def yes_no(v) -> bool:
    if isinstance(v, bool):
        return v
    s = (text(v) or "").lower()
    if s in YES:
        return True
    if s in NO:
        return False
    raise RowError(f"标识牌 (signboard) {v!r} is neither 是 nor 否")


def point(lat: float, lon: float) -> None:
    """Inside the Chongqing envelope, with a hint when the two columns are swapped."""
    if _in_chongqing(lat, lon):
        return
    hint = "; 经度 and 纬度 look swapped" if _in_chongqing(lon, lat) else ""
    raise RowError(f"coordinates outside Chongqing: 经度 (lon) {lon}, 纬度 (lat) {lat}{hint}")


def _in_chongqing(lat: float, lon: float) -> bool:
    try:
        check_in_chongqing(lat, lon, field="location")
    except BadInput:
        return False
    return True


def parse_row(cells: dict[str, object], refs: References) -> dict:
    """One row's cells by field key -> Outfall column values; only the columns the file has."""
    out: dict = {}
    out["code"] = bounded(cells["code"], "编号 (code)", MAX_CODE, required=True)
    out["name"] = bounded(cells["name"], "名称 (name)", MAX_NAME, required=True)
    cat = one_of(cells["category"], CATEGORY, "类型 (category)", CATEGORIES)
    if cat is None:
        raise RowError("missing 类型 (category)")
    out["category"] = cat
    river = text(cells["river"])
    if river is None:
        raise RowError("missing 河流 (river)")
    out["river_code"] = refs.rivers.get(river) or refs.rivers.get(river.lower()) or _unknown("river", river)
    district = text(cells["district"])
    if district is None:
        raise RowError("missing 区县 (district)")
    out["district_code"] = refs.districts.get(district) or _unknown("district", district)
    lon = number(cells["lon"], "经度 (lon)")
    lat = number(cells["lat"], "纬度 (lat)")
    point(lat, lon)
    out["lat"], out["lon"] = lat, lon
    if "subtype" in cells:
        out["subtype"] = bounded(cells["subtype"], "子类型 (subtype)", MAX_SUBTYPE)
    if "water_class" in cells:
        out["water_class"] = water_class(cells["water_class"])
    if "responsible_unit" in cells:
        out["responsible_unit"] = bounded(cells["responsible_unit"], "责任单位 (responsible unit)", MAX_UNIT)
    if "signboard" in cells:
        out["signboard_installed"] = yes_no(cells["signboard"])
    if "remediation" in cells:
        out["remediation"] = one_of(cells["remediation"], REMEDIATION, "整治类型 (remediation)", REMEDIATIONS)
    if "accuracy_m" in cells:
        acc = number(cells["accuracy_m"], "定位精度 (accuracy_m)", required=False)
        if acc is not None and not 0 <= acc <= 10_000:
            raise RowError(f"定位精度 (accuracy_m) {acc} is not between 0 and 10000 metres")
        out["accuracy_m"] = acc
    # An empty phase or status cell means "as it is" (they have no empty value in the register).
    for key, table, label, allowed in (("phase", PHASE, "阶段 (phase)", PHASES),
                                       ("status", STATUS, "状态 (status)", STATUSES)):
        if key in cells and (v := one_of(cells[key], table, label, allowed)) is not None:
            out[key] = v
    return out


def _unknown(what: str, value: str):
    label = {"river": "河流 (river)", "district": "区县 (district)"}[what]
    raise RowError(f"unknown {what} {value!r} in {label}")
