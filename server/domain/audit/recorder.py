"""Every change to an audited table is recorded in the same flush, so in the same transaction.

Hooked on the ORM flush rather than called from each service, so no mutation can forget it. The
resolver puts the actor, client address and action into `session.info` (see graphql/writes.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from server.domain.audit.models import AuditEvent
from server.domain.sqltypes import utcnow

SKIP = {"password_hash", "request_hash", "token_hash", "ph0", "ph1", "ph2", "ph3"}


# model -> object_type: the audited tables, declared by the areas (server/areas) through track().
TRACKED: dict[type, str] = {}


def track(audited: Mapping[type, str]) -> None:
    """Record every API change to these models' rows under these object types."""
    TRACKED.update(audited)


def _plain(v):
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, (dict, list, str, int, float, bool)) or v is None:
        return v
    return str(v)


def _changes(obj, change: str):
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIP:
            continue
        hist = state.attrs[key].history
        if change == "create":
            after[key] = _plain(getattr(obj, key))
        elif hist.has_changes():
            before[key] = _plain(hist.deleted[0]) if hist.deleted else None
            after[key] = _plain(hist.added[0]) if hist.added else None
    return before, after


@event.listens_for(Session, "after_flush")
def _record(session: Session, flush_context) -> None:
    info = session.info.get("audit")
    if info is None:  # reads, seeds, migrations and jobs without an actor are not API mutations
        return
    if not TRACKED:  # an API write with nothing audited: the areas were never declared, so fail loudly
        raise RuntimeError("no audited tables declared: import server.areas before serving writes")
    rows = []
    for change, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            kind = TRACKED.get(type(obj))
            if kind is None:
                continue
            before, after = _changes(obj, change)
            if change == "update" and not after:
                continue
            rows.append(dict(at=utcnow(), actor_id=info.get("actor_id"), actor_name=info.get("actor_name"),
                             client_addr=info.get("client_addr"), action=info.get("action", "?"), object_type=kind,
                             object_id=str(getattr(obj, "id", "?")), change=change, before=before, after=after))
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def tag(session, *, actor, action: str) -> None:
    """Mark a write session with who is acting and which API operation it is."""
    session.sync_session.info["audit"] = {
        "actor_id": actor.user_id if actor else None, "actor_name": actor.username if actor else None,
        "client_addr": actor.client_addr if actor else None, "action": action}
