"""A counter the database bumps on every write to what the cached read queries show.

Triggers (migration 0005) do the bumping, so every write path counts: the ORM, bulk imports,
psql. A cached response is valid exactly while the counter has not moved.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Field, SQLModel

WATCHED = ("outfalls", "inspections", "districts", "rivers")


class DataVersion(SQLModel, table=True):
    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    v: int = 0


async def current(session) -> int | None:
    """The version, or None if its row is gone (then nothing may be cached: no trigger could bump it)."""
    return (await session.execute(text("SELECT v FROM data_version WHERE id = 1"))).scalar_one_or_none()
