"""Reading the audit trail (SUPERVISOR, ADMIN)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.audit.models import AuditEvent
from server.domain.filtering import where_equal
from server.domain.pagination import Order, Page, page
from server.domain.permissions import require


@dataclass
class AuditFilter:
    object_type: str | None = None
    object_id: str | None = None
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


AUDIT_ORDER = Order.of("a", col(AuditEvent.id), desc=True)


async def list_audit_events(*, session: AsyncSession, actor: Actor, filter: AuditFilter, first: int | None,
                            after: str | None, cap: int, last: int | None = None,
                            before: str | None = None) -> Page[AuditEvent]:
    """The append-only trail, newest first."""
    require(actor, "audit.read")
    f = filter
    q = where_equal(select(AuditEvent), [(col(AuditEvent.object_type), f.object_type),
                                         (col(AuditEvent.object_id), f.object_id),
                                         (col(AuditEvent.actor_id), f.actor_id)])
    if f.since:
        q = q.where(col(AuditEvent.at) >= f.since)
    if f.until:
        q = q.where(col(AuditEvent.at) < f.until)
    return await page(session, q, AUDIT_ORDER, first=first, after=after, last=last, before=before, cap=cap)
