"""考核: each district's completion and on-time rates over tasks due in a period, against the city's
targets (settings; unset -> no pass/fail: 渝府办发〔2022〕124号 was not retrieved, docs/lifecycle.md)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.brief.days import day_bounds
from server.domain.errors import BadInput
from server.domain.geo.models import District
from server.domain.permissions import require
from server.domain.tasks.models import Task


@dataclass
class DistrictScore:
    district_code: str
    district: str
    due: int
    completed: int
    on_time: int
    completion_rate: float | None
    on_time_rate: float | None
    meets_completion: bool | None  # None when the city's target is not set
    meets_on_time: bool | None


@dataclass
class Assessment:
    start: date
    end: date  # inclusive
    target_completion_rate: float | None
    target_on_time_rate: float | None
    districts: list[DistrictScore]


async def assess(*, session: AsyncSession, actor: Actor, settings, start: date, end: date,
                 tz_hours: int = 8) -> Assessment:
    """考核 over tasks due in [start, end] (local days; cancelled tasks are not counted): completion =
    approved / due, on time = approved by the deadline / due. District roles see their own district."""
    require(actor, "task.read", actor.district_code)
    if end < start:
        raise BadInput("to is before from", field="to")
    if (end - start).days > 366:
        raise BadInput("at most a year at a time", field="to")
    lo, _ = day_bounds(start, tz_hours)
    _, hi = day_bounds(end, tz_hours)
    scoped = actor.role in ("INSPECTOR", "DISTRICT_OFFICER")
    approved = col(Task.status) == "APPROVED"
    on_time = and_(approved, col(Task.closed_at) <= col(Task.deadline))
    q = (select(col(Task.district_code), func.count(), func.sum(case((approved, 1), else_=0)),
                func.sum(case((on_time, 1), else_=0)))
         .where(col(Task.deadline) >= lo, col(Task.deadline) < hi, col(Task.status) != "CANCELLED").group_by(col(Task.district_code)))
    if scoped:
        q = q.where(col(Task.district_code) == actor.district_code)
    names = dict((await session.execute(select(col(District.code), col(District.name)))).all())
    tc, tt = settings.target_completion_rate, settings.target_on_time_rate
    rows = []
    for d, due, done, ontime in (await session.execute(q)).all():
        done, ontime = int(done or 0), int(ontime or 0)
        cr = round(done / due, 4) if due else None
        orr = round(ontime / due, 4) if due else None
        rows.append(DistrictScore(d, names.get(d, d), due, done, ontime, cr, orr,
                                  None if tc is None or cr is None else cr >= tc,
                                  None if tt is None or orr is None else orr >= tt))
    rows.sort(key=lambda r: (-(r.on_time_rate or 0), -(r.completion_rate or 0), r.district_code))
    return Assessment(start, end, tc, tt, rows)
