"""A task's card offers only what the server will still accept, counting the phone's own outbox
(issue 16 item 9: a submitted task offered 开始 until the next sync)."""
from __future__ import annotations

from mobile.core import actions, worklist
from mobile.core.store import ErrorInfo


def _task(tid, status):
    return {"id": tid, "status": status}


def test_submitted_or_started_here_changes_what_is_offered_before_any_sync(store, jpeg):
    p = worklist.pending(store)
    assert worklist.offers(_task("1", "OPEN"), p) == ("START", "EVIDENCE", "RECTIFY")
    actions.start_task(store, "1")
    actions.submit_rectification(store, task_id="2", before=[jpeg()], after=[jpeg()])
    p = worklist.pending(store)
    # Started here: no second start; rectify still offered. Submitted here: neither start nor rectify,
    # even though the cache still says OPEN until the sync; the original evidence is always there.
    assert worklist.offers(_task("1", "OPEN"), p) == ("EVIDENCE", "RECTIFY")
    assert worklist.offers(_task("2", "OPEN"), p) == ("EVIDENCE",)
    assert worklist.offers(_task("2", "IN_PROGRESS"), p) == ("EVIDENCE",)
    assert (worklist.state(_task("1", "OPEN"), p), worklist.state(_task("2", "OPEN"), p)) == \
        ("START_WAITING", "SUBMIT_WAITING")
    assert worklist.offers(_task("3", "REJECTED"), p) == ("EVIDENCE", "RECTIFY")  # rejected: rectify again
    assert worklist.offers(_task("4", "SUBMITTED"), p) == ("EVIDENCE",)


def test_a_failed_record_gives_the_actions_back(store, jpeg):
    item = actions.submit_rectification(store, task_id="5", before=[jpeg()], after=[jpeg()])
    store.item_failed(item.client_id, ErrorInfo("FORBIDDEN", "not your task"))
    assert worklist.offers(_task("5", "OPEN"), worklist.pending(store)) == ("START", "EVIDENCE", "RECTIFY")

