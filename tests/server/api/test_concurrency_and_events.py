"""Races and live events: two reviews at once, subscriptions over graphql-transport-ws, several workers."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.events.broker import PostgresBroker
from tests.conftest import PG_SKIP, PG_URL
from tests.server.api.test_loop_api import REVIEW, SUBMIT, photo

CREATE = """mutation($i: CreateTaskInput!) { createTask(input: $i) { id code } }"""


def task_input(**kw):
    return {"clientId": str(uuid.uuid4()), "kind": "RIVERBANK_GARBAGE", "source": "DRONE", "title": "岸边垃圾",
            "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587},
            "deadline": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat(), **kw}


async def submitted(gql, client):
    sup, officer = await gql.as_("supervisor"), await gql.as_("officer")
    t = (await sup(CREATE, {"i": task_input()}))["createTask"]
    sub = (await officer(SUBMIT, {"i": {"clientId": str(uuid.uuid4()), "taskId": t["id"],
                                        "beforeMediaIds": [await photo(officer, client, seed=50)],
                                        "afterMediaIds": [await photo(officer, client, seed=51)]}}))
    return sub["submitRectification"]["id"]


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP))],
                         indirect=True)
async def test_two_supervisors_review_at_the_same_moment(gql, client, users, db):
    from server.domain.users.service import create_user

    async with db.transaction() as s:
        await create_user(session=s, username="supervisor2", password="supervisor2-demo", role="SUPERVISOR")
    a, b = await gql.as_("supervisor"), await gql.as_("supervisor2")
    for round_ in range(5):
        sid = await submitted(gql, client)
        ra, rb = await asyncio.gather(
            a.raw(REVIEW, {"i": {"submissionId": sid, "decision": "APPROVE"}}),
            b.raw(REVIEW, {"i": {"submissionId": sid, "decision": "REJECT", "reason": "照片不清"}}))
        outcomes = sorted("ok" if not r.get("errors") else r["errors"][0]["extensions"]["code"] for r in (ra, rb))
        assert outcomes == ["INVALID_STATE", "ok"], (round_, ra, rb)
        winner = ra if not ra.get("errors") else rb
        status = winner["data"]["reviewSubmission"]["task"]["status"]
        assert status in ("APPROVED", "REJECTED")
        t = (await a(f'{{ tasks(filter: {{status: [{status}]}}) {{ totalCount }} }}'))["tasks"]["totalCount"]
        assert t >= 1


def _ws_events(tc, token: str, district: str | None, n: int, trigger, in_payload: bool = False) -> list[dict]:
    """Subscribe over graphql-transport-ws, run `trigger`, collect n events."""
    got = []
    auth = {"Authorization": f"Bearer {token}"}
    with tc.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"],
                              headers={} if in_payload else auth) as ws:
        ws.send_json({"type": "connection_init", "payload": auth if in_payload else {}})
        assert ws.receive_json()["type"] == "connection_ack"
        q = "subscription($d: String) { taskEvents(districtCode: $d) { type task { code district { code } } } }"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": q, "variables": {"d": district}}})
        trigger(tc)
        while len(got) < n:
            msg = ws.receive_json()
            assert msg["type"] == "next", msg
            assert not msg["payload"].get("errors"), msg
            got.append(msg["payload"]["data"]["taskEvents"])
        ws.send_json({"id": "1", "type": "complete"})
    return got


def _sync_login(tc, username):
    r = tc.post("/graphql", json={"query": 'mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}',
                                  "variables": {"u": username, "p": f"{username}-demo"}})
    return r.json()["data"]["login"]["token"]


def _create(tc, token, **kw):
    r = tc.post("/graphql", json={"query": CREATE, "variables": {"i": task_input(**kw)}},
                headers={"Authorization": f"Bearer {token}"})
    assert not r.json().get("errors"), r.json()


def test_subscribers_see_only_their_scope(settings, users):
    # A sync test: the TestClient runs the app on its own loop, so the app gets its own engine.
    from server.web.wiring import build_services

    app = create_app(settings, services=build_services(settings.with_(events="memory")))

    def trigger(tc):
        sup = _sync_login(tc, "supervisor")
        _create(tc, sup, districtCode="500101", title="万州", location={"lat": 30.8, "lon": 108.4})
        _create(tc, sup)  # Yuzhong

    with TestClient(app) as tc:
        officer, sup = _sync_login(tc, "officer"), _sync_login(tc, "supervisor")
        mine = _ws_events(tc, officer, None, 1, trigger)
        assert [e["task"]["district"]["code"] for e in mine] == ["500103"]
        city = _ws_events(tc, sup, None, 2, trigger)
        assert [e["task"]["district"]["code"] for e in city] == ["500101", "500103"]
        only = _ws_events(tc, sup, "500101", 1, trigger, in_payload=True)  # token in connection_init
        assert only[0]["type"] == "CREATED" and only[0]["task"]["district"]["code"] == "500101"


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP))],
                         indirect=True)
async def test_events_reach_subscribers_of_every_worker(settings, db, users):
    """Two server processes' worth of brokers on one PostgreSQL: an event made on A reaches B's subscriber."""
    a, b = PostgresBroker(settings.database_url), PostgresBroker(settings.database_url)
    await a.start()
    await b.start()
    try:
        async with b.subscribe() as q:
            await a.publish({"id": 1, "task_id": 7, "type": "CREATED", "district_code": "500103",
                             "at": datetime.now(timezone.utc).isoformat()})
            got = await asyncio.wait_for(q.get(), 5)
        assert got["task_id"] == 7 and got["type"] == "CREATED"
    finally:
        await a.stop()
        await b.stop()
