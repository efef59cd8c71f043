"""The register's filter, parsed and checked once for every door (GraphQL, the exports, the console).

Field names are the API's (camelCase, as in GraphQL's OutfallFilter and the exports' query
parameters); a door passes its own `prefix` ("filter." for GraphQL, "" for query parameters), so an
unknown district is the same BAD_USER_INPUT everywhere, naming the same field.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.errors import BadInput
from server.domain.timebounds import check_datetime
from server.domain.filtering import where_equal
from server.domain.geo.distance import bbox_around, check_in_chongqing
from server.domain.geo.service import check_district, check_river
from server.domain.lifecycle.models import VERIFICATIONS
from server.domain.outfalls.models import CATEGORIES, PHASES, STATUSES, Outfall

MAX_NEAR_RADIUS_M = 100_000
# API name -> attribute, for the filters given as text (query parameters).
TEXT_FIELDS = {"riverCode": "river_code", "districtCode": "district_code", "category": "category",
               "phase": "phase", "status": "status", "verification": "verification", "search": "search"}
PARAMETERS = frozenset({*TEXT_FIELDS, "bbox", "updatedSince"})


@dataclass
class OutfallFilter:
    river_code: str | None = None
    district_code: str | None = None
    category: str | None = None
    phase: str | None = None
    status: str | None = None
    verification: str | None = None  # 查: the suspected outfalls awaiting verification, among others
    search: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east
    near: tuple[float, float, float] | None = None  # lat, lon, radius_m
    updated_since: datetime | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> OutfallFilter:
        """From text values named as in the API (query parameters); bbox is "south,west,north,east"."""
        f = cls()
        for name, attr in TEXT_FIELDS.items():
            setattr(f, attr, params.get(name) or None)
        if params.get("bbox"):
            f.bbox = parse_bbox(params["bbox"])
        if params.get("updatedSince"):
            f.updated_since = parse_instant(params["updatedSince"], "updatedSince")
        return f


def parse_bbox(raw: str, field: str = "bbox") -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise BadInput(f"{field} must be four numbers south,west,north,east; got {raw!r}", field=field)
    return parts


def parse_instant(raw: str, field: str) -> datetime:
    """An ISO 8601 instant with its UTC offset, within the bounds of every time a client sends (as
    GraphQL's DateTime: server/domain/timebounds.py)."""
    try:
        t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        raise BadInput(f"{field} must be an ISO 8601 date-time with a UTC offset; got {raw!r}", field=field)
    try:
        return check_datetime(t)
    except ValueError as e:
        raise BadInput(f"{field}: {e}", field=field) from None


def _one_of(value: str | None, allowed, field: str) -> None:
    if value is not None and value not in allowed:
        raise BadInput(f"{field} {value!r} is not one of {', '.join(allowed)}", field=field)


def check_outfall_filter(f: OutfallFilter, prefix: str = "filter.") -> None:
    """The checks that need no database: enum values, lengths, boxes and circles."""
    _one_of(f.category, CATEGORIES, f"{prefix}category")
    _one_of(f.phase, PHASES, f"{prefix}phase")
    _one_of(f.status, STATUSES, f"{prefix}status")
    _one_of(f.verification, VERIFICATIONS, f"{prefix}verification")
    if f.search is not None and len(f.search) > 100:
        raise BadInput(f"{prefix}search is longer than 100 characters", field=f"{prefix}search")
    if f.bbox:
        s, w, n, e = f.bbox
        if not (-90 <= s <= n <= 90) or not (-180 <= w <= e <= 180):
            raise BadInput(f"{prefix}bbox needs -90 <= south <= north <= 90 and -180 <= west <= east <= 180",
                           field=f"{prefix}bbox")
    if f.near:
        lat, lon, r = f.near
        check_in_chongqing(lat, lon, field=f"{prefix}near")
        if not (0 < r <= MAX_NEAR_RADIUS_M):
            raise BadInput(f"{prefix}near.radiusM must be in (0, {MAX_NEAR_RADIUS_M}]",
                           field=f"{prefix}near.radiusM")


async def validate_outfall_filter(session: AsyncSession, f: OutfallFilter, prefix: str = "filter.") -> None:
    """All of check_outfall_filter, and the river and district must exist."""
    check_outfall_filter(f, prefix)
    await check_river(session, f.river_code, f"{prefix}riverCode")
    await check_district(session, f.district_code, f"{prefix}districtCode")


def outfall_query(stmt: Select, f: OutfallFilter) -> Select:
    """`stmt` (any select over outfalls) narrowed to `f`; `near` narrows to its bounding box only."""
    stmt = where_equal(stmt, [(col(Outfall.river_code), f.river_code), (col(Outfall.district_code), f.district_code),
                              (col(Outfall.category), f.category), (col(Outfall.phase), f.phase),
                              (col(Outfall.status), f.status), (col(Outfall.verification), f.verification)])
    if f.updated_since:
        stmt = stmt.where(col(Outfall.updated_at) >= f.updated_since)
    if f.search and f.search.strip():
        pat = "%" + f.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(col(Outfall.code).ilike(pat, escape="\\"), col(Outfall.name).ilike(pat, escape="\\")))
    boxes = [f.bbox] if f.bbox else []
    if f.near:
        boxes.append(bbox_around(*f.near))
    for s, w, n, e in boxes:
        stmt = stmt.where(col(Outfall.lat).between(s, n), col(Outfall.lon).between(w, e))
    return stmt
