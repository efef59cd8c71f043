"""查 with its suspected step (HJ 1232-2021 three-level investigation): an outfall found by remote sensing,
UAV or a report is registered SUSPECTED; an inspector on site verifies it (VERIFIED) or finds it is not an
outfall (NOT_OUTFALL). Chongqing reported verifying 4,476 suspects this way (lifecycle.json L7)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.actor import Actor
from server.domain.errors import BadInput, InvalidState, NotFound
from server.domain.outfalls.models import Outfall
from server.domain.permissions import require
from server.domain.sqltypes import utcnow


async def verify_outfall(*, session: AsyncSession, actor: Actor, outfall_id: int, outcome: str) -> Outfall:
    o = await session.get(Outfall, outfall_id, with_for_update=True)
    if o is None:
        raise NotFound(f"no outfall with id {outfall_id}")
    require(actor, "outfall.verify", o.district_code)
    if outcome not in ("VERIFIED", "NOT_OUTFALL"):
        raise BadInput("outcome must be VERIFIED or NOT_OUTFALL", field="outcome")
    if o.verification != "SUSPECTED":
        raise InvalidState(f"outfall {o.code} is {o.verification or 'registered on site'}, not SUSPECTED")
    o.verification = outcome
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return o
