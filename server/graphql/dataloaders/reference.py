"""Districts and rivers by code."""
from __future__ import annotations

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from server.db import Sessions
from server.domain.geo.models import District, River

Key = str
Result = District | River | None


def _by_code(db: Sessions, model) -> DataLoader[Key, Result]:
    async def load(codes: list[Key]) -> list[Result]:
        async with db.read_session() as s:
            rows = {r.code: r for r in (await s.execute(select(model).where(model.code.in_(codes)))).scalars()}
        return [rows.get(c) for c in codes]

    return DataLoader(load_fn=load)


def district_loader(db: Sessions) -> DataLoader[Key, Result]:
    return _by_code(db, District)


def river_loader(db: Sessions) -> DataLoader[Key, Result]:
    return _by_code(db, River)
