"""Loaders for the rectification loop: rows by id, and rows grouped by a foreign key."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, text
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from server.db import Sessions, dialect_of
from server.domain.inspections.models import Inspection, Measurement
from server.domain.media.models import Media
from server.domain.outfalls.models import Outfall, OutfallLimit
from server.domain.tasks.models import Submission, SubmissionMedia, Task


def by_id(db: Sessions, model) -> DataLoader:
    async def load(ids):
        async with db.read_session() as s:
            rows = {r.id: r for r in (await s.execute(select(model).where(model.id.in_(ids)))).scalars()}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)


def grouped(db: Sessions, model, column, *, order=None, where=()) -> DataLoader:
    async def load(keys):
        stmt = select(model).where(column.in_(keys), *where)
        if order is not None:
            stmt = stmt.order_by(*order)
        out = defaultdict(list)
        async with db.read_session() as s:
            for r in (await s.execute(stmt)).scalars():
                out[getattr(r, column.key)].append(r)
        return [out.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


# The newest inspection of each outfall, one index probe per outfall. The obvious GROUP BY max()
# join made PostgreSQL misestimate the groups and scan all 1M inspections (200 ms for a map page).
LATEST_PG = text(
    "SELECT l.* FROM unnest(CAST(:ids AS integer[])) AS o(id) CROSS JOIN LATERAL "
    "(SELECT * FROM inspections i WHERE i.outfall_id = o.id ORDER BY i.observed_at DESC, i.id DESC LIMIT 1) AS l")


def latest_inspection(db: Sessions) -> DataLoader:
    async def load(outfall_ids):
        async with db.read_session() as s:
            if dialect_of(s) == "postgresql":
                stmt = select(Inspection).from_statement(LATEST_PG.bindparams(ids=list(outfall_ids)))
            else:
                i2 = aliased(Inspection)
                newest = (select(i2.id).where(i2.outfall_id == Outfall.id)
                          .order_by(i2.observed_at.desc(), i2.id.desc()).limit(1).scalar_subquery())
                stmt = select(Inspection).where(Inspection.id.in_(
                    select(newest).where(Outfall.id.in_(outfall_ids))))
            best = {r.outfall_id: r for r in (await s.execute(stmt)).scalars()}
        return [best.get(i) for i in outfall_ids]

    return DataLoader(load_fn=load)


def media_of(db: Sessions, owner_type: str) -> DataLoader:
    return grouped(db, Media, Media.owner_id, order=(Media.id,), where=(Media.owner_type == owner_type,))


def presented_media(db: Sessions) -> DataLoader:
    """Submission id -> [(slot, media)]: what it presents, reused before photos included."""
    async def load(keys):
        out = defaultdict(list)
        stmt = (select(SubmissionMedia.submission_id, SubmissionMedia.slot, Media)
                .join(Media, Media.id == SubmissionMedia.media_id)
                .where(SubmissionMedia.submission_id.in_(keys)).order_by(Media.id))
        async with db.read_session() as s:
            for sid, slot, m in (await s.execute(stmt)).all():
                out[sid].append((slot, m))
        return [out.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def make(db: Sessions) -> dict:
    return {
        "outfall": by_id(db, Outfall), "task": by_id(db, Task), "inspection": by_id(db, Inspection),
        "latest_inspection": latest_inspection(db),
        "measurements": grouped(db, Measurement, Measurement.inspection_id, order=(Measurement.id,)),
        "raised_tasks": grouped(db, Task, Task.raised_by_inspection_id, order=(Task.id,)),
        "submissions": grouped(db, Submission, Submission.task_id, order=(Submission.id,)),
        "inspection_media": media_of(db, "inspection"), "task_media": media_of(db, "task"),
        "submission_media": presented_media(db), "outfall_media": media_of(db, "outfall"),
        "outfall_limits": grouped(db, OutfallLimit, OutfallLimit.outfall_id, order=(OutfallLimit.parameter,)),
    }
