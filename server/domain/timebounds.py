"""The one rule for every date and time a client sends: within years 1900-2199 (UTC for aware times).

Outside it nothing in the domain is meaningful, and the edges break arithmetic: 9999-12-31T23:59:59-05:00
has no UTC form, 0001-01-01 minus a day does not exist. Refused where the value enters (the GraphQL
scalars, EXIF reading), not where it would break.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

MIN_YEAR, MAX_YEAR = 1900, 2199


def check_datetime(d: datetime) -> datetime:
    """The value itself, or ValueError saying why it is out of bounds."""
    try:
        year = d.astimezone(timezone.utc).year if d.tzinfo is not None else d.year
    except (OverflowError, ValueError):
        raise ValueError(f"{d.isoformat()} has no UTC equivalent") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return d


def check_date(d: date) -> date:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ValueError(f"year {d.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return d


def in_bounds(d: datetime | None) -> bool:
    try:
        return d is not None and check_datetime(d) is d
    except ValueError:
        return False
