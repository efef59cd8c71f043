"""The plain-field executor answers exactly what graphql-core's own executor answers.

Random read operations drawn from the schema (hypothesis-graphql), for every role, against one
database seeded with the demo register plus inspections that raised tasks in two districts: data and
errors must be byte-identical with and without the fast path, on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from server.app import create_app
from server.db import Database
from server.graphql.context import Services
from server.graphql.schema import create_schema
from server.storage import make_store
from tests.server.conftest import Gql
from tests.server.fuzz.test_fuzz import SCALARS

EXAMPLES = int(os.environ.get("OUTFALLWATCH_EQUIVALENCE_EXAMPLES", "60"))
SDL = create_schema().as_str()
ROLES = ("admin", "supervisor", "officer", "inspector", "integrator", "officer2")
CREATE_TASK = """mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"""
RECORD = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id raisedTasks { id } } }"""
MAP = """query($b: BBoxInput) { outfalls(filter: {bbox: $b}, first: 500) { edges { cursor node {
  id code name category phase status createdAt waterClass remediation responsibleUnit signboardInstalled
  location { lat lon accuracyM } district { code name } river { code name }
  latestInspection { id observedAt flowing note measurements { parameter value exceeded exceedanceMultiple } } } }
  pageInfo { hasNextPage endCursor } totalCount } }"""
TASKS = """{ tasks(first: 50) { totalCount edges { node { id code kind status deadline isOverdue title
  outfall { code name district { name } } latestSubmission { status checks { code severity } } } } } }"""


@pytest.fixture
async def seeded(db, settings):
    from server.demo.seed import demo_password, district_codes_by_name, seed_demo
    from server.domain.users.service import create_user

    async with db.transaction() as s:
        await seed_demo(session=s, outfalls_per_km=0.08)
        codes = district_codes_by_name()
        for username, role in (("inspector2", "INSPECTOR"), ("officer2", "DISTRICT_OFFICER")):
            await create_user(session=s, username=username, password=demo_password(username), role=role,
                              district_code=codes["万州区"])
    return db


def _app(settings, db, fast: bool):
    s = settings.with_(max_tokens=100_000, response_cache=False, fast_execution=fast)
    return create_app(s, services=Services(settings=s, db=db, store=make_store(s)))


async def _record_findings(g: Gql) -> None:
    """Inspections in the inspectors' districts and a task on each of those outfalls."""
    sup = await g.as_("supervisor")
    for who in ("inspector", "inspector2"):
        me = await g.as_(who)
        district = (await me("{ me { district { code } } }"))["me"]["district"]["code"]
        page = await me("query($d:String){ outfalls(filter:{districtCode:$d}, first: 3){ edges { node { id } } } }",
                        {"d": district})
        for n, edge in enumerate(page["outfalls"]["edges"]):
            await me(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": edge["node"]["id"], "flowing": True,
                                    "observedAt": datetime.now(UTC).isoformat(),
                                    "note": f"{who} {n}", "measurements": [{"parameter": "COD", "value": 30 + 20 * n},
                                                                           {"parameter": "NH3_N", "value": 0.4}]}})
            await sup(CREATE_TASK, {"i": {"clientId": str(uuid.uuid4()), "kind": "ILLEGAL_DISCHARGE",
                                          "source": "INSPECTION", "title": f"排口整治 {who} {n}",
                                          "outfallId": edge["node"]["id"]}})


def test_same_answers_with_and_without_the_fast_path(seeded, settings):
    loop = asyncio.new_event_loop()
    own = Database(settings.database_url)  # its connections belong to this loop, not the fixture's
    clients = {fast: httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(settings, own, fast)),
                                       base_url="http://t") for fast in (False, True)}
    g = Gql(clients[False])
    loop.run_until_complete(_record_findings(g))
    tokens = {u: loop.run_until_complete(g.login(u)) for u in ROLES}

    def both(query: str, token: str, variables: dict | None = None) -> tuple[str, str]:
        out = []
        for fast in (False, True):
            r = loop.run_until_complete(clients[fast].post(
                "/graphql", json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {token}"}))
            out.append(f"{r.status_code} {json.dumps(r.json(), sort_keys=True, ensure_ascii=False)}")
        return out[0], out[1]

    try:
        # The pages the fast path exists for, by every role (district scoping included).
        for who, tok in tokens.items():
            for q, v in ((MAP, {"b": None}), (MAP, {"b": {"south": 29.5, "west": 106.4, "north": 29.7, "east": 106.7}}),
                         (TASKS, None)):
                ordinary, fast = both(q, tok, v)
                assert ordinary == fast, (who, q)
                assert '"errors"' not in ordinary or who == "integrator", ordinary[:400]
        assert '"latestInspection": {' in both(MAP, tokens["supervisor"], {"b": None})[1]
        assert '"totalCount": 0' not in both(TASKS, tokens["supervisor"])[1]

        @hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        @given(query=queries(SDL, custom_scalars=SCALARS), who=st.sampled_from(ROLES))
        def run(query, who):
            ordinary, fast = both(query, tokens[who])
            assert ordinary == fast, query

        run()
    finally:
        for c in clients.values():
            loop.run_until_complete(c.aclose())
        loop.run_until_complete(own.dispose())
        loop.close()


def test_the_fast_path_is_the_default_and_can_be_switched_off():
    from server.graphql.fast_executor import PlainFieldExecutor
    from server.settings import Settings

    assert create_schema(Settings()).execution_context_class is PlainFieldExecutor
    assert create_schema(Settings(fast_execution=False)).execution_context_class is not PlainFieldExecutor
