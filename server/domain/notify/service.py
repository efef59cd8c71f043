"""Who hears about what, and the dispatcher that delivers the outbox with retries."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.db import Database, rowcount
from server.domain.notify.channels import Channel, DeliveryError
from server.domain.notify.models import Notification
from server.domain.sqltypes import utcnow
from server.domain.tasks.models import Task, TaskEvent
from server.domain.users.models import User

log = logging.getLogger("outfallwatch.notify")

# event type -> (roles told, whether only the task's district) ; SMS only where someone must act now.
AUDIENCE = {
    "CREATED": ({"DISTRICT_OFFICER"}, True),
    "AMENDED": ({"DISTRICT_OFFICER"}, True),  # a later exceedance joined an open task
    "STARTED": ({"SUPERVISOR"}, False),
    "SUBMITTED": ({"SUPERVISOR"}, False),
    "APPROVED": ({"DISTRICT_OFFICER"}, True),
    "REJECTED": ({"DISTRICT_OFFICER"}, True),
    "CANCELLED": ({"DISTRICT_OFFICER"}, True),
    "OVERDUE": ({"DISTRICT_OFFICER", "SUPERVISOR"}, False),
    # Late enough to go up a supervision level (issue 19 item 8): the district and the city.
    "ESCALATED": ({"DISTRICT_OFFICER", "SUPERVISOR"}, True),
    "REMINDER": ({"DISTRICT_OFFICER"}, True),
    # A station's off-target episode, its clearance and an instrument fault: the district and the city.
    "STATION_ALERT": ({"DISTRICT_OFFICER", "SUPERVISOR"}, True),
    "STATION_CLEARED": ({"DISTRICT_OFFICER", "SUPERVISOR"}, True),
    "STATION_FAULT": ({"DISTRICT_OFFICER", "SUPERVISOR"}, True),
}
SMS_EVENTS = {"CREATED", "REJECTED", "OVERDUE", "REMINDER", "STATION_ALERT", "STATION_CLEARED"}
MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)

TEXT = {"CREATED": "新任务", "AMENDED": "任务新增超标记录", "STARTED": "已开始整改", "SUBMITTED": "已提交整改材料", "APPROVED": "整改已通过",
        "REJECTED": "整改被退回", "CANCELLED": "任务已取消", "OVERDUE": "任务已逾期", "REMINDER": "任务即将到期",
        "ESCALATED": "任务已升级督办"}


def channels_for(settings, type_: str) -> list[str]:
    out = ["log"]
    if settings.webhook_url:
        out.append("webhook")
    if settings.sms_gateway_url and type_ in SMS_EVENTS:
        out.append("sms")
    return out


async def recipients(session: AsyncSession, type_: str, district_code: str) -> list[User]:
    roles, scoped = AUDIENCE[type_]
    q = select(User).where(col(User.role).in_(roles), col(User.active).is_(True))
    rows = list((await session.execute(q)).scalars())
    return [u for u in rows if not scoped or u.role not in ("INSPECTOR", "DISTRICT_OFFICER")
            or u.district_code == district_code]


async def enqueue(*, session: AsyncSession, settings, event_key: str, type_: str, task: Task, extra: dict | None = None):
    users = await recipients(session, type_, task.district_code)
    payload = {"type": type_, "task_id": task.id, "task_code": task.code, "title": task.title,
               "district": task.district_code, "deadline": task.deadline.isoformat(),
               "text": f"【入河排污口】{TEXT[type_]}：{task.code} {task.title}，期限 {task.deadline:%Y-%m-%d}", **(extra or {})}
    for ch in channels_for(settings, type_):
        for u in users:
            session.add(Notification(event_key=event_key, channel=ch, recipient=u.username, payload=payload))
    await session.flush()


async def enqueue_notice(*, session: AsyncSession, settings, event_key: str, type_: str, district_code: str,
                         text: str, payload: dict) -> int:
    """A notice that is not about a task (station alerts): the same outbox, audience and channels."""
    users = await recipients(session, type_, district_code)
    body = {"type": type_, "district": district_code, "text": text, **payload}
    n = 0
    for ch in channels_for(settings, type_):
        for u in users:
            session.add(Notification(event_key=event_key, channel=ch, recipient=u.username, payload=body))
            n += 1
    await session.flush()
    return n


async def enqueue_for_event(*, session: AsyncSession, settings, event: TaskEvent, task: Task) -> None:
    await enqueue(session=session, settings=settings, event_key=f"task_event:{event.id}", type_=event.type, task=task,
                  extra={"event_id": event.id})


async def dispatch(*, db: Database, channels: dict[str, Channel], now: datetime | None = None, batch: int = 50) -> int:
    """Deliver due notifications; returns how many were sent.

    Each row is claimed with a lease, delivered, and marked SENT in its own commit. A crash between
    delivery and commit re-sends once the lease lapses, with the same Idempotency-Key (the row id),
    so the receiving gateway drops the repeat: never lost, never shown twice.
    """
    now = now or utcnow()
    async with db.transaction() as s:
        due = list((await s.execute(select(col(Notification.id)).where(
            or_(col(Notification.status) == "PENDING",
                (col(Notification.status) == "SENDING") & (col(Notification.lease_until) < now)),
            col(Notification.next_attempt_at) <= now).order_by(col(Notification.id)).limit(batch))).scalars())
        claimed = []
        for nid in due:  # compare-and-set: two dispatchers never hold the same row
            r = await s.execute(update(Notification).where(
                col(Notification.id) == nid,
                or_(col(Notification.status) == "PENDING",
                    (col(Notification.status) == "SENDING") & (col(Notification.lease_until) < now)))
                .values(status="SENDING", lease_until=now + LEASE))
            if rowcount(r) == 1:
                claimed.append(nid)
    sent = 0
    for nid in claimed:
        async with db.session() as s:
            n = await s.get(Notification, nid)
        if n is None:  # claimed rows are never deleted; narrowing for the checker
            continue
        ch = channels.get(n.channel)
        try:
            if ch is None:
                raise DeliveryError(f"no channel {n.channel!r} configured")
            await ch.send(recipient=n.recipient, payload=n.payload, idempotency_key=f"ow-{n.id}")
        except Exception as e:  # noqa: BLE001 - every failure is retried, then parked with its reason
            attempts = n.attempts + 1
            async with db.transaction() as s:
                await s.execute(update(Notification).where(col(Notification.id) == nid).values(
                    attempts=attempts, last_error=str(e)[:500], lease_until=None,
                    status="FAILED" if attempts >= MAX_ATTEMPTS else "PENDING",
                    next_attempt_at=utcnow() + timedelta(seconds=min(3600, 2 ** attempts * 5))))
            log.warning("notification %s via %s failed (attempt %s): %s", nid, n.channel, attempts, e)
            continue
        async with db.transaction() as s:
            await s.execute(update(Notification).where(col(Notification.id) == nid).values(
                status="SENT", sent_at=utcnow(), attempts=n.attempts + 1, lease_until=None))
        sent += 1
    return sent
