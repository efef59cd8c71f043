"""Intake and escalation (issue 19 item 8): tasks from public complaints (12345 hotline, WeChat), river
chiefs (河长交办) and inspection teams (督察交办) carry their channel's reference number; supervision levels
(区县督办 → 市级督办 → 挂牌督办) go up one step when a task runs late; the district assessment (考核) of
completion and on-time rates against the city's targets.

How late a task must be before it goes up a level, and the city's targets, were not found in a retrieved
source (lifecycle.json supervision_escalation, assessment_targets): both are settings."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.lifecycle.rules import (CHANNEL_SOURCE, INTAKE_CHANNELS, SUPERVISION_LEVELS,
                                           escalation_days_default)
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
