"""Intake and escalation (issue 19 item 8): tasks from public complaints (12345 hotline, WeChat), river
chiefs (河长交办) and inspection teams (督察交办) carry their channel's reference number; supervision levels
(区县督办 → 市级督办 → 挂牌督办) go up one step when a task runs late; the district assessment (考核) of
completion and on-time rates against the city's targets.

How late a task must be before it goes up a level, and the city's targets, were not found in a retrieved
source (lifecycle.json supervision_escalation, assessment_targets): both are settings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.brief.service import day_bounds
from server.domain.errors import BadInput
from server.domain.geo.models import District
from server.domain.lifecycle.rules import (CHANNEL_SOURCE, INTAKE_CHANNELS, SUPERVISION_LEVELS,
                                           escalation_days_default)
from server.domain.permissions import require
from server.domain.sqltypes import utcnow
from server.domain.tasks import events
from server.domain.tasks.models import OPEN_STATES, Task

CHANNEL_SOURCES = frozenset(CHANNEL_SOURCE.values())


def check_intake(source: str, channel: str | None, reference: str | None, level: str | None,
                 actor: Actor) -> tuple[str | None, str | None, str]:
    """(channel, reference, level) for a new task, or BAD_USER_INPUT naming the field."""
    if channel is None:
        if reference:
            raise BadInput("intake.reference needs intake.channel", field="intake.channel")
        if source in CHANNEL_SOURCES:
            raise BadInput(f"a {source} task gives its intake channel and reference number", field="intake")
    else:
        if channel not in INTAKE_CHANNELS:
            raise BadInput(f"intake.channel must be one of {', '.join(INTAKE_CHANNELS)}", field="intake.channel")
        if CHANNEL_SOURCE[channel] != source:
            raise BadInput(f"a {channel} task has source {CHANNEL_SOURCE[channel]}", field="source")
        reference = (reference or "").strip()
        if not 1 <= len(reference) <= 64 or not reference.isprintable():
            raise BadInput("intake.reference is the channel's reference number (1-64 printable characters)",
                           field="intake.reference")
    level = level or "DISTRICT"
    if level not in SUPERVISION_LEVELS:
        raise BadInput(f"supervisionLevel must be one of {', '.join(SUPERVISION_LEVELS)}", field="supervisionLevel")
    if level != "DISTRICT" and not actor.is_city:
        raise BadInput("only the city sets a municipal or listed (挂牌) supervision level", field="supervisionLevel")
    return channel, reference, level


async def intake_taken(session: AsyncSession, channel: str | None, reference: str | None) -> None:
    """The same complaint twice is one task: BAD_USER_INPUT naming the task that has it."""
    if channel is None:
        return
    code = (await session.execute(select(col(Task.code)).where(col(Task.intake_channel) == channel,
                                                          col(Task.intake_ref) == reference))).first()
    if code:
        raise BadInput(f"{channel} {reference} is already task {code[0]}", field="intake.reference", task=code[0])


def _next_level(level: str) -> str | None:
    i = SUPERVISION_LEVELS.index(level) if level in SUPERVISION_LEVELS else 0
    return SUPERVISION_LEVELS[i + 1] if i + 1 < len(SUPERVISION_LEVELS) else None


async def escalate_late_tasks(*, db, settings, broker=None, now: datetime | None = None) -> dict:
    """Move each open task that is `escalate_after_days` past its deadline (and past its last
    escalation) up one level, once per period; safe to run from many processes (compare-and-set)."""
    now = now or utcnow()
    days = settings.escalate_after_days or escalation_days_default()
    cutoff = now - timedelta(days=days)
    top = SUPERVISION_LEVELS[-1]
    async with db.session() as s:
        due = (await s.execute(select(col(Task.id), col(Task.supervision_level), col(Task.escalated_at)).where(
            col(Task.status).in_(OPEN_STATES), col(Task.deadline) < cutoff, col(Task.supervision_level) != top,
            or_(col(Task.escalated_at).is_(None), col(Task.escalated_at) < cutoff)))).all()
    n = 0
    for tid, level, was in due:
        to = _next_level(level)
        if to is None:
            continue
        async with db.transaction() as s:
            same = col(Task.escalated_at).is_(None) if was is None else col(Task.escalated_at) == was
            r = await s.execute(update(Task).where(and_(col(Task.id) == tid, col(Task.supervision_level) == level, same))
                                .values(supervision_level=to, escalated_at=now, version=col(Task.version) + 1,
                                        updated_at=now).execution_options(synchronize_session=False))
            if r.rowcount == 1:
                t = await s.get(Task, tid)
                await s.refresh(t)
                await events.record(s, t, "ESCALATED", None, settings, **{"from": level, "to": to,
                                                                          "days_late": (now - t.deadline).days})
                n += 1
        if broker is not None:
            for ev in s.info.pop("task_events", []):
                await broker.publish(ev)
    return {"escalated": n}


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
