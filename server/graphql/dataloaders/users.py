"""Users by id."""
from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col
from strawberry.dataloader import DataLoader

from server.db import Sessions
from server.domain.users.models import User

Key = int
Result = User | None


def user_loader(db: Sessions) -> DataLoader[Key, Result]:
    async def load(ids: list[Key]) -> list[Result]:
        async with db.read_session() as s:
            rows = {u.id: u for u in (await s.execute(select(User).where(col(User.id).in_(ids)))).scalars()}
        return [rows.get(i) for i in ids]

    return DataLoader(load_fn=load)
