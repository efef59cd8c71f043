"""溯 as a record, not a text field: the responsible party (name, 统一社会信用代码, type, contact; the main
party of a shared outfall, with the others; the local government where none can be found), the sources of
the sewage, the methods and a report, or "cannot be determined" with why. A supervisor reviews it; the
approved record makes the outfall TRACED and names its responsible unit. A station suspect task (issue
15) is answered by a record that points at it."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from server.db import rowcount
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, InvalidState, NotFound
from server.domain.geo.models import District
from server.domain.idempotency import find_replay, insert_once, normalise_client_id, payload_hash
from server.domain.lifecycle.models import TracingRecord
from server.domain.lifecycle.rules import PARTY_TYPES, TRACING_METHODS, undetermined_party
from server.domain.lifecycle.uscc import check_uscc
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import advance_phase
from server.domain.permissions import can, require
from server.domain.sqltypes import utcnow
from server.domain.tasks.models import Task


@dataclass
class Party:
    name: str | None = None
    uscc: str | None = None
    type: str | None = None
    contact: str | None = None


@dataclass
class TracingInput:
    outfall_id: int
    determined: bool = True
    party: Party | None = None
    co_parties: list[Party] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    report: str | None = None
    undetermined_reason: str | None = None
    task_id: int | None = None


def _text(v: str | None, f: str, n: int, required: bool = False) -> str | None:
    v = (v or "").strip() or None
    if v is None and required:
        raise BadInput(f"{f} is required", field=f)
    if v is not None and len(v) > n:
        raise BadInput(f"{f} is at most {n} characters", field=f)
    return v


def _party(p: Party, f: str) -> tuple[str, str | None, str]:
    name = _text(p.name, f"{f}.name", 200, required=True) or ""
    if p.type not in PARTY_TYPES:
        raise BadInput(f"{f}.type must be one of {', '.join(PARTY_TYPES)}", field=f"{f}.type")
    rule = PARTY_TYPES[p.type]["uscc"]
    code = check_uscc(p.uscc, f"{f}.uscc")
    if rule == "required" and code is None:
        raise BadInput(f"{f}.uscc: an enterprise is named with its unified social credit code", field=f"{f}.uscc")
    if rule == "none" and code is not None:
        raise BadInput(f"{f}.uscc: an individual has no unified social credit code", field=f"{f}.uscc")
    return name, code, p.type


async def submit_record(*, session: AsyncSession, actor: Actor, client_id, data: TracingInput) -> TracingRecord:
    client_id = normalise_client_id(client_id)
    h = payload_hash({**data.__dict__, "party": data.party.__dict__ if data.party else None,
                      "co_parties": [c.__dict__ for c in data.co_parties]})
    def may_see(r: TracingRecord) -> bool:
        return can(actor, "trace.read", r.district_code)

    existing = await find_replay(session, TracingRecord, client_id, h, "tracing record", may_see=may_see)
    if existing is not None:
        return existing
    o = await session.get(Outfall, data.outfall_id)
    if o is None:
        raise BadInput(f"outfallId: no outfall with id {data.outfall_id}", field="outfallId")
    require(actor, "trace.submit", o.district_code)
    if o.verification == "NOT_OUTFALL":
        raise InvalidState(f"{o.code} was found not to be an outfall", field="outfallId")
    sources = [s.strip() for s in data.sources if s and s.strip()]
    if any(len(s) > 100 for s in sources) or len(sources) > 20:
        raise BadInput("sources: at most 20, each at most 100 characters", field="sources")
    bad = [m for m in data.methods if m not in TRACING_METHODS]
    if bad:
        raise BadInput(f"methods: {bad[0]!r} is not one of {', '.join(TRACING_METHODS)}", field="methods")
    if not data.methods:
        raise BadInput("say how the source was traced (methods)", field="methods")
    report = _text(data.report, "report", 4000)
    reason = _text(data.undetermined_reason, "undeterminedReason", 2000)
    contact = _text(data.party.contact if data.party else None, "party.contact", 100)
    co = []
    if data.determined:
        if data.party is None:
            raise BadInput("name the responsible party, or say it cannot be determined", field="party")
        if reason:
            raise BadInput("undeterminedReason is for a record that cannot determine the party",
                           field="undeterminedReason")
        if not sources:
            raise BadInput("name the sources of the sewage", field="sources")
        name, code, ptype = _party(data.party, "party")
        for k, c in enumerate(data.co_parties):  # a shared outfall: `party` is the main one
            cn, cc, ct = _party(c, f"coParties[{k}]")
            co.append({"name": cn, "uscc": cc, "type": ct})
    else:
        if not reason:
            raise BadInput("say why the source cannot be determined", field="undeterminedReason")
        if data.co_parties:
            raise BadInput("coParties name parties that were found", field="coParties")
        # Where none can be found the local government is responsible (政府兜底).
        district = await session.get(District, o.district_code)
        if data.party is not None:
            name, code, ptype = _party(data.party, "party")
            if ptype != "LOCAL_GOVERNMENT":
                raise BadInput("when the party cannot be determined it is the local government", field="party.type")
        else:
            name, code, ptype = undetermined_party(district.name if district else o.district_code), None, \
                "LOCAL_GOVERNMENT"
    if data.task_id is not None:
        t = await session.get(Task, data.task_id)
        if t is None or t.outfall_id != o.id:
            raise BadInput(f"taskId: no task {data.task_id} about outfall {o.code}", field="taskId")
    assert o.id is not None
    r = TracingRecord(client_id=client_id, request_hash=h, outfall_id=o.id, district_code=o.district_code,
                      task_id=data.task_id, determined=data.determined, party_name=name, party_uscc=code,
                      party_type=ptype, party_contact=contact, co_parties=co, sources=sources,
                      methods=list(dict.fromkeys(data.methods)), report=report, undetermined_reason=reason,
                      submitted_by_id=actor.user_id)
    r, _ = await insert_once(session, r, "tracing record", may_see=may_see)
    return r


async def review_record(*, session: AsyncSession, actor: Actor, record_id: int, decision: str,
                        reason: str | None = None) -> TracingRecord:
    """APPROVE: the record stands (an earlier approved one is SUPERSEDED), the outfall is TRACED and its
    responsible unit is the record's party. REJECT needs a reason."""
    require(actor, "trace.review")
    if decision not in ("APPROVE", "REJECT"):
        raise BadInput("decision must be APPROVE or REJECT", field="decision")
    reason = (reason or "").strip() or None
    if decision == "REJECT" and not reason:
        raise BadInput("a reason is required to reject", field="reason")
    if reason and len(reason) > 2000:
        raise BadInput("reason is longer than 2000 characters", field="reason")
    r = await session.get(TracingRecord, record_id)
    if r is None:
        raise NotFound(f"no tracing record with id {record_id}")
    new = "APPROVED" if decision == "APPROVE" else "REJECTED"
    res = await session.execute(update(TracingRecord).where(col(TracingRecord.id) == r.id, col(TracingRecord.status) == "SUBMITTED")
                                .values(status=new, reviewer_id=actor.user_id, reviewed_at=utcnow(),
                                        review_reason=reason).execution_options(synchronize_session=False))
    if rowcount(res) != 1:
        raise InvalidState("this tracing record has already been reviewed")
    await session.refresh(r)
    if new == "APPROVED":
        await session.execute(update(TracingRecord).where(
            col(TracingRecord.outfall_id) == r.outfall_id, col(TracingRecord.status) == "APPROVED", col(TracingRecord.id) != r.id)
            .values(status="SUPERSEDED").execution_options(synchronize_session=False))
        o = await session.get(Outfall, r.outfall_id, with_for_update=True)
        assert o is not None  # a foreign key
        advance_phase(o, "TRACED")
        if o.phase == "TRACED":
            o.phase_basis = None  # backed by this record now
        o.responsible_unit = r.party_name
        o.updated_at = utcnow()
        o.version += 1
    return r


async def approved_record(session: AsyncSession, outfall_id: int) -> TracingRecord | None:
    return (await session.execute(select(TracingRecord).where(col(TracingRecord.outfall_id) == outfall_id,
                                                              col(TracingRecord.status) == "APPROVED"))).scalar_one_or_none()


async def records_of(*, session: AsyncSession, actor: Actor, outfall_id: int) -> list[TracingRecord]:
    o = await session.get(Outfall, outfall_id)
    if o is None:
        return []
    require(actor, "trace.read", o.district_code)
    return list((await session.execute(select(TracingRecord).where(col(TracingRecord.outfall_id) == outfall_id)
                                        .order_by(col(TracingRecord.id)))).scalars())
