"""The task filter, parsed and checked once for every door (GraphQL's TaskFilter, the task exports).

Field names are the API's; a door passes its `prefix` ("filter." for GraphQL, "" for query parameters).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.geo.service import check_district
from server.domain.outfalls.queries import parse_instant
from server.domain.tasks.models import KINDS, OPEN_STATES, STATUSES, Task
from server.domain.users.models import DISTRICT_ROLES

PARAMETERS = frozenset({"status", "districtCode", "kind", "overdue", "updatedSince"})


@dataclass
class TaskFilter:
    status: list[str] | None = None
    district_code: str | None = None
    outfall_id: int | None = None
    kind: str | None = None
    overdue: bool | None = None
    updated_since: datetime | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> TaskFilter:
        """From text values named as in the API; status is comma-separated, overdue true|false."""
        f = cls(district_code=params.get("districtCode") or None, kind=params.get("kind") or None)
        if params.get("status"):
            f.status = [s.strip() for s in params["status"].split(",") if s.strip()]
        if "overdue" in params:
            v = params["overdue"].lower()
            if v not in ("true", "false"):
                raise BadInput(f"overdue must be true or false; got {params['overdue']!r}", field="overdue")
            f.overdue = v == "true"
        if params.get("updatedSince"):
            f.updated_since = parse_instant(params["updatedSince"], "updatedSince")
        return f


async def validate_task_filter(session: AsyncSession, f: TaskFilter, prefix: str = "filter.") -> None:
    for s in f.status or ():
        if s not in STATUSES:
            raise BadInput(f"status {s!r} is not one of {', '.join(STATUSES)}", field=f"{prefix}status")
    if f.kind is not None and f.kind not in KINDS:
        raise BadInput(f"kind {f.kind!r} is not one of {', '.join(KINDS)}", field=f"{prefix}kind")
    await check_district(session, f.district_code, f"{prefix}districtCode")


def task_query(stmt: Select, actor: Actor, f: TaskFilter, now: datetime) -> Select:
    """`stmt` (any select over tasks) narrowed to `f` and to what the caller may see."""
    if actor.role in DISTRICT_ROLES:
        stmt = stmt.where(col(Task.district_code) == actor.district_code)  # scope, never a leak through counts
    if f.status:
        stmt = stmt.where(col(Task.status).in_(f.status))
    if f.district_code:
        stmt = stmt.where(col(Task.district_code) == f.district_code)
    if f.outfall_id is not None:
        stmt = stmt.where(col(Task.outfall_id) == f.outfall_id)
    if f.kind:
        stmt = stmt.where(col(Task.kind) == f.kind)
    if f.updated_since:
        stmt = stmt.where(col(Task.updated_at) >= f.updated_since)
    if f.overdue is True:
        stmt = stmt.where(col(Task.status).in_(OPEN_STATES), col(Task.deadline) < now)
    elif f.overdue is False:
        stmt = stmt.where(~(col(Task.status).in_(OPEN_STATES) & (col(Task.deadline) < now)))
    return stmt
