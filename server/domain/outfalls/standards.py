"""Each outfall's applicable discharge standard, grade and approved limits, and its receiving water's
target class; assigning them is a supervisor's decision (issue 19 items 1, 2, 5)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, NotFound
from server.domain.outfalls.models import Outfall, OutfallLimit
from server.domain.permissions import require
from server.domain.sqltypes import pk, utcnow
from server.domain.standards import PARAMETERS
from server.domain.standards.applicable import (ApprovedLimit, DischargeStandard, check_standard, river_target,
                                                suggested_grade)


def discharge_standard(o: Outfall) -> DischargeStandard:
    return DischargeStandard(o.discharge_standard, o.discharge_grade, o.sector_standard)


async def approved_limits(session: AsyncSession, outfall_id: int) -> dict[str, ApprovedLimit]:
    rows = (await session.execute(select(OutfallLimit).where(col(OutfallLimit.outfall_id) == outfall_id))).scalars()
    return {r.parameter: ApprovedLimit(r.parameter, r.limit_max, r.limit_min) for r in rows}


async def receiving_target(session: AsyncSession, o: Outfall) -> str | None:
    """The class river water near this outfall is held to: the class a supervisor set on the outfall,
    else the target the reference gives its river (the Yangtze main stem: II), else unknown (None),
    never a default of III."""
    from server.domain.lifecycle.receiving import reach_of  # lifecycle builds on this module

    return o.water_class or (reach_of(o) or {}).get("target_class") or river_target(o.river_code)


@dataclass
class LimitInput:
    parameter: str
    limit_max: float | None = None
    limit_min: float | None = None
    basis: str | None = None


def check_limits(limits: list[LimitInput]) -> None:
    seen = set()
    for i, lim in enumerate(limits):
        f = f"approvedLimits[{i}]"
        if lim.parameter not in PARAMETERS:
            raise BadInput(f"{f}.parameter {lim.parameter!r} unknown", field=f"{f}.parameter")
        if lim.parameter in seen:
            raise BadInput(f"approvedLimits lists {lim.parameter} twice", field=f"{f}.parameter")
        seen.add(lim.parameter)
        if lim.limit_max is None and lim.limit_min is None:
            raise BadInput(f"{f}: give limitMax, limitMin or both", field=f"{f}.limitMax")
        for name, v in (("limitMax", lim.limit_max), ("limitMin", lim.limit_min)):
            if v is not None and (not math.isfinite(v) or v < 0):
                raise BadInput(f"{f}.{name} must be a finite number >= 0", field=f"{f}.{name}")
        if lim.limit_max is not None and lim.limit_min is not None and lim.limit_min > lim.limit_max:
            raise BadInput(f"{f}: limitMin is above limitMax", field=f"{f}.limitMin")
        if lim.basis is not None and len(lim.basis.strip()) > 200:
            raise BadInput(f"{f}.basis is at most 200 characters", field=f"{f}.basis")


async def set_discharge_standard(*, session: AsyncSession, actor: Actor, outfall_id: int, standard: str,
                                 grade: str | None = None, sector: str | None = None,
                                 limits: list[LimitInput] | None = None) -> Outfall:
    """Assign the standard and grade; `limits` (when given) replaces the approved limits."""
    o = await session.get(Outfall, outfall_id, with_for_update=True)
    if o is None:
        raise NotFound(f"no outfall with id {outfall_id}")
    require(actor, "outfall.decide", o.district_code)
    s = check_standard(standard, grade, sector)
    if limits is not None:
        check_limits(limits)
    o.discharge_standard, o.discharge_grade, o.sector_standard = s.key, s.grade, s.sector
    if limits is not None:
        await session.execute(delete(OutfallLimit).where(col(OutfallLimit.outfall_id) == o.id))
        for lim in limits:
            session.add(OutfallLimit(outfall_id=pk(o), parameter=lim.parameter, limit_max=lim.limit_max,
                                     limit_min=lim.limit_min, basis=(lim.basis or "").strip() or None,
                                     set_by_id=actor.user_id))
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return o


async def grade_hint(session: AsyncSession, o: Outfall, standard: str) -> str | None:
    return suggested_grade(standard, await receiving_target(session, o))
