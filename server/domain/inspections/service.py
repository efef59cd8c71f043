"""Recording an inspection: readings judged against the standards, exceedances raising tasks."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.evidence import Site
from server.domain.geo.service import check_district
from server.domain.idempotency import find_replay, insert_once, normalise_client_id, payload_hash
from server.domain.inspections.models import Inspection, Measurement
from server.domain.media import service as media
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import Point, advance_phase, check_point
from server.domain.pagination import Order, Page, page
from server.domain.permissions import require
from server.domain.sqltypes import pk, utcnow
from server.domain.users.models import DISTRICT_ROLES
from server.domain.outfalls.standards import approved_limits, discharge_standard, receiving_target
from server.domain.standards import validate_value
from server.domain.standards.applicable import METHODS, RIVER_SAMPLES, SAMPLE_TYPES, assess_effluent, assess_river


@dataclass
class Reading:
    parameter: str
    value: float
    sample_type: str = "EFFLUENT"  # a reading at an outfall is of its discharge unless said otherwise
    method: str = "KIT"  # a field kit screens; LAB confirms

    def key(self) -> list:
        # Defaults stay out of the request hash, so replays from phones older than sample types still match.
        extra = [x for x, d in ((self.sample_type, "EFFLUENT"), (self.method, "KIT")) if x != d]
        return [self.parameter, self.value, *extra]


OUTCOMES = ("SAMPLED", "DRY")  # DRY: nothing to sample (issue 19 item 6)


async def record_inspection(*, session: AsyncSession, actor: Actor, settings, client_id, outfall_id: int,
                            observed_at: datetime, position: Point | None = None, flowing: bool | None = None,
                            note: str | None = None, readings: Sequence[Reading] = (),
                            media_ids: Sequence[int] = (), dry_weather: bool | None = None,
                            outcome: str | None = None) -> Inspection:
    """Record what was seen at an outfall; a replay of the clientId returns the first record.

    `outcome` DRY: the outfall was dry, nothing to sample (no effluent reading, not flowing); SAMPLED is
    implied by readings."""
    client_id = normalise_client_id(client_id)
    h = payload_hash(dict(outfall=outfall_id, observed_at=observed_at.isoformat() if observed_at else None,
                          position=[position.lat, position.lon, position.accuracy_m] if position else None,
                          flowing=flowing, note=note, readings=[r.key() for r in readings],
                          media=sorted(media_ids), **({"dry": dry_weather} if dry_weather is not None else {}),
                          **({"outcome": outcome} if outcome is not None else {})))
    def mine(i: Inspection) -> bool:  # an inspection's replay is its inspector's own
        return i.inspector_id == actor.user_id

    existing = await find_replay(session, Inspection, client_id, h, "inspection", may_see=mine)
    if existing is not None:
        return existing
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
    if outcome is not None and outcome not in OUTCOMES:
        raise BadInput(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if outcome == "DRY":
        if flowing:
            raise BadInput("a dry outfall is not flowing", field="flowing")
        if any(r.sample_type == "EFFLUENT" for r in readings):
            raise BadInput("a dry outfall has no effluent to sample", field="measurements")
        flowing = False
    elif outcome == "SAMPLED" and not readings:
        raise BadInput("SAMPLED needs the readings", field="measurements")
    elif outcome is None and readings:
        outcome = "SAMPLED"
    seen = set()
    for i, r in enumerate(readings):
        validate_value(r.parameter, r.value, field=f"measurements[{i}].value")
        if r.sample_type not in SAMPLE_TYPES:
            raise BadInput(f"sampleType must be one of {', '.join(SAMPLE_TYPES)}", field=f"measurements[{i}].sampleType")
        if r.method not in METHODS:
            raise BadInput(f"method must be one of {', '.join(METHODS)}", field=f"measurements[{i}].method")
        if (r.parameter, r.sample_type, r.method) in seen:
            raise BadInput(f"measurements lists {r.parameter} ({r.sample_type}, {r.method}) twice",
                           field=f"measurements[{i}].parameter")
        seen.add((r.parameter, r.sample_type, r.method))
    ins = Inspection(client_id=client_id, request_hash=h, outfall_id=pk(o), inspector_id=actor.user_id,
                     district_code=o.district_code, observed_at=observed_at,
                     lat=position.lat if position else None, lon=position.lon if position else None,
                     accuracy_m=position.accuracy_m if position else None, flowing=flowing, note=note,
                     dry_weather=dry_weather, outcome=outcome)
    ins, created = await insert_once(session, ins, "inspection", may_see=mine)
    if not created:
        return ins
    exceeded = []
    standard = discharge_standard(o)
    approved = await approved_limits(session, pk(o)) if readings else {}
    target = await receiving_target(session, o) if any(r.sample_type in RIVER_SAMPLES for r in readings) else None
    for r in readings:
        # GB 18918's NH3-N limit depends on the water temperature of the same sample.
        water_temp = next((x.value for x in readings if x.parameter == "WATER_TEMP"
                           and x.sample_type == r.sample_type), None)
        if r.sample_type == "EFFLUENT":
            a = assess_effluent(r.parameter, r.value, standard, approved, water_temp=water_temp)
        else:
            a = assess_river(r.parameter, r.value, target)
        j = a.judgement
        m = Measurement(inspection_id=ins.id, parameter=r.parameter, value=r.value, unit=j.unit, limit=j.limit,
                        limit_low=j.limit_low, standard=j.standard, exceeded=j.exceeded,
                        exceedance_ratio=j.exceedance_ratio, sample_type=r.sample_type, method=r.method,
                        basis=a.basis, note=a.note)
        session.add(m)
        if j.exceeded and r.sample_type == "EFFLUENT":  # river water is the stations' finding, not this outfall's
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
    if standard.key == "STORMWATER" and flowing and dry_weather:
        from server.domain.tasks.service import raise_dry_weather_flow_task

        await raise_dry_weather_flow_task(session=session, actor=actor, settings=settings, outfall=o, inspection=ins)
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
    updated_since: datetime | None = None


INSPECTION_ORDER = Order.of("i", col(Inspection.observed_at), col(Inspection.id), desc=True)


def inspection_query(actor: Actor, f: InspectionFilter):
    """The select for `f` within the caller's scope (district roles see their own district's)."""
    stmt = select(Inspection)
    if actor.role in DISTRICT_ROLES:
        stmt = stmt.where(col(Inspection.district_code) == actor.district_code)
    if f.outfall_id is not None:
        stmt = stmt.where(col(Inspection.outfall_id) == f.outfall_id)
    if f.district_code is not None:
        stmt = stmt.where(col(Inspection.district_code) == f.district_code)
    if f.updated_since is not None:
        stmt = stmt.where(col(Inspection.updated_at) >= f.updated_since)
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
    await check_district(session, f.district_code, "filter.districtCode")
    return await page(session, inspection_query(actor, f), INSPECTION_ORDER, first=first, after=after, last=last,
                      before=before, cap=cap, want_total=want_total)
