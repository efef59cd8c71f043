"""An app per test and a small GraphQL client over ASGI."""
from __future__ import annotations

import httpx
import pytest

from server.app import create_app
from server.web.wiring import Services


class Gql:
    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self.token: str | None = None

    async def raw(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {}
        tok = token if token is not None else self.token
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        r = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        body = await self.raw(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def error(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """The first error; fails when there is none."""
        body = await self.raw(query, variables, token)
        assert body.get("errors"), f"expected an error, got {body}"
        return body["errors"][0]

    async def login(self, username: str, password: str | None = None) -> str:
        from server.demo.seed import demo_password

        d = await self("mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}",
                       {"u": username, "p": password or demo_password(username)}, token="")
        return d["login"]["token"]

    async def as_(self, username: str) -> "Gql":
        other = Gql(self.client)
        other.token = await self.login(username)
        return other


@pytest.fixture
async def app(settings, db):
    from server.storage import make_store

    from server.events.broker import MemoryBroker

    services = Services(settings=settings, db=db, store=make_store(settings), events=MemoryBroker())
    await services.store.ensure_ready()
    return create_app(settings, services=services)


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def gql(client) -> Gql:
    return Gql(client)


@pytest.fixture
async def users(db):
    """The five demo users (no outfalls), by role name."""
    from server.demo.seed import DEMO_USERS, demo_password, district_codes_by_name
    from server.domain.users.service import create_user

    codes = district_codes_by_name()
    out = {}
    async with db.transaction() as s:
        for username, role, dname, display in DEMO_USERS:
            u = await create_user(session=s, username=username, password=demo_password(username), role=role,
                                  district_code=codes[dname] if dname else None, display_name=display)
            out[username] = u.id
        # A second district's people, for scoping tests.
        for username, role in (("inspector2", "INSPECTOR"), ("officer2", "DISTRICT_OFFICER")):
            u = await create_user(session=s, username=username, password=demo_password(username), role=role,
                                  district_code=codes["万州区"])
            out[username] = u.id
    return out
