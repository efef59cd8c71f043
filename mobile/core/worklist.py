"""What an officer may do with each task right now, counting what waits in the outbox.

Why here and not in the screen: the server's status only changes when the outbox reaches it, so a
task submitted offline still reads OPEN or IN_PROGRESS in the cache. Offering 开始 (start) or 整改
(rectify) again before the sync would queue a second record the server refuses; the phone's own
outbox says what it has already done, and this joins the two (tested without a screen).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mobile.core.store import FAILED, Store


@dataclass(frozen=True)
class Pending:
    started: frozenset[str]  # tasks with a start waiting to be sent
    submitted: frozenset[str]  # tasks with a rectification waiting to be sent


def pending(store: Store) -> Pending:
    """Tasks this phone has started or submitted and not yet sent (failed records do not count:
    the failure list offers them again)."""
    started = {str(it.payload.get("id")) for it in store.items(kind="startTask") if it.state != FAILED}
    submitted = {str(it.payload.get("taskId")) for it in store.items(kind="submitRectification")
                 if it.state != FAILED}
    return Pending(frozenset(started), frozenset(submitted))


def state(task: dict[str, Any], p: Pending) -> str:
    """The status to show: the server's, or what the phone did and has not sent yet."""
    tid = str(task.get("id"))
    if tid in p.submitted:
        return "SUBMIT_WAITING"
    if tid in p.started and task.get("status") == "OPEN":
        return "START_WAITING"
    return str(task.get("status") or "")


def offers(task: dict[str, Any], p: Pending) -> tuple[str, ...]:
    """The actions a task card offers: START only for an OPEN task not started or submitted here,
    RECTIFY unless a rectification already waits, EVIDENCE (the original finding) always."""
    tid, status = str(task.get("id")), task.get("status")
    out = []
    if status == "OPEN" and tid not in p.started and tid not in p.submitted:
        out.append("START")
    out.append("EVIDENCE")
    if tid not in p.submitted and status in ("OPEN", "IN_PROGRESS", "REJECTED"):
        out.append("RECTIFY")
    return tuple(out)
