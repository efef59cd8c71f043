"""治: one remediation plan per outfall (一口一策) with its type, the evidence its acceptance needs by type,
the city's acceptance (验收) and 销号. REMEDIATED follows acceptance, never a task's approval alone.

- BAN (取缔): evidence of plugging; 销号 ends in 注销 (the outfall is CLOSED).
- MERGE (合并): links the outfall it was merged into; 销号 closes this one with the link kept.
- RECTIFY (规范): sampling point, inspection well, signboard with QR code, online monitoring where the plan
  says it is required (HJ 1309-2023 §5-8), and a re-test that passes; the outfall stays in use.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from server.db import rowcount
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, InvalidState, NotFound
from server.domain.evidence import Site, Window
from server.domain.idempotency import find_replay, insert_once, normalise_client_id, payload_hash
from server.domain.inspections.models import Inspection, Measurement
from server.domain.lifecycle.models import PLAN_TYPES, RemediationPlan
from server.domain.lifecycle.rules import EVIDENCE_ITEMS, SLOTS, required_items
from server.domain.media import service as media
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import advance_phase
from server.domain.permissions import can, require
from server.domain.sqltypes import utcnow


async def _outfall(session: AsyncSession, outfall_id: int, field: str = "outfallId", *, lock: bool = False) -> Outfall:
    o = await session.get(Outfall, outfall_id, with_for_update=lock)
    if o is None:
        raise BadInput(f"{field}: no outfall with id {outfall_id}", field=field)
    return o


async def _plan(session: AsyncSession, plan_id: int) -> RemediationPlan:
    p = await session.get(RemediationPlan, plan_id, with_for_update=True)
    if p is None:
        raise NotFound(f"no remediation plan with id {plan_id}")
    return p


def _touch(p: RemediationPlan) -> None:
    p.updated_at = utcnow()
    p.version += 1


async def create_plan(*, session: AsyncSession, actor: Actor, client_id, outfall_id: int, type: str, measures: str,
                      deadline: date, merged_into_id: int | None = None,
                      online_monitoring_required: bool = False) -> RemediationPlan:
    """The city decides the approach (a supervised decision, as `remediation` is); replays return the plan."""
    client_id = normalise_client_id(client_id)
    h = payload_hash(dict(outfall=outfall_id, type=type, measures=measures, deadline=deadline.isoformat(),
                          merged_into=merged_into_id, monitoring=bool(online_monitoring_required)))
    def may_see(p: RemediationPlan) -> bool:  # plans are readable wherever the register is
        return can(actor, "outfall.read")

    existing = await find_replay(session, RemediationPlan, client_id, h, "remediation plan", may_see=may_see)
    if existing is not None:
        return existing
    require(actor, "plan.create")
    if type not in PLAN_TYPES:
        raise BadInput(f"type must be one of {', '.join(PLAN_TYPES)}", field="type")
    measures = (measures or "").strip()
    if not 1 <= len(measures) <= 4000:
        raise BadInput("measures must be 1-4000 characters", field="measures")
    if deadline < utcnow().date():
        raise BadInput("deadline is in the past", field="deadline")
    o = await _outfall(session, outfall_id, lock=True)
    if o.status != "ACTIVE":
        raise InvalidState(f"outfall {o.code} is {o.status}; a plan is for an outfall in use", field="outfallId")
    if o.verification in ("SUSPECTED", "NOT_OUTFALL"):
        raise InvalidState(f"outfall {o.code} is {o.verification}: verify it on site first", field="outfallId")
    taken = (await session.execute(select(col(RemediationPlan.id)).where(col(RemediationPlan.outfall_id) == o.id))).first()
    if taken:
        raise BadInput(f"outfall {o.code} already has its plan (一口一策): id {taken[0]}", field="outfallId")
    if type == "MERGE":
        if merged_into_id is None:
            raise BadInput("a MERGE plan names the outfall this one is merged into", field="mergedIntoId")
        target = await _outfall(session, merged_into_id, "mergedIntoId")
        if target.id == o.id:
            raise BadInput("an outfall cannot be merged into itself", field="mergedIntoId")
        if target.status != "ACTIVE":
            raise BadInput(f"outfall {target.code} is {target.status}; merge into one in use", field="mergedIntoId")
    elif merged_into_id is not None:
        raise BadInput("mergedIntoId is for MERGE plans only", field="mergedIntoId")
    assert o.id is not None
    p = RemediationPlan(client_id=client_id, request_hash=h, outfall_id=o.id, district_code=o.district_code, type=type,
                        measures=measures, deadline=deadline, merged_into_id=merged_into_id,
                        online_monitoring_required=bool(online_monitoring_required), created_by_id=actor.user_id)
    p, created = await insert_once(session, p, "remediation plan", may_see=may_see)
    if created:
        o.remediation = type
        o.updated_at = utcnow()
        o.version += 1
    return p


async def _retest(session: AsyncSession, o: Outfall, p: RemediationPlan, inspection_id: int | None) -> dict:
    """A re-test passes when every effluent reading was judged against the outfall's standard (or approved
    limits) and none exceeded; a stormwater outlet's passes when it is dry in dry weather."""
    if inspection_id is None:
        raise BadInput("PASSING_RETEST needs the re-test inspection (inspectionId)", field="inspectionId")
    i = await session.get(Inspection, inspection_id)
    if i is None or i.outfall_id != o.id:
        raise BadInput(f"inspectionId: no inspection {inspection_id} of outfall {o.code}", field="inspectionId")
    if i.observed_at < p.created_at:
        raise BadInput("the re-test must be observed after the plan was made", field="inspectionId")
    if o.discharge_standard == "STORMWATER":
        if not (i.dry_weather and i.flowing is False):
            raise BadInput("a stormwater outlet's re-test is a dry-weather inspection with no flow",
                           field="inspectionId")
        return {"inspection_id": i.id, "passed": "dry weather, no flow"}
    ms = (await session.execute(select(Measurement).where(col(Measurement.inspection_id) == i.id,
                                                          col(Measurement.sample_type) == "EFFLUENT"))).scalars().all()
    if not ms:
        raise BadInput("the re-test has no effluent readings", field="inspectionId")
    unjudged = [m for m in ms if m.basis is None]
    if unjudged:
        raise BadInput(f"{unjudged[0].parameter} was not judged ({unjudged[0].note}): a re-test must be judged "
                       "against the outfall's standard", field="inspectionId")
    over = [m.parameter for m in ms if m.exceeded]
    if over:
        raise BadInput(f"the re-test exceeds on {', '.join(over)}", field="inspectionId")
    return {"inspection_id": i.id, "passed": ", ".join(sorted({m.parameter for m in ms})),
            "lab": all(m.method == "LAB" for m in ms)}


