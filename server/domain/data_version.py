"""A counter the database bumps on every write to what the cached read queries show.

Triggers (migration 0005) do the bumping, so every write path counts: the ORM, bulk imports,
psql. A cached response is valid exactly while the counter has not moved.
"""
from __future__ import annotations

from typing import Literal, overload

from sqlalchemy import text
from sqlmodel import Field, SQLModel

# The rows: 1 moves with what the map shows, 2 with uploads and measurements (so that a photo upload
# does not invalidate the map). Which tables bump which row is declared by their areas (server/areas, `watched`); a test checks that
# the migrated database has the trigger for each.
MAP, MEDIA = 1, 2


class DataVersion(SQLModel, table=True):
    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    v: int = 0


@overload
async def current(session, *, with_media: Literal[False] = False) -> int | None: ...
@overload
async def current(session, *, with_media: Literal[True]) -> tuple[int, int] | None: ...
@overload
async def current(session, *, with_media: bool) -> int | tuple[int, int] | None: ...


async def current(session, *, with_media: bool = False) -> int | tuple[int, int] | None:
    """Row 1's version (and row 2's when asked), or None if a row is gone: then nothing may be
    cached, as no trigger could bump it."""
    if not with_media:
        return (await session.execute(text("SELECT v FROM data_version WHERE id = 1"))).scalar_one_or_none()
    rows = dict((await session.execute(text("SELECT id, v FROM data_version WHERE id IN (1, 2)"))).all())
    return (rows[1], rows[2]) if len(rows) == 2 else None
