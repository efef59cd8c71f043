"""Exported evidence with provenance: what the server verified about a photo, signed into a C2PA manifest.

The statement names the photo (id, SHA-256 of the bytes received), its capture attestation, every
evidence check in words, the record it is evidence for (task code, submission, slot), the reviewer's
decision, and who exported it when. server/images/provenance.py signs it; verifiers read it back with
any C2PA tool.
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, NotFound
from server.domain.media.models import Media
from server.domain.media.service import get_media
from server.domain.sqltypes import utcnow
from server.settings import Settings


def identity(settings: Settings):
    from server.images.provenance import load_identity, persisted_identity

    if settings.c2pa_cert and settings.c2pa_key:
        return load_identity(settings.c2pa_cert, settings.c2pa_key)
    return persisted_identity(settings.data_dir / "c2pa")


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


async def _username(session: AsyncSession, user_id: int | None) -> str | None:
    from server.domain.users.models import User

    if user_id is None:
        return None
    u = await session.get(User, user_id)
    return u.username if u else None


async def statement(session: AsyncSession, m: Media, actor: Actor) -> dict:
    """What was verified about this photo, for the manifest (JSON-serialisable)."""
    from server.domain.tasks.models import Submission, SubmissionMedia, Task

    att = m.attestation or {}
    out: dict = {
        "media": {"id": str(m.id), "sha256": m.sha256, "kind": m.kind, "role": m.role, "takenAt": _iso(m.taken_at),
                  "receivedAt": _iso(m.completed_at), "uploadedBy": await _username(session, m.uploader_id)},
        "attestation": {"status": m.att_status or "NOT_ATTESTED", "reason": att.get("reason"),
                        "keyStorage": att.get("keyStorage"), "statement": att.get("statement")},
        "checks": [{"code": c["code"], "severity": c["severity"], "zh": c["zh"], "en": c["en"],
                    **({"evidence": c["evidence"]} if c.get("evidence") else {})} for c in m.checks or []],
        "records": [],
        "exportedAt": utcnow().isoformat(),
        "exportedBy": actor.username,
    }
    subs = (await session.execute(select(Submission, col(SubmissionMedia.slot)).join(
        SubmissionMedia, col(SubmissionMedia.submission_id) == col(Submission.id))
        .where(col(SubmissionMedia.media_id) == m.id).order_by(col(Submission.id)))).all()
    records: list[dict] = out["records"]
    for sub, slot in subs:
        t = await session.get(Task, sub.task_id)
        if t is None:
            continue
        records.append({
            "type": "submission", "submissionId": str(sub.id), "slot": slot,
            "task": {"id": str(t.id), "code": t.code, "title": t.title, "status": t.status},
            "submissionStatus": sub.status,
            "submissionChecks": [c["code"] for c in sub.checks or []],
            "review": None if not sub.decision else {
                "decision": sub.decision, "reason": sub.reason, "reviewer": await _username(session, sub.reviewer_id),
                "reviewedAt": _iso(sub.reviewed_at)},
        })
    t = await session.get(Task, m.owner_id) if m.owner_type == "task" else None
    if t is not None:
        records.append({"type": "task", "slot": "FINDING",
                               "task": {"id": str(t.id), "code": t.code, "title": t.title, "status": t.status}})
    elif m.owner_type == "inspection":
        records.append({"type": "inspection", "inspectionId": str(m.owner_id)})
    return out


async def signed_photo(*, session: AsyncSession, store, settings: Settings, actor: Actor, media_id: int) -> bytes:
    """The photo's display copy (upright, no EXIF) with the server's signed C2PA manifest."""
    from server.images.provenance import sign_jpeg

    m = await get_media(session=session, actor=actor, media_id=media_id)
    if m is None:
        raise NotFound(f"no media with id {media_id}")
    if m.status != "READY" or m.kind != "PHOTO" or not m.display_key:
        raise BadInput(f"media {media_id} is not a ready photo", field="id")
    st = await statement(session, m, actor)
    data = await store.get(m.display_key)
    ident = await anyio.to_thread.run_sync(identity, settings)
    return await anyio.to_thread.run_sync(lambda: sign_jpeg(data, st, ident, title=f"media-{m.id}.jpg"))


async def evidence_pack(*, session: AsyncSession, store, settings: Settings, actor: Actor, task_id: int) -> bytes:
    """The task ledger's evidence pack: every finding, before and after photo, each signed, and an index."""
    from server.domain.tasks.models import Submission, SubmissionMedia
    from server.domain.tasks.service import get_task

    t = await get_task(session=session, actor=actor, task_id=task_id)
    if t is None:
        raise NotFound(f"no task with id {task_id}")
    found = (col(Media.owner_type) == "task") & (col(Media.owner_id) == t.id)
    if t.raised_by_inspection_id is not None:
        found = found | ((col(Media.owner_type) == "inspection") & (col(Media.owner_id) == t.raised_by_inspection_id))
    ids: list[tuple[str, int | None, int | None]] = [("finding", None, i) for i in (await session.execute(
        select(col(Media.id)).where(found, col(Media.status) == "READY").order_by(col(Media.id)))).scalars()]
    ids += [(slot.lower(), sid, mid) for sid, slot, mid in (await session.execute(
        select(col(Submission.id), col(SubmissionMedia.slot), col(SubmissionMedia.media_id)).join(
            SubmissionMedia, col(SubmissionMedia.submission_id) == col(Submission.id))
        .where(col(Submission.task_id) == t.id).order_by(col(Submission.id), col(SubmissionMedia.slot).desc(),
                                                         col(SubmissionMedia.media_id)))).all()]
    buf = io.BytesIO()
    files: list[dict] = []
    index = {"task": {"id": str(t.id), "code": t.code, "title": t.title, "status": t.status}, "files": files}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for kind, sid, mid in ids:
            m = await session.get(Media, mid)
            if mid is None or m is None or m.kind != "PHOTO" or m.status != "READY":
                continue
            name = f"{kind}-{'s' + str(sid) + '-' if sid else ''}{mid}.jpg"
            z.writestr(name, await signed_photo(session=session, store=store, settings=settings, actor=actor,
                                                media_id=mid))
            files.append({"file": name, "mediaId": str(mid), "slot": kind.upper(),
                                   "submissionId": str(sid) if sid else None, "sha256OfOriginal": m.sha256})
        z.writestr("evidence.json", json.dumps(index, ensure_ascii=False, indent=2))
    return buf.getvalue()
