"""Property tests (hypothesis) for issue 12 item 5: no input, however built, gets INTERNAL or HTTP 500.

1. Every root Query and Mutation field that takes arguments is called with variables generated from
   its argument types in schema.graphql (drift-checked), so every input type of the schema is covered,
   including ones added later: strings with control characters and astral planes, 64-bit-breaking
   integers, extreme floats, dates at and past the calendar's edges, enum values, lists, nested input
   objects with optional fields present or not. Each answer must be HTTP < 500 with only contract codes.
2. Every export (/export/outfalls.geojson|csv|xlsx, /export/tasks.csv|xlsx) gets random filter
   parameters (known names with random values, and unknown names) over a register holding hostile
   stored data (control characters, formula text, right-to-left overrides, year-9999 deadlines, 100-char
   names): a 200 must stream whole, anything else must be a 4xx with a GraphQL-shaped error.

Examples per run: OUTFALLWATCH_PROPERTY_EXAMPLES (default 150 per property).
"""
from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, Undefined,
                     get_named_type)
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from sqlalchemy import update

from server.domain.outfalls.queries import PARAMETERS as OUTFALL_PARAMETERS
from server.domain.tasks.queries import PARAMETERS as TASK_PARAMETERS
from tests.server.api.schema_inputs import schema, type_ref
from tests.server.api.test_loop_api import REGISTER, SITE
from tests.server.conftest import Gql
from tests.server.fuzz.test_fuzz import CONTRACT_CODES

EXAMPLES = int(os.environ.get("OUTFALLWATCH_PROPERTY_EXAMPLES", "150"))
EDGE_TIMES = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-05:00", "1899-12-31T23:59:59+00:00",
              "2200-01-01T00:00:00+14:00", "2026-02-30T00:00:00Z", "not a time", ""]

text = st.one_of(st.text(max_size=40), st.text(st.characters(codec="utf-8"), max_size=12),
                 st.sampled_from(["", " ", "=SUM(A1)", "\u202e反转", "a\x00b", "𝔘𝔫𝔦", "x" * 300,
                                  "500103", "YANGTZE", "1", "-1", "0" * 40]))
ints = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 2**31 - 1, -(2**31)]))
floats = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0.0, -0.0, 1e308, -1e308,
                                                                                         90.0, 180.0, 29.56]))


def scalar(name: str):
    if name in ("String", "ID"):
        return text if name == "String" else st.one_of(text, st.integers(0, 2**70).map(str))
    if name == "Int":
        return ints
    if name == "Float":
        return floats
    if name == "Boolean":
        return st.booleans()
    if name == "UUID":
        return st.one_of(st.uuids().map(str), text)
    if name == "DateTime":
        return st.one_of(st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8)),
                                                                  timezone(timedelta(hours=-5))]))
                         .map(lambda d: d.isoformat()), st.sampled_from(EDGE_TIMES))
    if name == "Date":
        return st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(["0001-01-01", "9999-12-31", "x"]))
    if name == "JSON":
        return st.recursive(st.one_of(st.none(), st.booleans(), ints, text),
                            lambda c: st.lists(c, max_size=3) | st.dictionaries(text, c, max_size=3), max_leaves=6)
    raise AssertionError(f"no strategy for scalar {name}: add one")


def value(t, depth: int = 0):
    """Values of input type t: mostly well-typed (so they reach the resolvers), sometimes null."""
    if isinstance(t, GraphQLNonNull):
        return value(t.of_type, depth)
    nullable = st.none()
    if isinstance(t, GraphQLList):
        return st.one_of(nullable, st.lists(value(t.of_type, depth + 1), max_size=3))
    if isinstance(t, GraphQLEnumType):
        return st.one_of(nullable, st.sampled_from(sorted(t.values)))
    if isinstance(t, GraphQLInputObjectType):
        if depth > 3:
            return nullable
        required = {n: value(f.type, depth + 1) for n, f in t.fields.items() if _required(f)}
        optional = {n: value(f.type, depth + 1) for n, f in t.fields.items() if not _required(f)}
        return st.one_of(nullable, st.fixed_dictionaries(required, optional=optional))
    return st.one_of(nullable, scalar(t.name))


def _required(f) -> bool:
    return isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined and not (
        f.ast_node and getattr(f.ast_node, "default_value", None))


def operations() -> list[tuple[str, str, dict]]:
    """(kind, document, {argument: strategy}) for every root field with arguments."""
    out = []
    s = schema()
    for kind, root in (("query", s.query_type), ("mutation", s.mutation_type)):
        for name, f in root.fields.items():
            if not f.args:
                continue
            decl = ", ".join(f"${a}: {type_ref(arg.type)}" for a, arg in f.args.items())
            call = ", ".join(f"{a}: ${a}" for a in f.args)
            named = get_named_type(f.type)
            sel = " { __typename }" if hasattr(named, "fields") else ""
            out.append((kind, f"{kind}({decl}) {{ {name}({call}){sel} }}",
                        {a: value(arg.type) for a, arg in f.args.items()}))
    return out


OPERATIONS = operations()


