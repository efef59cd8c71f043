"""Order 35 (生态环境部令第35号, in force 2025-01-01): an industrial and mining enterprise, park sewage plant
or urban sewage plant outfall is set with an approval (审批); every other outfall with a registration
(登记表). One permit per outfall: its document number, authority, date and approved limits; a change
(变更) keeps the earlier version in permit_changes; 注销 cancels it. The national and provincial outfall
codes are assigned by the authority later and kept beside ours (ADMIN)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, InvalidState, NotFound
from server.domain.lifecycle.models import OutfallPermit, PermitChange
from server.domain.lifecycle.rules import permit_kind
from server.domain.outfalls.models import Outfall, OutfallLimit
from server.domain.outfalls.standards import LimitInput, check_limits
from server.domain.permissions import require
from server.domain.sqltypes import utcnow


def _text(v: str | None, f: str, n: int, required: bool = True) -> str | None:
    v = (v or "").strip() or None
    if v is None and required:
        raise BadInput(f"{f} is required", field=f)
    if v is not None and len(v) > n:
        raise BadInput(f"{f} is at most {n} characters", field=f)
    return v


def _required(v: str | None, f: str, n: int) -> str:
    out = _text(v, f, n)
    assert out is not None  # _text raised when it was missing
    return out


async def _outfall(session: AsyncSession, outfall_id: int) -> Outfall:
    o = await session.get(Outfall, outfall_id, with_for_update=True)
    if o is None:
        raise NotFound(f"no outfall with id {outfall_id}")
    return o


async def record_permit(*, session: AsyncSession, actor: Actor, outfall_id: int, kind: str, document_no: str,
                        authority: str, decided_on: date, limits: list[LimitInput] | None = None,
                        note: str | None = None) -> OutfallPermit:
    """Issue the outfall's approval or registration, or record a change (变更) to the one in force.
    `kind` must be what Order 35 requires for the outfall; `limits` (when given) become its approved limits."""
    o = await _outfall(session, outfall_id)
    require(actor, "permit.manage", o.district_code)
    need = permit_kind(o.category, o.subtype)
    if kind != need:
        raise BadInput(f"Order 35: outfall {o.code} ({o.subtype or o.category}) needs {need}, not {kind}",
                       field="kind", required=need)
    doc = _required(document_no, "documentNo", 80)
    auth = _required(authority, "authority", 100)
    note = _text(note, "note", 2000, required=False)
    if decided_on > utcnow().date():
        raise BadInput("decidedOn is in the future", field="decidedOn")
    if limits is not None:
        check_limits(limits)
    assert o.id is not None
    p = (await session.execute(select(OutfallPermit).where(col(OutfallPermit.outfall_id) == o.id)
                               .with_for_update())).scalar_one_or_none()
    change = "ISSUED"
    if p is None:
        p = OutfallPermit(outfall_id=o.id, kind=kind, document_no=doc, authority=auth, decided_on=decided_on, note=note)
        session.add(p)
    else:
        if p.status == "CANCELLED":
            raise InvalidState(f"the {p.kind.lower()} of {o.code} was cancelled (注销); the outfall is closed")
        change = "CHANGED"
        p.document_no, p.authority, p.decided_on, p.note = doc, auth, decided_on, note
        p.version += 1
        p.updated_at = utcnow()
    await session.flush()
    assert p.id is not None
    if limits is not None:
        await session.execute(delete(OutfallLimit).where(col(OutfallLimit.outfall_id) == o.id))
        for lim in limits:
            session.add(OutfallLimit(outfall_id=o.id, parameter=lim.parameter, limit_max=lim.limit_max,
                                     limit_min=lim.limit_min, basis=(lim.basis or "").strip() or doc,
                                     set_by_id=actor.user_id))
    current = limits if limits is not None else [
        LimitInput(r.parameter, r.limit_max, r.limit_min, r.basis) for r in
        (await session.execute(select(OutfallLimit).where(col(OutfallLimit.outfall_id) == o.id))).scalars()]
    session.add(PermitChange(permit_id=p.id, change=change, document_no=doc, authority=auth, decided_on=decided_on,
                             note=note, actor_id=actor.user_id,
                             limits=[{"parameter": x.parameter, "limit_max": x.limit_max, "limit_min": x.limit_min}
                                     for x in current]))
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return p


async def cancel_permit(*, session: AsyncSession, actor: Actor, outfall_id: int, document_no: str, authority: str,
                        decided_on: date, note: str | None = None) -> OutfallPermit:
    """注销: the permit is cancelled and the outfall CLOSED (a supervised decision)."""
    o = await _outfall(session, outfall_id)
    require(actor, "permit.manage", o.district_code)
    p = (await session.execute(select(OutfallPermit).where(col(OutfallPermit.outfall_id) == o.id)
                               .with_for_update())).scalar_one_or_none()
    if p is None:
        raise InvalidState(f"outfall {o.code} has no approval or registration to cancel")
    if p.status == "CANCELLED":
        raise InvalidState("already cancelled (注销)")
    doc = _required(document_no, "documentNo", 80)
    auth = _required(authority, "authority", 100)
    note = _text(note, "note", 2000, required=False)
    assert p.id is not None
    p.status = "CANCELLED"
    p.version += 1
    p.updated_at = utcnow()
    session.add(PermitChange(permit_id=p.id, change="CANCELLED", document_no=doc, authority=auth,
                             decided_on=decided_on, note=note, actor_id=actor.user_id, limits=[]))
    o.status = "CLOSED"
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return p


async def permit_of(session: AsyncSession, outfall_id: int) -> OutfallPermit | None:
    return (await session.execute(select(OutfallPermit).where(col(OutfallPermit.outfall_id) == outfall_id))) \
        .scalar_one_or_none()


async def set_codes(*, session: AsyncSession, actor: Actor, outfall_id: int, national_code: str | None,
                    provincial_code: str | None) -> Outfall:
    """The codes the national and provincial platforms assign (opaque strings: HJ 1235's layout is
    unverified); empty clears one. ADMIN only."""
    o = await _outfall(session, outfall_id)
    require(actor, "outfall.codes")
    for attr, value, f in (("national_code", national_code, "nationalCode"),
                           ("provincial_code", provincial_code, "provincialCode")):
        if value is None:
            continue
        v = value.strip() or None
        if v is not None:
            if len(v) > 32 or not v.isprintable():
                raise BadInput(f"{f} is at most 32 printable characters", field=f)
            column = getattr(Outfall, attr)
            other = (await session.execute(select(col(Outfall.code)).where(column == v, col(Outfall.id) != o.id))).first()
            if other:
                raise BadInput(f"{f} {v!r} is already outfall {other[0]}'s", field=f)
        setattr(o, attr, v)
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return o
