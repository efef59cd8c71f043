"""The shape every list filter shares: a condition per field the caller gave."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select


def where_equal(stmt: Select, pairs: Iterable[tuple[Any, Any]]) -> Select:
    """`stmt` narrowed to `column == value` for each (column, value) whose value was given (not None or empty)."""
    for column, value in pairs:
        if value is not None and value != "":
            stmt = stmt.where(column == value)
    return stmt
