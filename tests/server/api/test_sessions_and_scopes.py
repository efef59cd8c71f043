"""Sessions and scopes (issue 12 item 4): a subscription ends with its sign-in (logout, revoked token,
expiry); an API token does exactly what its scopes name and FORBIDDEN says which scope is missing."""
from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from tests.server.api.test_concurrency_and_events import CREATE, task_input

SUBSCRIBE = "subscription { taskEvents { type task { code } } }"
TOKEN = 'mutation($s: [Scope!]!) { createApiToken(name: "平台", username: "integrator", scopes: $s) { token apiToken { id } } }'


def post(tc, token, query, variables=None) -> dict:
    r = tc.post("/graphql", json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {token}"} if token else {})
    assert r.status_code == 200, r.text
    return r.json()


def login(tc, username) -> str:
    from server.demo.seed import demo_password

    body = post(tc, None, 'mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}',
                {"u": username, "p": demo_password(username)})
    return body["data"]["login"]["token"]


def create_task(tc, token):
    assert not post(tc, token, CREATE, {"i": task_input()}).get("errors")


def ends_unauthenticated(tc, token, end_it) -> dict:
    """Subscribe with `token`, see one event, call end_it(tc), then make another event: the
    subscription must answer UNAUTHENTICATED instead of delivering it, and complete."""
    sup = login(tc, "supervisor")
    with tc.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        time.sleep(0.3)  # the subscription is listening
        create_task(tc, sup)
        first = ws.receive_json()
        assert first["type"] == "next" and (first["payload"].get("data") or {}).get("taskEvents", {}).get("type") == "CREATED", first
        end_it(tc)
        create_task(tc, sup)
        msg = ws.receive_json()
        assert msg["type"] in ("next", "error"), msg
        errors = msg["payload"]["errors"] if msg["type"] == "next" else msg["payload"]
        assert errors and errors[0]["extensions"]["code"] == "UNAUTHENTICATED", msg
        return msg


@pytest.fixture
def app(settings, users):
    from server.web.wiring import build_services

    s = settings.with_(events="memory", auth_recheck_s=0.2)
    return create_app(s, services=build_services(s))


def test_subscription_ends_on_logout(app):
    with TestClient(app) as tc:
        officer = login(tc, "officer")
        ends_unauthenticated(tc, officer, lambda tc: post(tc, officer, "mutation { logout }"))


def test_subscription_ends_when_its_api_token_is_revoked(app):
    with TestClient(app) as tc:
        admin = login(tc, "admin")
        made = post(tc, admin, TOKEN, {"s": ["READ"]})["data"]["createApiToken"]
        revoke = 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }'
        ends_unauthenticated(tc, made["token"],
                             lambda tc: post(tc, admin, revoke, {"id": made["apiToken"]["id"]}))


def test_subscription_ends_when_its_token_expires(app, settings):
    from server.db import Database
    from server.domain.users.models import User
    from server.domain.users.service import issue_token

    async def short_token() -> str:
        db = Database(settings.database_url)
        try:
            async with db.session() as s:
                from sqlalchemy import select
                u = (await s.execute(select(User).where(User.username == "officer"))).scalar_one()
            return issue_token(user=u, secret=settings.secret_key, ttl=timedelta(seconds=3))[0]
        finally:
            await db.dispose()

    token = asyncio.run(short_token())
    with TestClient(app) as tc:
        ends_unauthenticated(tc, token, lambda tc: time.sleep(3.5))


async def test_a_scope_allows_exactly_what_it_names(gql, users):
    admin, sup = await gql.as_("admin"), await gql.as_("supervisor")
    read = (await admin(TOKEN, {"s": ["READ"]}))["createApiToken"]["token"]
    create = (await admin(TOKEN, {"s": ["TASKS_CREATE"]}))["createApiToken"]["token"]
    integrator = await gql.as_("integrator")  # the user's own password session

    # A read token cannot end its owner's password session.
    err = await gql.error("mutation { logout }", token=read)
    assert err["extensions"]["code"] == "FORBIDDEN", err
    assert (await integrator("{ me { username } }"))["me"]["username"] == "integrator"

    # Creating needs tasks:create, and FORBIDDEN says so.
    task = {"clientId": str(uuid.uuid4()), "kind": "FLOATING_DEBRIS", "source": "VIDEO_AI", "title": "漂浮物",
            "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587},
            "deadline": (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()}
    q = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
    err = await gql.error(q, {"i": task}, token=read)
    assert err["extensions"] == {"code": "FORBIDDEN", "scope": "tasks:create"}, err
    assert "tasks:create" in err["message"]
    made = (await gql(q, {"i": task}, token=create))["createTask"]["id"]
    # ...and reading needs read: a tasks:create token sees nothing.
    err = await gql.error("{ tasks { totalCount } }", token=create)
    assert err["extensions"] == {"code": "FORBIDDEN", "scope": "read"}, err
    assert (await gql("{ tasks { totalCount } }", token=read))["tasks"]["totalCount"] == 1
    # The token's own replay still answers, although it may not read tasks otherwise.
    assert (await gql(q, {"i": task}, token=create))["createTask"]["id"] == made
    assert (await sup("{ tasks { totalCount } }"))["tasks"]["totalCount"] == 1

