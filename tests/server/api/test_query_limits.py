"""Issue 12 item 2: one request cannot stall everyone.

Query cost is counted before execution (QUERY_TOO_COMPLEX names the cost and the limit), the
legitimate heavy pages fit under the limit, a request has a time budget, one request holds at most
a few database sessions, and an exhausted pool or a cancelled statement is a clear RATE_LIMITED.
"""
from __future__ import annotations

import asyncio

import httpx
import pytest
from graphql import GraphQLError
from sqlalchemy import insert, select, text

from server.app import create_app
from server.db import Database
from server.domain.geo.models import District, River
from server.domain.outfalls.models import Outfall
from server.events.broker import MemoryBroker
from server.web.wiring import Services
from server.graphql.cost import query_cost
from server.graphql.errors import shape
from server.graphql.schema import create_schema
from server.domain.sqltypes import utcnow
from server.settings import Settings
from tests.server.api.conftest import Gql

ATTACK = "{ " + " ".join(f"a{i}: outfalls(first: 500) {{ edges {{ node {{ tasks {{ totalCount }} }} }} }}"
                         for i in range(30)) + " }"
HEAVY = "{ outfalls(first: 500) { edges { node { code tasks { totalCount } } } } }"


async def seed_outfalls(db: Database, n: int) -> None:
    now = utcnow()
    async with db.transaction() as s:
        district = (await s.execute(select(District.code).limit(1))).scalar_one()
        river = (await s.execute(select(River.code).limit(1))).scalar_one()
        await s.execute(insert(Outfall), [
            {"code": f"T{i:05d}", "name": f"口{i}", "category": "OTHER", "river_code": river,
             "district_code": district, "lat": 29.5 + i * 1e-4, "lon": 106.5, "created_at": now,
             "updated_at": now} for i in range(n)])


def test_legitimate_pages_fit_and_the_attack_does_not():
    from bench.query_costs import PAGES

    s = Settings()
    schema = create_schema(s)
    costs = {name: query_cost(schema, q, v, max_page=s.max_page) for name, q, v in PAGES}
    attack = costs.pop("issue 12 attack: 30 x outfalls(500){tasks{totalCount}}")
    assert max(costs.values()) <= s.max_cost < attack, costs
    # The map of 500 is what the city reads all day: far below the limit.
    assert costs["map of 500 (bench MAP_Q)"] * 4 < s.max_cost


def test_costs_follow_page_sizes_variables_and_fragments():
    schema = create_schema(Settings())
    one = query_cost(schema, "{ outfalls(first: 10) { edges { node { code district { code } } } } }")
    assert one == 10 + 10 * 3  # the connection's query, then edge + node + district per item
    by_var = query_cost(schema, "query($n: Int) { outfalls(first: $n) { edges { node { code district { code } } } } }",
                        {"n": 10})
    assert by_var == one
    default = query_cost(schema, "query($n: Int = 10) { outfalls(first: $n) { edges { node { code district "
                                 "{ code } } } } }")
    assert default == one
    frag = query_cost(schema, "{ outfalls(first: 10) { edges { ...E } } } fragment E on OutfallEdge { node { code "
                              "district { code } } }")
    assert frag == one
    # Nested connections multiply: 10 outfalls, each with a tasks query of 20.
    nested = query_cost(schema, "{ outfalls(first: 10) { edges { node { tasks { edges { node { code } } } } } } }")
    assert nested == 10 + 10 * (2 + 10 + 20 * 2)
    # Past the page cap counts as the cap (the resolver refuses it anyway).
    assert query_cost(schema, "{ outfalls(first: 100000) { totalCount } }") == 10


