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
        row = existing.get(d["code"]) or District(code=d["code"])
        row.name, row.name_en = d["name_zh"], d["name_en"]
        row.kind, row.parent_code = d["type_zh"], d.get("parent_code")
        session.add(row)
    rivers = reference_rivers()
    existing_r = {r.code: r for r in (await session.execute(select(River))).scalars()}
    # Parents first so the self-reference is satisfied on every backend.
    for r in sorted(rivers, key=lambda r: r["parent"] is not None):
        row = existing_r.get(r["code"]) or River(code=r["code"])
        row.name, row.name_en, row.parent_code = r["name"], r["name_en"], r["parent"]
        session.add(row)
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
