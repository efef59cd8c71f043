"""Loaders for the outfall's life fields (issue 19): one query per page of outfalls, not one per outfall."""
from __future__ import annotations

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from server.db import Sessions
from server.domain.lifecycle.models import OutfallPermit, PermitChange, RemediationPlan, TracingRecord
from server.domain.lifecycle.receiving import zones_near
from server.graphql.dataloaders.records import grouped


def one_per(db: Sessions, model, column, *, where=()) -> DataLoader:
    """key -> the row whose `column` is key (unique there, given `where`), or None."""
    async def load(keys):
        async with db.session() as s:
            rows = {getattr(r, column.key): r for r in
                    (await s.execute(select(model).where(column.in_(keys), *where))).scalars()}
        return [rows.get(k) for k in keys]

    return DataLoader(load_fn=load)


def zones(db: Sessions) -> DataLoader:
    """(lat, lon) -> the protected zones around it."""
    async def load(points):
        async with db.session() as s:
            return await zones_near(s, list(points))

    return DataLoader(load_fn=load)


def make(db: Sessions) -> dict:
    return {
        "permit": one_per(db, OutfallPermit, OutfallPermit.outfall_id),
        "permit_changes": grouped(db, PermitChange, PermitChange.permit_id, order=(PermitChange.id,)),
        "plan": one_per(db, RemediationPlan, RemediationPlan.outfall_id),
        "approved_tracing": one_per(db, TracingRecord, TracingRecord.outfall_id,
                                    where=(TracingRecord.status == "APPROVED",)),
        "tracing_records": grouped(db, TracingRecord, TracingRecord.outfall_id, order=(TracingRecord.id,)),
        "zones": zones(db),
    }