async def record_evidence(*, session: AsyncSession, actor: Actor, settings, plan_id: int, item: str,
                          media_ids: list[int] | None = None, note: str | None = None,
                          inspection_id: int | None = None) -> RemediationPlan:
    """One acceptance item's evidence (photos, or the re-test); a later record of the item replaces it."""
    p = await _plan(session, plan_id)
    require(actor, "plan.evidence", p.district_code)
    if p.status != "IN_PROGRESS":
        raise InvalidState(f"the plan is {p.status}; evidence is recorded while it is IN_PROGRESS")
    if item not in EVIDENCE_ITEMS:
        raise BadInput(f"item must be one of {', '.join(EVIDENCE_ITEMS)}", field="item")
    needed = required_items(p.type, p.online_monitoring_required)
    if item not in needed:
        raise BadInput(f"a {p.type} plan's acceptance does not need {item} (it needs {', '.join(needed)})",
                       field="item")
    if note is not None and len(note) > 2000:
        raise BadInput("note is longer than 2000 characters", field="note")
    o = await _outfall(session, p.outfall_id)
    entry: dict = {"by": actor.user_id, "at": utcnow().isoformat(), "note": (note or "").strip() or None}
    if item == "PASSING_RETEST":
        entry.update(await _retest(session, o, p, inspection_id))
    else:
        if not media_ids:
            raise BadInput(f"{item} needs at least one photo", field="mediaIds")
        assert p.id is not None
        ms = await media.attach(session=session, actor=actor, media_ids=list(media_ids), owner_type="plan",
                                owner_id=p.id, slot=SLOTS[item], settings=settings, site=Site(o.lat, o.lon),
                                window=Window(start=p.created_at, end=None))
        entry["media_ids"] = [m.id for m in ms]
    p.evidence = {**(p.evidence or {}), item: entry}
    _touch(p)
    await session.flush()
    return p


