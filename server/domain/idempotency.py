"""Client-keyed idempotency: a replay returns the first result; a different payload conflicts.

Every create a phone may retry goes through here: normalise_client_id, payload_hash, find_replay before
the checks, insert_once for the insert (which survives the race of two identical requests).

A replay is answered only to a caller who may see the first result (`may_see`, the create's own read
rule): anyone else gets FORBIDDEN on field clientId, whatever the payload, so a clientId learnt from a
log or a shared phone neither returns someone else's record nor tells whether the payloads matched.
FORBIDDEN rather than NOT_FOUND: the clientId is taken either way, and a retry must not be told to
try again as if it could succeed. (docs/permissions.md, "Replays".)
"""
from __future__ import annotations

import hashlib
import json
import uuid
import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.errors import BadInput, Conflict, Forbidden

# May the caller see this existing record? (a bool, or an awaitable of one, e.g. when the task must be loaded)
MaySee = Callable[[Any], "bool | Awaitable[bool]"]


def _default(o):
    if isinstance(o, datetime):
        return o.isoformat()
    if isinstance(o, Enum):
        return o.value
    if isinstance(o, uuid.UUID):
        return str(o)
    raise TypeError(type(o))


def payload_hash(payload: dict) -> str:
    """A stable hash of what the client asked for (key order and float repr normalised)."""
    blob = json.dumps(payload, sort_keys=True, default=_default, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def normalise_client_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise BadInput("clientId must be a UUID", field="clientId") from None


async def check_replay(existing, request_hash: str, what: str, may_see: MaySee):
    """Return the existing record if the caller may see it and the payload matches; FORBIDDEN, or CONFLICT."""
    seen = may_see(existing)
    if inspect.isawaitable(seen):
        seen = await seen
    if not seen:
        raise Forbidden(f"clientId belongs to a {what} you may not see", field="clientId")
    if existing.request_hash != request_hash:
        raise Conflict(f"clientId already used for a different {what}", field="clientId")
    return existing


async def find_replay(session: AsyncSession, model, client_id: str, request_hash: str, what: str, *,
                      may_see: MaySee):
    """The record an earlier request with this clientId made (FORBIDDEN if the caller may not see it,
    CONFLICT if its payload differs), or None."""
    existing = (await session.execute(select(model).where(model.client_id == client_id))).scalar_one_or_none()
    return None if existing is None else await check_replay(existing, request_hash, what, may_see)


async def insert_once(session: AsyncSession, row, what: str, *, may_see: MaySee,
                      in_savepoint: Callable[[], Awaitable[None]] | None = None,
                      on_conflict: Callable[[], Awaitable[None]] | None = None) -> tuple[Any, bool]:
    """Insert `row` (which carries client_id and request_hash): (row, True), or, when a concurrent request
    with the same clientId won the race, (that request's record, False), checked like any replay.

    `in_savepoint` runs after the flush inside the savepoint (e.g. deriving a code from the new id);
    `on_conflict` may raise a better error when the unique violation was not the clientId's.
    """
    try:  # add inside the savepoint: begin_nested() autoflushes pending objects outside it
        async with session.begin_nested():
            session.add(row)
            await session.flush()
            if in_savepoint is not None:
                await in_savepoint()
                await session.flush()
    except IntegrityError:
        if on_conflict is not None:
            await on_conflict()
        model = type(row)
        existing = (await session.execute(select(model).where(model.client_id == row.client_id))).scalar_one()
        return await check_replay(existing, row.request_hash, what, may_see), False
    return row, True
