"""Column types shared by the tables."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Protocol, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both backends (SQLite drops the offset; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


T = TypeVar("T")


class HasId(Protocol):
    id: int | None


def pk(row: HasId) -> int:
    """A saved row's id. The models say `int | None` (None until the INSERT is flushed); past that
    point the id is known, and a row that was never flushed is a bug worth a clear error."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: add and flush it first")
    return row.id


def filled(value: T | None, what: str) -> T:
    """A column the model types as optional only because it is set just after the INSERT (a task's
    code is built from its id); a row read back has it, and one without it is a bug worth naming."""
    if value is None:
        raise RuntimeError(f"{what} is not set yet: it is filled in right after the row is first flushed")
    return value
