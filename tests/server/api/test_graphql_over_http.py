"""Request errors as the GraphQL-over-HTTP specification has them: their own codes, no `data`, and
application/graphql-response+json with HTTP 400 for a client that accepts it."""
from __future__ import annotations

import pytest

GQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize("query, code", [("{ outfalls { totalCount ", "GRAPHQL_PARSE_FAILED"),
                                         ("{ outfalls { noSuchField } }", "GRAPHQL_VALIDATION_FAILED")])
async def test_request_errors(client, gql, users, query, code):
    token = await gql.login("inspector")
    headers = {"Authorization": f"Bearer {token}"}
    r = await client.post("/graphql", json={"query": query}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == code
    r = await client.post("/graphql", json={"query": query}, headers={**headers, "Accept": GQL_RESPONSE})
    assert r.status_code == 400 and r.headers["content-type"].startswith(GQL_RESPONSE)
    assert "data" not in r.json() and r.json()["errors"][0]["extensions"]["code"] == code


async def test_a_field_error_keeps_data_and_200(client, gql, users):
    token = await gql.login("inspector")
    r = await client.post("/graphql", json={"query": '{ outfalls(first: 501) { totalCount } }'},
                          headers={"Authorization": f"Bearer {token}", "Accept": GQL_RESPONSE})
    assert r.status_code == 200 and r.headers["content-type"].startswith(GQL_RESPONSE)
    assert "data" in r.json() and r.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