def check(r: httpx.Response, what) -> None:
    assert r.status_code < 500, (what, r.status_code, r.text[:500])
    body = r.json()
    for e in body.get("errors") or []:
        assert e.get("extensions", {}).get("code") in CONTRACT_CODES | {"QUERY_TOO_COMPLEX"}, (what, e)


@pytest.fixture
def loop_and_client(app):
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    yield loop, client
    loop.run_until_complete(client.aclose())
    loop.close()


def test_every_input_type_of_the_schema(loop_and_client, users, backend):
    if backend != "sqlite":
        pytest.skip("one database is enough for the generated run; both run the targeted tests")
    loop, client = loop_and_client
    g = Gql(client)
    tokens = [loop.run_until_complete(g.login(u)) for u in ("supervisor", "inspector", "admin", "officer")]
    assert len(OPERATIONS) > 40, len(OPERATIONS)

    @hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data(), who=st.sampled_from(tokens))
    def run(data, who):
        kind, doc, args = data.draw(st.sampled_from(OPERATIONS), label="operation")
        variables = {a: data.draw(s, label=a) for a, s in args.items()}
        r = loop.run_until_complete(client.post("/graphql", json={"query": doc, "variables": variables},
                                                headers={"Authorization": f"Bearer {who}"}))
        check(r, (doc, variables))

    run()
    # Still whole afterwards.
    r = loop.run_until_complete(client.post("/graphql", json={"query": "{ me { username } }"},
                                            headers={"Authorization": f"Bearer {tokens[0]}"}))
    assert r.json()["data"]["me"]["username"] == "supervisor"


HOSTILE_NAMES = ["旧\x1b排\x07口\x0b", "=HYPERLINK(\"http://x\")", "\u202eTXT.EXE", "排口" * 50, "  空格  ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]


async def hostile_register(gql, db, backend):
    from server.domain.outfalls.models import Outfall
    from server.domain.tasks.models import Task

    sup = await gql.as_("supervisor")
    ids, tids = [], []
    for i, name in enumerate(HOSTILE_NAMES):
        oid = (await sup(REGISTER, {"i": {"clientId": str(uuid.uuid4()), "name": f"排口{i}", "category": "OTHER",
                                          "riverCode": "YANGTZE", "districtCode": "500103",
                                          "location": {"lat": SITE[0] + i * 1e-4, "lon": SITE[1]}}}))
        ids.append(oid["registerOutfall"]["id"])
        t = await sup("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": f"任务{i}",
            "outfallId": ids[-1]}})
        tids.append(t["createTask"]["id"])
    # Stored as rows from before the rules would have them (straight into the tables).
    async with db.transaction() as s:
        for oid, tid, name in zip(ids, tids, HOSTILE_NAMES):
            await s.execute(update(Outfall).where(Outfall.id == int(oid)).values(name=name, responsible_unit=name))
            await s.execute(update(Task).where(Task.id == int(tid)).values(
                title=name[:200], description=name * 3,
                deadline=datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc) if int(tid) % 2 else
                datetime(1900, 1, 1, tzinfo=timezone.utc)))
    return sup


EXPORTS = [("outfalls", "geojson", OUTFALL_PARAMETERS | {"crs"}), ("outfalls", "csv", OUTFALL_PARAMETERS),
           ("outfalls", "xlsx", OUTFALL_PARAMETERS), ("tasks", "csv", TASK_PARAMETERS),
           ("tasks", "xlsx", TASK_PARAMETERS)]
PARAM_VALUES = st.one_of(text, st.sampled_from(["500103", "YANGTZE", "OPEN", "true", "false", "GCJ02", "WGS84",
                                                "106,29,107,30", "107,30,106,29", "1e400,0,0,0", "nan,nan,1,1",
                                                *EDGE_TIMES]))


def test_every_export_with_random_filters_over_hostile_data(loop_and_client, db, users, backend):
    if backend != "sqlite":
        pytest.skip("one database is enough for the generated run")
    loop, client = loop_and_client
    g = Gql(client)
    g.token = loop.run_until_complete(g.login("supervisor"))
    loop.run_until_complete(hostile_register(g, db, backend))
    officer = loop.run_until_complete(g.login("officer"))

    @hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data(), who=st.sampled_from([g.token, officer]))
    def run(data, who):
        what, fmt, names = data.draw(st.sampled_from(EXPORTS), label="export")
        keys = data.draw(st.lists(st.one_of(st.sampled_from(sorted(names)), text), max_size=4), label="names")
        params = [(k, data.draw(PARAM_VALUES, label=k)) for k in keys]
        r = loop.run_until_complete(client.get(f"/export/{what}.{fmt}", params=params,
                                               headers={"Authorization": f"Bearer {who}"}))
        assert r.status_code < 500, (what, fmt, params, r.status_code, r.text[:300])
        if r.status_code == 200:
            assert r.content, (what, fmt, params)
        else:
            err = r.json()["errors"][0]
            assert r.status_code in (400, 401, 403, 429) and err["extensions"]["code"] in CONTRACT_CODES, \
                (what, fmt, params, r.text[:300])

    run()
