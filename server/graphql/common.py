"""Small shared GraphQL types: points, boxes, page info."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry

from server.domain.errors import BadInput
from server.domain.outfalls.service import Point

C = TypeVar("C")
UPDATED_AT = "When the record last changed (for incremental sync: pass it back as `updatedSince`)."
UPDATED_SINCE = "Only records changed at or after this instant (`updatedAt`), for incremental sync."


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


@strawberry.type(description="Where a page sits in its list. Cursors are keyset cursors: stable while "
                             "rows are inserted or deleted.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows follow the last one of this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_previous_page: bool = strawberry.field(
        default=False, description="Rows precede the first one of this page (known when paging with `after` "
                                   "or `last`).")
    start_cursor: str | None = strawberry.field(default=None, description="Pass as `before` for the previous page.")


def connection(conn: Callable[..., C], edge: type, nodes: list, page, **extra) -> C:
    """The one way a domain Page becomes a GraphQL connection: edges, nodes and page info."""
    return conn(edges=[edge(node=n, cursor=c) for n, c in zip(nodes, page.cursors)], nodes=nodes,
                page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.cursors[-1] if page.cursors else None,
                                   has_previous_page=page.has_previous,
                                   start_cursor=page.cursors[0] if page.cursors else None), **extra)


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
    try:
        n = int(str(value))
    except (TypeError, ValueError):
        raise BadInput(f"{field} {value!r} is not a valid id", field=field) from None
    if n <= 0 or n > 2**62:
        raise BadInput(f"{field} {value!r} is not a valid id", field=field)
    return n


def parse_ids(values, field: str) -> list[int]:
    return [parse_id(v, field) for v in (values or [])]


D = TypeVar("D")


def to_domain(value: object, cls: Callable[..., D]) -> D:
    """A GraphQL input as the domain's dataclass of the same field names, each enum as its value:
    one conversion instead of a to_domain() spelling out every field."""
    # fields() wants a dataclass type; `cls` is typed as its constructor so that D is the instance type, and
    # fields() raises TypeError at once for anything else.
    return cls(**{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(cls)})  # type: ignore[arg-type]


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, Enum) else v
