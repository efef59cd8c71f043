"""A phone that retries while its first request is still running: the same clientId arrives several
times at once. Every copy must get the first record back; none may fail or make a second one.

This caught a real bug: `session.add()` before `begin_nested()` let the savepoint's autoflush
insert outside the savepoint, so the losing copy broke its transaction (INTERNAL error on PostgreSQL).
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from tests.server.api.test_loop_api import RECORD, REGISTER, SITE, SUBMIT, photo
from tests.server.api.test_patrols_api import RECORD as PATROL, patrol
from tests.server.lifecycle.test_standard_api import SET_STD

COPIES = 6


async def same_answers(g, query, variables, root) -> str:
    bodies = await asyncio.gather(*[g.raw(query, variables) for _ in range(COPIES)])
    errors = [b["errors"] for b in bodies if b.get("errors")]
    assert errors == [], errors
    ids = {b["data"][root]["id"] for b in bodies}
    assert len(ids) == 1, ids
    return ids.pop()


async def count(db, model, client_id) -> int:
    async with db.session() as s:
        return (await s.execute(select(func.count()).select_from(model).where(model.client_id == client_id))).scalar()


async def test_every_idempotent_mutation_survives_concurrent_replays(gql, client, db, users):
    from server.domain.inspections.models import Inspection
    from server.domain.outfalls.models import Outfall
    from server.domain.patrols.models import Patrol
    from server.domain.tasks.models import Submission, Task

    sup, insp, officer = await gql.as_("supervisor"), await gql.as_("inspector"), await gql.as_("officer")
    reg = {"clientId": str(uuid.uuid4()), "name": "并发排口", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    oid = await same_answers(insp, REGISTER, {"i": reg}, "registerOutfall")
    assert await count(db, Outfall, reg["clientId"]) == 1
    await sup(SET_STD, {"id": oid, "i": {"standard": "GB8978", "grade": "grade1"}})  # so COD 500 is over its limit

    rec = {"clientId": str(uuid.uuid4()), "outfallId": oid, "observedAt": datetime.now(timezone.utc).isoformat(),
           "measurements": [{"parameter": "COD", "value": 500.0}]}
    await same_answers(insp, RECORD, {"i": rec}, "recordInspection")
    assert await count(db, Inspection, rec["clientId"]) == 1
    async with db.session() as s:  # the exceedance raised one task, not one per copy
        assert (await s.execute(select(func.count()).select_from(Task).where(Task.outfall_id == int(oid)))).scalar() == 1

    task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "并发任务",
            "districtCode": "500103", "outfallId": oid,
            "deadline": (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()}
    tid = await same_answers(sup, "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": task},
                             "createTask")
    assert await count(db, Task, task["clientId"]) == 1

    before, after = await photo(officer, client, seed=301), await photo(officer, client, seed=302)
    sub = {"clientId": str(uuid.uuid4()), "taskId": tid, "beforeMediaIds": [before], "afterMediaIds": [after]}
    await same_answers(officer, SUBMIT, {"i": sub}, "submitRectification")
    assert await count(db, Submission, sub["clientId"]) == 1

    p = patrol()
    await same_answers(insp, PATROL, {"i": p}, "recordPatrol")
    assert await count(db, Patrol, p["clientId"]) == 1
