"""Recording an inspection: readings judged against the standards, exceedances raising tasks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.actor import Actor
from server.domain.errors import BadInput, Forbidden
from server.domain.evidence import Site
from server.domain.idempotency import check_replay, insert_once, normalise_client_id, payload_hash
from server.domain.inspections.models import Inspection, Measurement
from server.domain.media import service as media
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import Point, advance_phase, check_point
from server.domain.pagination import Order, Page, page
from server.domain.permissions import require
from server.domain.sqltypes import utcnow
from server.domain.standards import judge, validate_value
from server.domain.users.models import DISTRICT_ROLES


@dataclass
class Reading:
    parameter: str
    value: float


async def record_inspection(*, session: AsyncSession, actor: Actor, settings, client_id, outfall_id: int,
                            observed_at: datetime, position: Point | None = None, flowing: bool | None = None,
                            note: str | None = None, readings: list[Reading] = (),
                            media_ids: list[int] = ()) -> Inspection:
    """Record what was seen at an outfall; a replay of the clientId returns the first record."""
    client_id = normalise_client_id(client_id)
    h = payload_hash(dict(outfall=outfall_id, observed_at=observed_at.isoformat() if observed_at else None,
                          position=[position.lat, position.lon, position.accuracy_m] if position else None,
                          flowing=flowing, note=note, readings=[[r.parameter, r.value] for r in readings],
                          media=sorted(media_ids)))
    existing = (await session.execute(select(Inspection).where(Inspection.client_id == client_id))).scalar_one_or_none()
    if existing is not None:
        if existing.inspector_id != actor.user_id:
            raise Forbidden("clientId belongs to another user's inspection")
        return check_replay(existing, h, "inspection")
    o = await session.get(Outfall, outfall_id)
    if o is None:
        raise BadInput(f"outfallId: no outfall with id {outfall_id}", field="outfallId")
    require(actor, "inspection.create", o.district_code)
    if observed_at.tzinfo is None:
        raise BadInput("observedAt needs a UTC offset", field="observedAt")
    if observed_at > utcnow() + timedelta(minutes=10):
        raise BadInput("observedAt is in the future", field="observedAt")
    if observed_at < utcnow() - timedelta(days=60):
        raise BadInput("observedAt is more than 60 days ago", field="observedAt")
    if position is not None:
        check_point(position, "position")
    if note is not None and len(note) > 2000:
        raise BadInput("note is longer than 2000 characters", field="note")
    seen = set()
    for i, r in enumerate(readings):
        validate_value(r.parameter, r.value, field=f"measurements[{i}].value")
        if r.parameter in seen:
            raise BadInput(f"measurements lists {r.parameter} twice", field=f"measurements[{i}].parameter")
        seen.add(r.parameter)
    ins = Inspection(client_id=client_id, request_hash=h, outfall_id=o.id, inspector_id=actor.user_id,
                     district_code=o.district_code, observed_at=observed_at,
                     lat=position.lat if position else None, lon=position.lon if position else None,
                     accuracy_m=position.accuracy_m if position else None, flowing=flowing, note=note)
    ins, created = await insert_once(session, ins, "inspection")
    if not created:
        return ins
    exceeded = []
    # GB 18918's NH3-N limit depends on the water temperature read at the same time.
    water_temp = next((r.value for r in readings if r.parameter == "WATER_TEMP"), None)
    for r in readings:
        j = judge(r.parameter, r.value, category=o.category, water_class=o.water_class,
                  sewage_grade=settings.sewage_grade, water_temp=water_temp)
        m = Measurement(inspection_id=ins.id, parameter=r.parameter, value=r.value, unit=j.unit, limit=j.limit,
                        limit_low=j.limit_low, standard=j.standard, exceeded=j.exceeded,
                        exceedance_ratio=j.exceedance_ratio)
        session.add(m)
        if j.exceeded:
            exceeded.append(m)
    await media.attach(session=session, actor=actor, media_ids=list(media_ids), owner_type="inspection",
                       owner_id=ins.id, settings=settings, site=Site(o.lat, o.lon, o.accuracy_m))
    if readings:
        advance_phase(o, "MONITORED")  # 测: the outfall has been measured
    await session.flush()
    if exceeded:
        from server.domain.tasks.service import raise_exceedance_tasks

        await raise_exceedance_tasks(session=session, actor=actor, settings=settings, outfall=o, inspection=ins,
                                     measurements=exceeded)
    return ins


async def get_inspection(*, session: AsyncSession, actor: Actor, inspection_id: int) -> Inspection | None:
    ins = await session.get(Inspection, inspection_id)
    if ins is None:
        return None
    require(actor, "inspection.read", ins.district_code)
    return ins


@dataclass
class InspectionFilter:
    """Which inspections: of one outfall, one district, and/or changed since a moment."""

    outfall_id: int | None = None
    district_code: str | None = None


INSPECTION_ORDER = Order.of("i", Inspection.observed_at, Inspection.id, desc=True)


def inspection_query(actor: Actor, f: InspectionFilter):
    """The select for `f` within the caller's scope (district roles see their own district's)."""
    stmt = select(Inspection)
    if actor.role in DISTRICT_ROLES:
        stmt = stmt.where(Inspection.district_code == actor.district_code)
    if f.outfall_id is not None:
        stmt = stmt.where(Inspection.outfall_id == f.outfall_id)
    if f.district_code is not None:
        stmt = stmt.where(Inspection.district_code == f.district_code)
    return stmt


async def list_inspections(*, session: AsyncSession, actor: Actor, outfall_id: int | None = None,
                           filter: InspectionFilter | None = None, first: int | None, after: str | None,
                           cap: int, last: int | None = None, before: str | None = None,
                           want_total: bool = True) -> Page[Inspection]:
    """Inspections newest first, within the caller's scope."""
    require(actor, "outfall.read")
    f = filter or InspectionFilter()
    if outfall_id is not None:
        f.outfall_id = outfall_id
    return await page(session, inspection_query(actor, f), INSPECTION_ORDER, first=first, after=after, last=last,
                      before=before, cap=cap, want_total=want_total)
