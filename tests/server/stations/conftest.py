"""Helpers for the stations tests: a station, slot times, a series batch."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from server.domain.actor import Actor
from server.domain.stations import service


def slots(n: int, end: datetime | None = None) -> list[datetime]:
    """n consecutive 4-hour slots ending at `end` (default: the current slot)."""
    end = end or datetime.now(timezone.utc)
    end = end.replace(minute=0, second=0, microsecond=0)
    end -= timedelta(hours=end.hour % 4)
    return [end - timedelta(hours=4 * (n - 1 - i)) for i in range(n)]


@pytest.fixture
def admin(users) -> Actor:
    return Actor(user_id=users["admin"], username="admin", role="ADMIN", district_code=None)


@pytest.fixture
async def station(db, admin):
    async with db.transaction() as s:
        return await service.create_station(session=s, actor=admin, data=service.StationInput(
            code="T-001", name="测试断面", river_code="JIALING", district_code="500103", lat=29.57, lon=106.56,
            level="NATIONAL", target_class="III"))
