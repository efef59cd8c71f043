"""Pages of any list: keyset cursors, forward (`first`/`after`) and backward (`last`/`before`), and the cap.

A cursor holds the sort key of its row (e.g. deadline and id), never an offset: a row inserted or
deleted while a client walks the pages neither shifts a row into a page it has read nor out of one
it has not. Every list of the API pages through `page()`; the GraphQL side turns a Page into a
connection in one place (graphql/common.py `connection`).
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.errors import BadInput

T = TypeVar("T")
DEFAULT_PAGE = 50
MAX_CURSOR = 1000  # ours are under 100 characters


@dataclass
class Page(Generic[T]):
    """One page of rows with a cursor per row; `total` only when it was asked for."""

    items: list[T]
    cursors: list[str]
    has_next: bool
    has_previous: bool = False
    total: int | None = None
    extra: dict[Any, Any] = field(default_factory=dict)  # per-row facts of the page, e.g. distances by id


@dataclass(frozen=True)
class Order:
    """A sort key: columns (the last one unique, e.g. the id) with one direction each."""

    kind: str  # tells one list's cursors from another's
    columns: tuple[Any, ...]
    descending: tuple[bool, ...]

    @classmethod
    def of(cls, kind: str, *columns: Any, desc: bool | Sequence[bool] = False) -> Order:
        d = tuple(desc) if isinstance(desc, Sequence) else (desc,) * len(columns)
        return cls(kind, tuple(columns), d)


def _enc(v):
    return {"t": v.isoformat()} if isinstance(v, datetime) else v


def _dec(v, want: type | None):
    """One part of a key, of the type its column holds: anything else never reaches the database, where
    an int beyond 64 bits or a string for an integer column is an error of the driver, not of the input."""
    if isinstance(v, dict) and isinstance(v.get("t"), str) and want in (datetime, None):
        t = datetime.fromisoformat(v["t"])
        if t.tzinfo is None:
            raise ValueError("cursor time without offset")
        t.astimezone(timezone.utc)  # OverflowError at the edges of the calendar
        return t
    if isinstance(v, bool) or want is datetime:
        raise ValueError("cursor value")
    if isinstance(v, int) and want in (int, float, None):
        if not -(2**63) <= v < 2**63:
            raise ValueError("cursor integer out of range")
        return float(v) if want is float else v
    if isinstance(v, float) and want in (float, None) and math.isfinite(v):
        return v
    if isinstance(v, str) and want in (str, None) and len(v) <= 1000:
        return v
    raise ValueError("cursor value")


def _python_type(col) -> type | None:
    t = getattr(col, "type", None)
    t = getattr(t, "impl_instance", t)  # a TypeDecorator (UTCDateTime) says `object`; what it stores says more
    if t is None:
        return None
    try:
        p = t.python_type
    except (AttributeError, NotImplementedError):
        return None
    return p if p in (int, float, str, datetime) else None


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    """An opaque cursor for the row whose sort key is `key`."""
    raw = f"{kind}:{json.dumps([_enc(v) for v in key], separators=(',', ':'))}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str, types: Sequence[type | None], arg: str = "after") -> list[Any] | None:
    """The sort key in a cursor of this list, each part of the type in `types`; BAD_USER_INPUT naming `arg`
    for anything else (whatever a client sends: huge numbers, wrong types, garbage, deep nesting)."""
    if cursor is None:
        return None
    if len(cursor) > MAX_CURSOR:
        raise BadInput(f"malformed cursor in `{arg}`", field=arg)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        k, v = raw.split(":", 1)
        if k != kind:
            raise BadInput(f"cursor in `{arg}` does not belong to this list", field=arg)
        key = json.loads(v)
        if not isinstance(key, list) or len(key) != len(types):
            raise BadInput(f"cursor in `{arg}` does not belong to this list", field=arg)
        return [_dec(x, want) for x, want in zip(key, types)]
    except (ValueError, OverflowError, RecursionError, binascii.Error, UnicodeDecodeError):
        raise BadInput(f"malformed cursor in `{arg}`", field=arg) from None


def check_first(first: int | None, cap: int, arg: str = "first", default: int = DEFAULT_PAGE) -> int:
    """The page size asked for, at most `cap` (Settings.max_page, 500 by default)."""
    if first is None:
        return min(default, cap)
    if first < 0:
        raise BadInput(f"`{arg}` must not be negative", field=arg)
    if first > cap:
        raise BadInput(f"`{arg}` is {first}; at most {cap} per page", field=arg)
    return first


def _beyond(order: Order, key: list[Any], backward: bool):
    """Rows strictly after `key` in the order (before it when `backward`)."""
    terms = []
    for i, (col, desc) in enumerate(zip(order.columns, order.descending)):
        later = col < key[i] if desc != backward else col > key[i]
        terms.append(and_(*(c == key[j] for j, c in enumerate(order.columns[:i])), later))
    return or_(*terms)


def _sorted(order: Order, backward: bool):
    return [c.desc() if d != backward else c.asc() for c, d in zip(order.columns, order.descending)]


def key_of(row: Any, order: Order) -> list[Any]:
    return [getattr(row, c.key) for c in order.columns]


async def page(session: AsyncSession, stmt: Select, order: Order, *, first: int | None = None,
               after: str | None = None, last: int | None = None, before: str | None = None, cap: int,
               want_total: bool = False) -> Page:
    """A page of `stmt` (a filtered `select(Model)`) in `order`: `first` rows after `after`, or the
    `last` rows before `before`."""
    if last is not None and first is not None:
        raise BadInput("give `first` or `last`, not both", field="last")
    backward = last is not None or (before is not None and first is None)
    size = check_first(last if backward else first, cap, "last" if backward else "first")
    types = [_python_type(c) for c in order.columns]
    after_key = decode_cursor(after, order.kind, types, "after")
    before_key = decode_cursor(before, order.kind, types, "before")
    q = stmt
    if after_key is not None:
        q = q.where(_beyond(order, after_key, False))
    if before_key is not None:
        q = q.where(_beyond(order, before_key, True))
    rows = list((await session.execute(q.order_by(*_sorted(order, backward)).limit(size + 1))).scalars())
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    total = None
    if want_total:
        total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    cursors = [encode_cursor(order.kind, key_of(r, order)) for r in rows]
    if backward:
        return Page(rows, cursors, has_next=before_key is not None, has_previous=more, total=total)
    return Page(rows, cursors, has_next=more, has_previous=after_key is not None, total=total)
