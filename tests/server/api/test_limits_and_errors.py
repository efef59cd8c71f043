"""Query limits, error codes, masking."""
from __future__ import annotations

import httpx
from graphql import GraphQLError

from server.app import create_app
from server.domain.errors import NotFound
from server.web.wiring import Services
from server.graphql.errors import shape
from tests.server.api.conftest import Gql


async def test_depth_limit(settings, db, users):
    app = create_app(settings.with_(max_depth=3), services=Services(settings=settings, db=db))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        g = await Gql(c).as_("inspector")
        assert (await g("{ me { district { code } } }"))["me"]["district"]["code"] == "500103"
        err = await g.error("{ outfalls { edges { node { district { code } } } } }")
        assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "depth" in err["message"]


async def test_alias_and_token_limits(gql, users, settings):
    g = await gql.as_("inspector")
    many = "{ " + " ".join(f"a{i}: me {{ username }}" for i in range(settings.max_aliases + 1)) + " }"
    err = await g.error(many)
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "aliases" in err["message"]
    huge = "{ me { " + "username " * (settings.max_tokens + 10) + "} }"
    err = await g.error(huge)
    assert err["extensions"]["code"] in ("GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED") and "token" in err["message"].lower()


async def test_validation_errors_are_shown_with_a_code(gql, users):
    g = await gql.as_("inspector")
    err = await g.error("{ outfalls { nope } }")
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "nope" in err["message"]
    err = await g.error("{ outfalls(first: \"x\") { totalCount } }")
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    err = await g.error("{ outfalls {")
    assert err["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and "Syntax" in err["message"]


def test_unexpected_errors_are_masked_and_domain_errors_kept():
    boom = GraphQLError("secret details: /etc/passwd", path=["outfalls"], original_error=RuntimeError("db dsn x"))
    masked = shape(boom)
    assert masked.message == "Internal server error" and masked.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert masked.original_error is None and masked.path == ["outfalls"]
    nf = shape(GraphQLError("no outfall", path=["outfall"], original_error=NotFound("no outfall with id 3")))
    assert nf.extensions == {"code": "NOT_FOUND"} and nf.message == "no outfall"


async def test_body_cap_and_get_mutations(client, settings):
    r = await client.post("/graphql", content=b"{" + b" " * (settings.max_body_bytes + 1) + b"}",
                          headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = await client.get("/graphql", params={"query": 'mutation { login(username:"a", password:"b") { token } }'})
    assert r.status_code in (400, 405)
    r = await client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 200 and "graphiql" in r.text.lower()
    assert (await client.get("/healthz")).json()["status"] == "ok"
