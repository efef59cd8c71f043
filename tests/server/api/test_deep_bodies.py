"""Deeply nested request bodies are refused before anything parses them (issue 12 item 5).

A JSON body 50,000 arrays deep made the JSON parser raise RecursionError: a 500, and the same process
then failed a later, ordinary request. Now: HTTP 400 with a GraphQL-shaped error (BAD_USER_INPUT) for a
body nested deeper than the limit, whether the nesting is JSON (variables, extensions) or the GraphQL
document itself (selections, list values); and the next request is answered as usual.
"""
from __future__ import annotations

import json

import pytest

from server.web.middleware.depth import MAX_DEPTH

DEEP = 50_000


def deep_json(key: str) -> str:
    return '{"query": "{ __typename }", "%s": %s}' % (key, "[" * DEEP + "]" * DEEP)


CASES = {
    "variables as arrays": deep_json("variables"),
    "extensions as objects": '{"query": "{ __typename }", "extensions": ' + '{"a":' * DEEP + "1" + "}" * DEEP + "}",
    "a document of selections": json.dumps({"query": "{ me " + "{ a " * DEEP + "}" * DEEP + " }"}),
    "a document of list values": json.dumps({"query": "{ outfalls(first: " + "[" * DEEP + "]" * DEEP + ") { totalCount } }"}),
    "a document of object values": json.dumps({"query": "{ outfalls(filter: " + "{a: " * DEEP + "1" + "}" * DEEP
                                                        + ") { totalCount } }"}),
    "brackets in a string do not count, the rest does": '{"query": "{ __typename }", "operationName": "' + "[" * 10
                                                            + '", "variables": ' + "[" * DEEP + "]" * DEEP + "}",
}


@pytest.mark.parametrize("case", CASES)
async def test_deep_bodies_are_refused_and_the_server_stays_whole(client, gql, users, case):
    r = await client.post("/graphql", content=CASES[case], headers={"content-type": "application/json"})
    assert r.status_code == 400, (case, r.status_code, r.text[:300])
    err = r.json()["errors"][0]
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and str(MAX_DEPTH) in err["message"], err
    assert "data" not in r.json()
    # The same process answers the next request whole.
    admin = await gql.as_("admin")
    assert (await admin("{ me { username } }"))["me"]["username"] == "admin"


async def test_ordinary_nesting_passes(client, gql, users):
    sup = await gql.as_("supervisor")
    # A real query as deep as the console's deepest, with list variables: answered.
    q = "query($s: [TaskStatus!]) { outfalls(first: 1) { edges { node { tasks { edges { node { code } } } } } } " \
        "tasks(filter: {status: $s}) { totalCount } }"
    assert "outfalls" in await sup(q, {"s": ["OPEN"]})
    # Brackets inside strings are not nesting.
    body = {"query": '{ __typename # ((((((((\n a: __typename @skip(if: false) }', "extensions": {"n": "[" * (MAX_DEPTH * 10)},
            "operationName": None}
    r = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {sup.token}"})
    assert r.status_code == 200 and r.json()["data"] == {"__typename": "Query", "a": "Query"}, r.text[:300]
