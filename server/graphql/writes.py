"""One write transaction per mutation: audited, and its task events broadcast only after commit."""
from __future__ import annotations

from contextlib import asynccontextmanager

from server.domain.audit.recorder import tag


@asynccontextmanager
async def write(info):
    ctx = info.context
    async with ctx.db.transaction() as s:
        tag(s, actor=ctx.actor_or_none, action=info.field_name)
        yield s
    broker = ctx.services.events
    for ev in s.info.pop("task_events", []):
        if broker is not None:
            await broker.publish(ev)
