"""Small shared GraphQL types: points, boxes, page info."""
from __future__ import annotations

import strawberry

from server.domain.outfalls.service import Point


@strawberry.type
class GeoPoint:
    lat: float
    lon: float
    accuracy_m: float | None = None


@strawberry.input
class GeoPointInput:
    lat: float
    lon: float
    accuracy_m: float | None = None

    def to_point(self) -> Point:
        return Point(self.lat, self.lon, self.accuracy_m)


@strawberry.input
class BBoxInput:
    south: float
    west: float
    north: float
    east: float


@strawberry.input
class NearInput:
    lat: float
    lon: float
    radius_m: float


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class KeyValue:
    key: str
    value: str


def selected_names(info, *path: str) -> set[str]:
    """Field names selected under `path` (e.g. "edges", "node"), merging fragments and aliases."""
    fields = info.selected_fields
    for name in path:
        fields = [c for f in fields for c in _children(f) if getattr(c, "name", None) == name]
    return {c.name for f in fields for c in _children(f) if getattr(c, "name", None)}


def _children(f):
    for c in getattr(f, "selections", None) or []:
        if hasattr(c, "type_condition"):  # inline fragment or fragment spread: flatten
            yield from _children(c)
        else:
            yield c


def parse_id(value, field: str = "id") -> int:
    """A GraphQL ID as our integer key; anything else is BAD_USER_INPUT naming the field."""
    from server.domain.errors import BadInput

    try:
        n = int(str(value))
    except (TypeError, ValueError):
        raise BadInput(f"{field} {value!r} is not a valid id", field=field) from None
    if n <= 0 or n > 2**62:
        raise BadInput(f"{field} {value!r} is not a valid id", field=field)
    return n


def parse_ids(values, field: str) -> list[int]:
    return [parse_id(v, field) for v in (values or [])]
