"""Adapter (core gap): the few reads the screens need that mobile.core does not offer yet.

- an outfall's recent inspections and open tasks (core caches the register and my tasks, not
  per-outfall history),
- a submission's evidence checks and its before/after thumbnails for the review queue (core's
  task fragment carries no checks or media URLs).
Each read goes through core's Client.execute, and its answer is kept in the store's cache so the
screen still shows the last known state offline. Plain Python: no Kivy here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from mobile.core import evidence
from mobile.core.client import ClientError

OUTFALL_HISTORY = """query($id: ID!) { outfall(id: $id) {
  id inspections(first: 5) { edges { node { id observedAt flowing note inspector { displayName username }
    measurements { parameter value unit exceeded exceedanceMultiple standard } } } }
  tasks(status: [OPEN, IN_PROGRESS, SUBMITTED, REJECTED], first: 10) { edges { node {
    id code title kind status deadline isOverdue } } } } }"""

SUBMISSION_EVIDENCE = """query($id: ID!) { task(id: $id) { id code title description kind
  outfall { id code name } district { code name }
  raisedBy { id observedAt flowing note inspector { displayName username }
    measurements { parameter value unit exceeded exceedanceMultiple standard }
    media { id role thumbnailUrl } }
  media { id role thumbnailUrl }
  latestSubmission { id status note submittedAt submittedBy { displayName username }
    checks { %(c)s }
    before { id thumbnailUrl checks { %(c)s } }
    after { id thumbnailUrl checks { %(c)s } } } } }""" % {"c": evidence.CHECK_FIELDS}


def outfall_history(client, store, outfall_id: str) -> tuple[dict[str, Any], bool]:
    """({inspections: [...], tasks: [...]}, fresh?) — from the server, else the last cached answer."""
    key = f"outfall_history:{outfall_id}"
    try:
        o = client.execute(OUTFALL_HISTORY, {"id": outfall_id})["outfall"] or {}
    except ClientError:
        return store.get_cache(key, {"inspections": [], "tasks": []}), False
    data = {"inspections": [e["node"] for e in (o.get("inspections") or {}).get("edges", [])],
            "tasks": [e["node"] for e in (o.get("tasks") or {}).get("edges", [])]}
    store.put_cache(key, data)
    return data, True


def submission_evidence(client, store, task_id: str) -> tuple[dict[str, Any] | None, bool]:
    """The task with its latest submission's checks and thumbnails (downloaded into the data folder)."""
    key = f"submission_evidence:{task_id}"
    try:
        task = client.execute(SUBMISSION_EVIDENCE, {"id": task_id})["task"]
    except ClientError:
        return store.get_cache(key), False
    sub = (task or {}).get("latestSubmission") or {}
    for side in ("before", "after"):
        for m in sub.get(side) or []:
            m["localPath"] = _download(client, store, m.get("thumbnailUrl"), m["id"])
    for m in evidence.finding_media(task or {}):  # the original finding's photos
        m["localPath"] = _download(client, store, m.get("thumbnailUrl"), m["id"])
    # The photos checks compare with (a reuse's stored original), once each, wherever they are named.
    paths = {str(r["id"]): _download(client, store, r.get("thumbnailUrl"), r["id"])
             for r in evidence.thumbnails_to_fetch(task or {})}
    for c in evidence.all_checks(sub):
        for r in c.get("relatedMedia") or []:
            r["localPath"] = paths.get(str(r["id"]))
    store.put_cache(key, task)
    return task, True


def _download(client, store, url: str | None, media_id: str) -> str | None:
    """Fetch a (signed, short-lived) thumbnail once into <data_dir>/thumbs; None if it cannot be had."""
    if not url:
        return None
    folder = Path(store.data_dir) / "thumbs"
    folder.mkdir(exist_ok=True)
    path = folder / f"{hashlib.sha1(str(media_id).encode()).hexdigest()}.img"
    if path.is_file():
        return str(path)
    try:
        r = client._http.get(url)  # the core client's own connection pool and timeout
        if r.status_code != 200 or not r.content:
            return None
    except Exception:  # noqa: BLE001 - a missing thumbnail must not break the review screen
        return None
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(r.content)
    tmp.replace(path)
    return str(path)


def queued_inspections(store, outfall: dict) -> list[dict[str, Any]]:
    """Inspections of this outfall recorded on this phone and not sent yet (payloads)."""
    ref = str(outfall["id"]) if outfall.get("id") else {"$outfall": outfall.get("clientId")}
    return [it.payload for it in store.items(kind="recordInspection")
            if it.state != "sent" and it.payload.get("outfallId") == ref]
