"""Generated GraphQL operations (hypothesis-graphql) against the app: never a server error.

Bounded here; `make fuzz` sets OUTFALLWATCH_FUZZ_EXAMPLES for a long run.
"""
from __future__ import annotations

import asyncio
import os

import httpx
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from hypothesis_graphql import from_schema

from server.app import create_app
from server.web.wiring import Services
from server.graphql.schema import create_schema
from server.storage import make_store
from tests.server.conftest import Gql

EXAMPLES = int(os.environ.get("OUTFALLWATCH_FUZZ_EXAMPLES", "120"))
# Client errors only: the GraphQL-over-HTTP request codes (issue 13) are the client's fault too.
CONTRACT_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "INVALID_STATE",
                  "UPLOAD_INVALID", "RATE_LIMITED", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED",
                  "QUERY_TOO_COMPLEX"}
SDL = create_schema().as_str()
SCALARS = {"UUID": st.uuids().map(lambda u: __import__("graphql").StringValueNode(value=str(u))),
           "DateTime": st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)).map(
               lambda d: __import__("graphql").StringValueNode(value=d.isoformat())),
           "Date": st.dates().map(lambda d: __import__("graphql").StringValueNode(value=d.isoformat())),
           "JSON": st.just(__import__("graphql").StringValueNode(value="x"))}


@pytest.fixture
def fuzz_client(settings, db, users):
    services = Services(settings=settings, db=db, store=make_store(settings))
    return create_app(settings.with_(max_tokens=100_000), services=services)


def test_generated_operations_never_fail_the_server(fuzz_client, backend):
    if backend != "sqlite":
        pytest.skip("the fuzz run needs one database, not two")
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=fuzz_client), base_url="http://t")
    g = Gql(client)
    tokens = [loop.run_until_complete(g.login(u)) for u in ("admin", "inspector", "officer")]
    seen = {"ops": 0, "errors": 0}

    @hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(query=from_schema(SDL, custom_scalars=SCALARS), who=st.sampled_from(tokens))
    def run(query, who):
        r = loop.run_until_complete(client.post("/graphql", json={"query": query},
                                                headers={"Authorization": f"Bearer {who}"}))
        assert r.status_code < 500, (query, r.text)
        seen["ops"] += 1
        for e in r.json().get("errors") or []:
            seen["errors"] += 1
            assert e.get("extensions", {}).get("code") in CONTRACT_CODES, (query, e)

    try:
        run()
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    print(f"fuzz: {seen['ops']} operations, {seen['errors']} client errors, 0 server errors")
