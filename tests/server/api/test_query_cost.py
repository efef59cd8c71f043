"""SQL statements per request must not grow with the page size (no N+1)."""
from __future__ import annotations

import contextlib
import uuid

import pytest

from sqlalchemy import event

from server.domain.actor import Actor
from server.domain.outfalls.service import Point, register_outfall

PAGE = """query($n: Int) { outfalls(first: $n) { totalCount edges { node { id code name category phase
  location { lat lon } district { code name } river { code name } } } } }"""


@contextlib.contextmanager
def count_statements(db):
    seen: list[str] = []

    def on(conn, cursor, statement, *a):
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", on)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", on)


async def seed(db, users, n: int):
    admin = Actor(user_id=users["admin"], username="admin", role="ADMIN", district_code=None)
    spots = [("500103", "YANGTZE", 29.56, 106.58), ("500101", "YANGTZE", 30.80, 108.40),
             ("500102", "WU", 29.70, 107.39), ("500105", "JIALING", 29.575, 106.59)]
    async with db.transaction() as s:
        for i in range(n):
            d, r, lat, lon = spots[i % len(spots)]
            await register_outfall(session=s, actor=admin, client_id=uuid.uuid4(), name=f"排口{i}",
                                   category="OTHER", river_code=r, district_code=d,
                                   location=Point(lat + i * 1e-4, lon))


@pytest.fixture(params=[True, False], ids=["fast", "ordinary"])
def settings(settings, request):
    # Execution cost is what these tests count; the response cache would hide it. Both executors:
    # the planned one (server/graphql/fast_executor.py) must batch exactly as the ordinary one does.
    return settings.with_(response_cache=False, fast_execution=request.param)


async def statements_for(gql, db, n: int) -> list[str]:
    with count_statements(db) as seen:
        d = await gql(PAGE, {"n": n})
    assert len(d["outfalls"]["edges"]) == n
    return seen


async def test_outfall_page_statements_do_not_grow(gql, db, users):
    await seed(db, users, 60)
    g = await gql.as_("supervisor")
    small, large = await statements_for(g, db, 5), await statements_for(g, db, 60)
    # auth (1) + page (1) + count (1) + districts (1) + rivers (1)
    assert len(small) == len(large) == 5, large


MAP = """query($n: Int) { outfalls(first: $n) { edges { node { id code phase location { lat lon }
  district { code name } river { code name } latestInspection { observedAt flowing } } } } }"""


async def test_map_page_with_latest_inspection_statements_do_not_grow(gql, db, users):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from server.domain.inspections.models import Inspection
    from server.domain.outfalls.models import Outfall

    await seed(db, users, 40)
    now = datetime.now(timezone.utc)
    async with db.transaction() as s:
        for o in (await s.execute(select(Outfall))).scalars():
            for k in range(2):
                s.add(Inspection(client_id=str(uuid.uuid4()), request_hash="x", outfall_id=o.id,
                                 inspector_id=users["inspector"], district_code=o.district_code,
                                 observed_at=now - timedelta(hours=k), flowing=k == 0))
    g = await gql.as_("supervisor")
    counts = []
    for n in (5, 40):
        with count_statements(db) as seen:
            d = await g(MAP, {"n": n})
        nodes = [e["node"] for e in d["outfalls"]["edges"]]
        assert len(nodes) == n and all(x["latestInspection"]["flowing"] is True for x in nodes)
        counts.append(len(seen))
    # auth + page + districts + rivers + latest inspections (no count: totalCount not asked)
    assert counts == [5, 5], counts


LIFE = """query($n: Int) { outfalls(first: $n) { edges { node { id code verification permitRequired publicUrl
  receivingWater { derived targetClass targetBasis newOutfallProhibited reach { key } zones { name } }
  tracing { id party { name } } tracingRecords { id status }
  remediationPlan { id type missingItems } permit { kind documentNo changes { change } } } } } }"""


