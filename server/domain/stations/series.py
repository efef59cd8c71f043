"""Reading a station's series back: slots, daily values (stations.json daily), LTTB downsampling."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.stations.assess import daily_min_valid
from server.domain.stations.models import readings
from server.domain.stations.params import BY_KEY, PARAMS, rules


def tz() -> timezone:
    return timezone(timedelta(hours=rules()["daily"]["timezone_hours"]))


def local_day(t: datetime) -> date:
    return t.astimezone(tz()).date()


def day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz()).astimezone(timezone.utc)


async def valid_points(session: AsyncSession, station_id: int, param: str, start: datetime | None = None,
                       end: datetime | None = None) -> list[tuple[datetime, float]]:
    """(time, value) of the VALID values of one parameter, in time order."""
    col = BY_KEY[param].column
    q = select(readings.c.observed_at, readings.c[f"v_{col}"]).where(
        readings.c.station_id == station_id, readings.c[f"f_{col}"] == "VALID")
    if start is not None:
        q = q.where(readings.c.observed_at >= start)
    if end is not None:
        q = q.where(readings.c.observed_at < end)
    return [(t, v) for t, v in (await session.execute(q.order_by(readings.c.observed_at))).all()]


def _local_date(dialect: str):
    """The local calendar day of a reading, computed by the database (stations.json daily.timezone_hours)."""
    hours = int(rules()["daily"]["timezone_hours"])
    if dialect == "postgresql":
        return literal_column(f"CAST((station_readings.observed_at AT TIME ZONE 'UTC') + INTERVAL '{hours} hours' AS DATE)")
    return func.date(readings.c.observed_at, f"{hours:+d} hours")  # SQLite keeps naive UTC text


async def daily_values(session: AsyncSession, station_ids: list[int], start: date, end: date,
                       params: tuple[str, ...] | None = None) -> dict[int, dict[date, dict[str, float]]]:
    """station -> local day -> {param: mean of its VALID values}, days with too few valid values left out.

    Aggregated by the database over the (station_id, observed_at) index: a station-year is 365 rows back,
    not 2,190 slots of nine values and flags."""
    params = params or tuple(p.key for p in PARAMS)
    cols = [BY_KEY[p].column for p in params]
    day = _local_date(session.get_bind().dialect.name).label("day")
    aggs = []
    for c in cols:
        valid = readings.c[f"f_{c}"] == "VALID"
        aggs += [func.avg(case((valid, readings.c[f"v_{c}"]))), func.count(case((valid, 1)))]
    q = (select(readings.c.station_id, day, *aggs)
         .where(readings.c.station_id.in_(station_ids), readings.c.observed_at >= day_start(start),
                readings.c.observed_at < day_start(end + timedelta(days=1)))
         .group_by(readings.c.station_id, day))
    need = daily_min_valid()
    out: dict[int, dict[date, dict[str, float]]] = {}
    for row in (await session.execute(q)).all():
        d = row[1] if isinstance(row[1], date) else date.fromisoformat(row[1])
        out.setdefault(row[0], {})[d] = {params[i]: row[2 + 2 * i] for i in range(len(cols))
                                         if row[3 + 2 * i] >= need}
    return out


def lttb(points: list[tuple[datetime, float]], n: int) -> list[tuple[datetime, float]]:
    """Largest-Triangle-Three-Buckets (Steinarsson 2013): keep the first and last point, split the rest
    into n-2 buckets, and from each keep the point forming the largest triangle with the point kept
    before it and the average of the next bucket. Peaks survive because they make large triangles."""
    if n >= len(points) or n < 3:
        return list(points) if n >= len(points) else list(points[:1] + points[-1:])[:max(n, 0)]
    xs = [p[0].timestamp() for p in points]
    ys = [p[1] for p in points]
    out = [points[0]]
    every = (len(points) - 2) / (n - 2)
    a = 0
    for i in range(n - 2):
        lo, hi = int(i * every) + 1, int((i + 1) * every) + 1
        nlo, nhi = hi, min(int((i + 2) * every) + 1, len(points))
        if nlo >= nhi:
            nlo, nhi = len(points) - 1, len(points)
        avg_x = sum(xs[nlo:nhi]) / (nhi - nlo)
        avg_y = sum(ys[nlo:nhi]) / (nhi - nlo)
        ax, ay = xs[a], ys[a]
        best, best_area = lo, -1.0
        for j in range(lo, hi):
            area = abs((ax - avg_x) * (ys[j] - ay) - (ax - xs[j]) * (avg_y - ay))
            if area > best_area:
                best, best_area = j, area
        out.append(points[best])
        a = best
    out.append(points[-1])
    return out


@dataclass
class Span:
    start: datetime
    end: datetime
