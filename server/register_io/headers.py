"""The register's columns: one Chinese header each (what exports write), plus the names imports accept."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # the field the importer fills
    header: str  # the Chinese header the exports write
    aliases: tuple[str, ...]  # further accepted names, matched after normalise()
    required: bool = False


# Export order. The first seven are what a census sheet must have; the rest are optional.
COLUMNS: tuple[Column, ...] = (
    Column("code", "编号", ("排污口编号", "code", "outfall code", "official code"), True),
    Column("name", "名称", ("排污口名称", "name"), True),
    Column("category", "类型", ("排污口类型", "category", "type"), True),
    Column("subtype", "子类型", ("subtype", "sub type")),
    Column("river", "河流", ("受纳河流", "river", "river code", "river name"), True),
    Column("district", "区县", ("区县代码", "行政区", "district", "district code", "district name"), True),
    Column("lon", "经度", ("lon", "lng", "longitude"), True),
    Column("lat", "纬度", ("lat", "latitude"), True),
    Column("water_class", "受纳水体类别", ("水质类别", "水体类别", "water class")),
    Column("responsible_unit", "责任单位", ("responsible unit",)),
    Column("signboard", "标识牌", ("是否设置标识牌", "signboard", "signboard installed")),  # GeoJSON: signboardInstalled
    Column("phase", "阶段", ("phase",)),
    Column("status", "状态", ("status",)),
    Column("remediation", "整治类型", ("整治方式", "remediation")),
    Column("accuracy_m", "定位精度（米）", ("accuracy", "accuracy m")),
)
BY_KEY = {c.key: c for c in COLUMNS}
# Readable extras the GeoJSON export carries beside the codes; an import passes over them quietly
# (snake_case: exports made before the GeoJSON properties were named as in GraphQL).
DISPLAY_ONLY = frozenset({"categoryLabel", "riverLabel", "districtLabel", "category_label", "river_label",
                          "district_label"})
EXPORT_HEADERS = [c.header for c in COLUMNS]


def normalise(name: object) -> str:
    """'  Water_Class (类) ' or 'waterClass' -> 'water class': case (camelCase too), BOM, brackets (units)
    and separators do not matter."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name or "")).replace("\ufeff", "").strip().lower()
    s = re.sub(r"[（(].*?[)）]", "", s)  # 定位精度（米）, lat (WGS-84)
    s = re.sub(r"[\s_\-./]+", " ", s).strip()
    return s


_LOOKUP = {normalise(n): c.key for c in COLUMNS for n in (c.header, c.key, *c.aliases)}


def field_for(name: object) -> str | None:
    """The field a header names, or None."""
    return _LOOKUP.get(normalise(name))


class HeaderError(ValueError):
    """The file's header row cannot be read as a register: missing or repeated columns."""


def map_headers(headers: list) -> tuple[dict[str, int], list[str]]:
    """Field -> column index, and the headers that name no field (ignored, but reported)."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    for i, h in enumerate(headers):
        if h is None or str(h).strip() == "":
            continue
        key = field_for(h)
        if key is None:
            if str(h) not in DISPLAY_ONLY:
                unknown.append(str(h))
            continue
        if key in found:
            raise HeaderError(f"columns {headers[found[key]]!r} and {h!r} both give {BY_KEY[key].header} ({key})")
        found[key] = i
    missing = [c for c in COLUMNS if c.required and c.key not in found]
    if missing:
        raise HeaderError("missing column" + ("s " if len(missing) > 1 else " ")
                          + ", ".join(f"{c.header} ({c.key})" for c in missing))
    return found, unknown