def missing_items(p: RemediationPlan) -> list[str]:
    """The acceptance items of the plan's type with no evidence yet (MERGED_INTO is the plan's link)."""
    have = set(p.evidence or {})
    if p.merged_into_id:
        have.add("MERGED_INTO")
    return [i for i in required_items(p.type, p.online_monitoring_required) if i not in have]


async def request_acceptance(*, session: AsyncSession, actor: Actor, plan_id: int) -> RemediationPlan:
    p = await _plan(session, plan_id)
    require(actor, "plan.evidence", p.district_code)
    if p.status != "IN_PROGRESS":
        raise InvalidState(f"the plan is {p.status}; acceptance is asked once, while it is IN_PROGRESS")
    missing = missing_items(p)
    if missing:
        raise BadInput(f"acceptance of a {p.type} plan still needs: {', '.join(missing)}", field="evidence",
                       missing=missing)
    p.status, p.submitted_at, p.review_reason = "SUBMITTED", utcnow(), None
    _touch(p)
    return p


async def _cas(session: AsyncSession, p: RemediationPlan, expect: str, **values) -> None:
    """Compare-and-set on the status: of two concurrent decisions exactly one wins."""
    r = await session.execute(update(RemediationPlan).where(col(RemediationPlan.id) == p.id, col(RemediationPlan.status) == expect)
                              .values(updated_at=utcnow(), version=col(RemediationPlan.version) + 1, **values)
                              .execution_options(synchronize_session=False))
    if rowcount(r) != 1:
        raise InvalidState(f"the plan is no longer {expect}")
    await session.refresh(p)


async def review_plan(*, session: AsyncSession, actor: Actor, plan_id: int, decision: str,
                      reason: str | None = None) -> RemediationPlan:
    """验收 by the city: ACCEPT makes the outfall REMEDIATED; REJECT (with a reason) sends it back."""
    require(actor, "plan.accept")
    if decision not in ("ACCEPT", "REJECT"):
        raise BadInput("decision must be ACCEPT or REJECT", field="decision")
    reason = (reason or "").strip() or None
    if decision == "REJECT" and not reason:
        raise BadInput("a reason is required to reject", field="reason")
    if reason and len(reason) > 2000:
        raise BadInput("reason is longer than 2000 characters", field="reason")
    p = await _plan(session, plan_id)
    if p.status != "SUBMITTED":
        raise InvalidState(f"the plan is {p.status}; only a SUBMITTED plan is accepted or rejected")
    if decision == "REJECT":
        await _cas(session, p, "SUBMITTED", status="IN_PROGRESS", review_reason=reason)
        return p
    if missing_items(p):  # evidence cannot change while SUBMITTED; checked again all the same
        raise InvalidState(f"acceptance still needs {', '.join(missing_items(p))}")
    await _cas(session, p, "SUBMITTED", status="ACCEPTED", review_reason=reason, accepted_by_id=actor.user_id,
               accepted_at=utcnow())
    o = await _outfall(session, p.outfall_id, lock=True)
    advance_phase(o, "REMEDIATED")
    o.phase_basis = None  # now backed by an accepted plan
    o.updated_at = utcnow()
    o.version += 1
    return p


async def close_out(*, session: AsyncSession, actor: Actor, plan_id: int) -> RemediationPlan:
    """销号 after acceptance: a banned outfall is 注销 (CLOSED); a merged one is CLOSED and linked to the
    outfall it joined; a rectified one stays in use, struck off the remediation list."""
    require(actor, "plan.accept")
    p = await _plan(session, plan_id)
    if p.status != "ACCEPTED":
        raise InvalidState(f"the plan is {p.status}; 销号 follows acceptance")
    await _cas(session, p, "ACCEPTED", status="CLOSED_OUT", closed_by_id=actor.user_id, closed_at=utcnow())
    o = await _outfall(session, p.outfall_id, lock=True)
    if p.type in ("BAN", "MERGE"):
        o.status = "CLOSED"
    if p.type == "MERGE":
        o.merged_into_id = p.merged_into_id
    o.updated_at = utcnow()
    o.version += 1
    return p


async def plan_for(session: AsyncSession, outfall_id: int) -> RemediationPlan | None:
    return (await session.execute(select(RemediationPlan).where(col(RemediationPlan.outfall_id) == outfall_id))) \
        .scalar_one_or_none()
