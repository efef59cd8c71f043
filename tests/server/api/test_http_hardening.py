"""No cross-site simple request can write; production switches close GraphiQL and introspection."""
from __future__ import annotations

import httpx

from server.app import create_app
from server.web.wiring import Services


async def test_writes_need_json_over_post(client, users):
    body = '{"query": "mutation { login(username: \\"admin\\", password: \\"admin-demo\\") { token } }"}'
    for ctype in ("text/plain", "application/x-www-form-urlencoded"):
        r = await client.post("/graphql", content=body, headers={"content-type": ctype})
        assert r.status_code in (400, 415), (ctype, r.status_code, r.text)
    r = await client.get("/graphql", params={"query": 'mutation { logout }'})
    assert r.status_code in (400, 405)
    r = await client.post("/graphql", content=body, headers={"content-type": "application/json",
                                                             "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


async def test_production_switches(settings, db, users):
    s = settings.with_(graphiql=False, introspection=False)
    app = create_app(s, services=Services(settings=s, db=db))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/graphql", headers={"accept": "text/html"})
        assert "graphiql" not in r.text.lower()
        r = await c.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert r.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
