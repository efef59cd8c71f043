"""Recording task events: history row, outbox rows and (after commit) the live broadcast, together."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.actor import Actor
from server.domain.tasks.models import Task, TaskEvent
from server.domain.sqltypes import pk


async def record(session: AsyncSession, task: Task, type_: str, actor: Actor | None, settings,
                 **detail) -> TaskEvent:
    """Write the event and its notifications in the caller's transaction; queue it for broadcast on commit."""
    from server.domain.notify.service import enqueue_for_event

    ev = TaskEvent(task_id=pk(task), type=type_, district_code=task.district_code,
                   actor_id=actor.user_id if actor else None, detail=detail)
    session.add(ev)
    await session.flush()
    await enqueue_for_event(session=session, settings=settings, event=ev, task=task)
    session.info.setdefault("task_events", []).append(ev)
    return ev
