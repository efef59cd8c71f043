"""The demo register's lives go through the lifecycle services (issue 19): nothing sets 溯 or 治 directly."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from stdnum.cn import uscc

from server.domain.inspections.models import Inspection
from server.domain.lifecycle.models import RemediationPlan, TracingRecord
from server.domain.outfalls.models import PHASES, Outfall


async def test_demo_outfalls_live_through_the_services(db):
    from server.demo.seed import seed_demo

    async with db.transaction() as s:
        made = await seed_demo(session=s, outfalls_per_km=0.2)
    assert made["tracing_records"] > 0 and made["accepted"] > 0 and made["closed_out"] > 0
    async with db.session() as s:
        outfalls = {o.id: o for o in (await s.execute(select(Outfall))).scalars()}
        records = list((await s.execute(select(TracingRecord))).scalars())
        plans = {p.outfall_id: p for p in (await s.execute(select(RemediationPlan))).scalars()}
        inspected = set((await s.execute(select(Inspection.outfall_id))).scalars())
    rows = list(outfalls.values())
    assert {o.phase for o in rows} == set(PHASES) and all(o.phase_basis is None for o in rows)
    assert Counter(o.verification for o in rows).keys() == {"SUSPECTED", "VERIFIED", "NOT_OUTFALL"}
    approved = {r.outfall_id: r for r in records if r.status == "APPROVED"}
    assert {r.status for r in records} == {"APPROVED", "SUBMITTED"}  # some wait for the city's review
    assert any(not r.determined and r.party_type == "LOCAL_GOVERNMENT" and r.undetermined_reason for r in records)
    for r in records:
        assert r.party_uscc is None or uscc.is_valid(r.party_uscc)
    for o in rows:
        at = PHASES.index(o.phase)
        assert (o.id in inspected) == (at >= 1), o.code  # 测 by an inspection
        assert (o.id in approved) == (at >= 2), o.code  # 溯 by an approved record
        if at >= 2:
            assert o.responsible_unit == approved[o.id].party_name
        if o.verification in ("SUSPECTED", "NOT_OUTFALL"):
            assert o.phase == "SURVEYED" and o.id not in plans
        p = plans.get(o.id)
        assert (at == 3) == (p is not None and p.status in ("ACCEPTED", "CLOSED_OUT")), o.code  # 治 by acceptance
        if p is not None and p.status == "CLOSED_OUT":  # 销号 of a merge: closed, pointing where it went
            assert p.type == "MERGE" and o.status == "CLOSED" and o.merged_into_id == p.merged_into_id
            assert outfalls[p.merged_into_id].status == "ACTIVE"
        elif o.phase == "REMEDIATED":
            assert p is not None and p.status == "ACCEPTED" and o.status == "ACTIVE"
        else:
            assert o.status == "ACTIVE"
    under_way = [p for p in plans.values() if p.status == "IN_PROGRESS"]
    assert {p.type for p in under_way} == {"BAN", "RECTIFY"}
    assert all("PASSING_RETEST" in p.evidence for p in under_way if p.type == "RECTIFY")