async def test_the_issue_attack_is_refused_before_it_runs(gql, users, db, settings):
    await seed_outfalls(db, 20)
    g = await gql.as_("supervisor")
    statements = []
    from sqlalchemy import event

    def count(*_a):
        statements.append(1)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        err = await g.error(ATTACK)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    ext = err["extensions"]
    assert ext["code"] == "QUERY_TOO_COMPLEX" and ext["limit"] == settings.max_cost and ext["cost"] == 180300
    assert "180300" in err["message"] and str(settings.max_cost) in err["message"]
    assert len(statements) <= 2  # authentication only: no resolver ran
    # The same shape through a variable is counted the same; a small page of it is fine.
    q = "query($n: Int) { " + " ".join(f"a{i}: outfalls(first: $n) {{ edges {{ node {{ tasks {{ totalCount }} }} }} }}"
                                       for i in range(30)) + " }"
    assert (await g.error(q, {"n": 500}))["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    data = await g(q, {"n": 2})
    assert len(data["a29"]["edges"]) == 2


async def test_an_expensive_request_does_not_hold_health_or_other_users(client, users, db):
    await seed_outfalls(db, 500)
    sup, insp = await Gql(client).as_("supervisor"), await Gql(client).as_("inspector")
    heavy = asyncio.create_task(sup(HEAVY))
    await asyncio.sleep(0.05)  # let it take what it can of the pool
    assert not heavy.done()
    health = await client.get("/healthz")
    me = await insp("{ me { username } }")
    # Both answered while the heavy request (500 task queries) was still at work.
    assert not heavy.done(), "health and the other user waited for the heavy request to finish"
    assert health.status_code == 200 and me["me"]["username"] == "inspector"
    data = await heavy
    assert len(data["outfalls"]["edges"]) == 500


async def test_one_request_holds_at_most_its_share_of_sessions(settings, db, users):
    await seed_outfalls(db, 60)
    two = settings.with_(db_sessions_per_request=2)
    app = create_app(two, services=Services(settings=two, db=db, events=MemoryBroker()))
    held = peak = 0
    from sqlalchemy import event

    def checkout(*_a):
        nonlocal held, peak
        held += 1
        peak = max(peak, held)

    def checkin(*_a):
        nonlocal held
        held -= 1

    event.listen(db.engine.sync_engine.pool, "checkout", checkout)
    event.listen(db.engine.sync_engine.pool, "checkin", checkin)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            g = await Gql(c).as_("supervisor")
            peak = 0
            data = await g("{ a: outfalls(first: 60) { edges { node { tasks { totalCount } } } } "
                           "b: outfalls(first: 60) { edges { node { inspections { totalCount } } } } }")
    finally:
        event.remove(db.engine.sync_engine.pool, "checkout", checkout)
        event.remove(db.engine.sync_engine.pool, "checkin", checkin)
    assert len(data["a"]["edges"]) == 60 and len(data["b"]["edges"]) == 60
    assert 1 <= peak <= 2, peak


async def test_a_request_past_its_time_budget_is_stopped_with_a_clear_error(settings, db, users):
    await seed_outfalls(db, 200)
    app = create_app(settings.with_(request_budget_s=0.001),
                     services=Services(settings=settings, db=db, events=MemoryBroker()))
    # Sign in on a normal app (a sign-in takes longer than 1 ms), then ask the tight one.
    normal = create_app(settings, services=Services(settings=settings, db=db, events=MemoryBroker()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=normal), base_url="http://t") as c:
        token = await Gql(c).login("supervisor")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        err = await Gql(c).error(HEAVY, token=token)
    assert err["extensions"]["code"] == "RATE_LIMITED" and err["extensions"]["reason"] == "TIMEOUT"
    assert "time budget" in err["message"]


async def test_an_exhausted_pool_is_busy_not_internal(settings, users):
    tight = Database(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        app = create_app(settings, services=Services(settings=settings, db=tight, events=MemoryBroker()))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            token = await Gql(c).login("supervisor")
        async with tight.session() as hold:
            await hold.execute(text("SELECT 1"))  # the only connection, held
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                r = await c.get("/healthz")
                assert r.status_code == 503 and r.json()["status"] == "busy"
                for q in ("{ districts { code } }", "{ me { username } }"):  # cached root, plain root
                    r = await c.post("/graphql", json={"query": q}, headers={"Authorization": f"Bearer {token}"})
                    assert r.status_code == 200, r.text
                    err = r.json()["errors"][0]
                    assert err["extensions"]["code"] == "RATE_LIMITED" and err["extensions"]["reason"] == "BUSY"
    finally:
        await tight.dispose()


async def test_postgres_cancels_a_long_statement_and_it_is_reported_as_such(settings, backend):
    if backend != "postgres":
        pytest.skip("statement_timeout is PostgreSQL's")
    db = Database(settings.database_url, statement_timeout_ms=100)
    try:
        with pytest.raises(Exception) as caught:
            async with db.session() as s:
                await s.execute(text("SELECT pg_sleep(2)"))
    finally:
        await db.dispose()
    err = shape(GraphQLError("x", path=["outfalls"], original_error=caught.value))
    assert err.extensions["code"] == "RATE_LIMITED" and err.extensions["reason"] == "TIMEOUT"
    assert "time limit" in err.message