async def test_outfall_page_with_life_fields_statements_do_not_grow(gql, db, users):
    """Receiving water, tracing, plan and permit (issue 19) are loaded per page, not per outfall."""
    from datetime import date

    from sqlalchemy import select

    from server.domain.lifecycle.models import (OutfallPermit, PermitChange, ProtectedZone, RemediationPlan,
                                                TracingRecord)
    from server.domain.outfalls.models import Outfall

    await seed(db, users, 40)
    async with db.transaction() as s:
        s.add(ProtectedZone(name="水源地", kind="DRINKING_WATER_PROTECTION", lat=29.56, lon=106.58,
                            radius_m=2000, source="test"))
        for k, o in enumerate((await s.execute(select(Outfall).order_by(Outfall.id))).scalars()):
            if k % 2 == 0:  # every other outfall has a life: records of each kind
                for status in ("SUPERSEDED", "APPROVED"):
                    s.add(TracingRecord(client_id=str(uuid.uuid4()), request_hash="x", outfall_id=o.id,
                                        district_code=o.district_code, status=status, party_name=f"厂{k}",
                                        party_type="INDIVIDUAL", sources=["x"], methods=["FIELD_SURVEY"]))
                s.add(RemediationPlan(client_id=str(uuid.uuid4()), request_hash="x", outfall_id=o.id,
                                      district_code=o.district_code, type="RECTIFY", measures="m",
                                      deadline=date(2030, 1, 1)))
                p = OutfallPermit(outfall_id=o.id, kind="REGISTRATION", document_no=f"D{k}", authority="a",
                                  decided_on=date(2025, 1, 1))
                s.add(p)
                await s.flush()
                s.add(PermitChange(permit_id=p.id, change="ISSUED", document_no=f"D{k}", authority="a",
                                   decided_on=date(2025, 1, 1)))
    g = await gql.as_("supervisor")
    counts = []
    for n in (6, 40):
        with count_statements(db) as seen:
            d = await g(LIFE, {"n": n})
        nodes = [e["node"] for e in d["outfalls"]["edges"]]
        assert len(nodes) == n
        lived = [x for x in nodes if x["remediationPlan"]]
        assert len(lived) == n // 2 and all(x["tracing"] and len(x["tracingRecords"]) == 2
                                            and x["permit"]["changes"] == [{"change": "ISSUED"}] for x in lived)
        assert any(x["receivingWater"]["zones"] == [{"name": "水源地"}] for x in nodes)
        assert any(x["receivingWater"]["zones"] == [] for x in nodes)
        counts.append(len(seen))
    # auth + page + districts + rivers + zones + approved tracing + tracing records + plan + permit
    # + permit changes
    assert counts == [10, 10], " | ".join(q[:40] for q in seen)


TASKS = """query($n: Int) { tasks(first: $n) { edges { node { code kind status deadline isOverdue
  outfall { code name district { name } } latestSubmission { submittedAt status checks { code severity message }
  review { decision reason reviewer { username } } } submissions { id } } } } }"""


async def test_task_page_with_submissions_statements_do_not_grow(gql, db, users):
    """The officer's task page: tasks, their outfalls (and districts), every submission with its checks
    and review, and the reviewer: one statement per kind of thing, whatever the page size."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from server.domain.outfalls.models import Outfall
    from server.domain.tasks.models import Submission, Task

    await seed(db, users, 24)
    now = datetime.now(timezone.utc)
    far = [{"code": "FAR_FROM_SITE", "severity": "WARNING", "zh": "远", "en": "far"}]
    async with db.transaction() as s:
        for i, o in enumerate((await s.execute(select(Outfall).order_by(Outfall.id))).scalars()):
            t = Task(code=f"T-{i:04d}", client_id=str(uuid.uuid4()), kind="OTHER", source="MANUAL", status="SUBMITTED",
                     title=f"任务{i}", district_code=o.district_code, outfall_id=o.id,
                     deadline=now + timedelta(days=i), created_by_id=users["supervisor"])
            s.add(t)
            await s.flush()
            for k in range(2):
                s.add(Submission(client_id=str(uuid.uuid4()), request_hash="x", task_id=t.id,
                                 submitted_by_id=users["officer"], submitted_at=now + timedelta(minutes=k),
                                 status="REJECTED" if k == 0 else "PENDING_REVIEW", checks=far,
                                 decision="REJECT" if k == 0 else None, reason="再拍" if k == 0 else None,
                                 reviewer_id=users["supervisor"] if k == 0 else None,
                                 reviewed_at=now if k == 0 else None))
    g = await gql.as_("supervisor")
    counts = []
    for n in (3, 24):
        with count_statements(db) as seen:
            d = await g(TASKS, {"n": n})
        nodes = [e["node"] for e in d["tasks"]["edges"]]
        assert len(nodes) == n and all(len(x["submissions"]) == 2 for x in nodes)
        assert all(x["latestSubmission"]["checks"][0]["code"] == "FAR_FROM_SITE" for x in nodes)
        counts.append(len(seen))
    # auth + page + outfalls + districts + rivers + submissions + reviewers; nothing per task
    assert counts[0] == counts[1] <= 7, counts
