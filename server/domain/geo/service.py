"""Loading and reading the reference tables (districts, rivers)."""
from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.errors import BadInput
from server.domain.geo.models import District, River
from server.reference import domain


def reference_rivers() -> list[dict]:
    with resources.files("server.reference").joinpath("rivers.json").open("r", encoding="utf-8") as f:
        return json.load(f)["rivers"]


async def load_reference_data(*, session: AsyncSession) -> tuple[int, int]:
    """Upsert all districts (domain.json) and rivers (rivers.json); returns how many of each."""
    districts = domain()["districts"]
    existing = {d.code: d for d in (await session.execute(select(District))).scalars()}
    for d in districts:
        values = dict(name=d["name_zh"], name_en=d["name_en"], kind=d["type_zh"], parent_code=d.get("parent_code"))
        row = existing.get(d["code"])
        if row is None:
            row = District(code=d["code"], **values)
        else:
            row.sqlmodel_update(values)
        session.add(row)
    rivers = reference_rivers()
    existing_r = {r.code: r for r in (await session.execute(select(River))).scalars()}
    # Parents first so the self-reference is satisfied on every backend.
    for r in sorted(rivers, key=lambda r: r["parent"] is not None):
        values = dict(name=r["name"], name_en=r["name_en"], parent_code=r["parent"])
        river = existing_r.get(r["code"])
        if river is None:
            river = River(code=r["code"], **values)
        else:
            river.sqlmodel_update(values)
        session.add(river)
        await session.flush()
    return len(districts), len(rivers)


async def list_districts(*, session: AsyncSession) -> list[District]:
    return list((await session.execute(select(District).order_by(col(District.code)))).scalars())


async def list_rivers(*, session: AsyncSession) -> list[River]:
    return list((await session.execute(select(River).order_by(col(River.code)))).scalars())


async def check_district(session: AsyncSession, code: str | None, field: str = "districtCode") -> None:
    """BAD_USER_INPUT naming `field` unless `code` is a district of the city (None passes)."""
    if code is not None and await session.get(District, code) is None:
        raise BadInput(f"unknown district code {code!r}", field=field)


async def check_river(session: AsyncSession, code: str | None, field: str = "riverCode") -> None:
    """BAD_USER_INPUT naming `field` unless `code` is a river of the register (None passes)."""
    if code is not None and await session.get(River, code) is None:
        raise BadInput(f"unknown river code {code!r}", field=field)
