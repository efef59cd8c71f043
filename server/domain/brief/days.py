"""A local day as a UTC interval (the brief and the assessment count by China Standard Time days)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone


def day_bounds(day: date, tz_hours: int = 8) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=timezone(timedelta(hours=tz_hours))).astimezone(timezone.utc)
    return start, start + timedelta(days=1)
