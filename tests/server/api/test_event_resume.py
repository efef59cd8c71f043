"""taskEvents(after:): what was missed while disconnected is replayed from the durable log, in order and
within the subscriber's scope, then live events follow with none lost or repeated at the seam."""
from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import select
from sqlmodel import col
from starlette.testclient import TestClient

from server.app import create_app
from server.db import Database
from server.domain.tasks import events
from server.domain.tasks import service as tasks
from server.domain.tasks.models import Task, TaskEvent
from server.events.broker import PostgresBroker
from tests.conftest import PG_SKIP, PG_URL
from tests.server.api.test_concurrency_and_events import _create, _sync_login

SUB = """subscription($d: String, $a: String) { taskEvents(districtCode: $d, after: $a) {
  id cursor type task { title district { code } } } }"""


class Ws:
    def __init__(self, tc, token: str, after: str | None = None, district: str | None = None):
        self.cm = tc.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
        self.token, self.vars = token, {"a": after, "d": district}

    def __enter__(self):
        self.ws = self.cm.__enter__()
        self.ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}})
        assert self.ws.receive_json()["type"] == "connection_ack"
        self.ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUB, "variables": self.vars}})
        return self

    def next(self) -> dict:
        msg = self.ws.receive_json()
        assert msg["type"] == "next" and not msg["payload"].get("errors"), msg
        return msg["payload"]["data"]["taskEvents"]

    def error(self) -> dict:
        msg = self.ws.receive_json()
        assert msg["type"] == "error" or msg["payload"].get("errors"), msg
        return (msg["payload"] if msg["type"] == "error" else msg["payload"]["errors"])[0]

    def __exit__(self, *exc):
        self.ws.send_json({"id": "1", "type": "complete"})
        return self.cm.__exit__(*exc)


def _cancel(tc, token, title):
    q = '{ tasks(first: 100) { nodes { id title } } }'
    r = tc.post("/graphql", json={"query": q}, headers={"Authorization": f"Bearer {token}"}).json()
    tid = next(n["id"] for n in r["data"]["tasks"]["nodes"] if n["title"] == title)
    r = tc.post("/graphql", json={"query": 'mutation($id: ID!) { cancelTask(id: $id, reason: "重复") { id } }',
                                  "variables": {"id": tid}}, headers={"Authorization": f"Bearer {token}"})
    assert not r.json().get("errors"), r.json()


def _services(settings):
    from server.web.wiring import build_services

    return build_services(settings.with_(events="memory"))


def test_events_missed_while_disconnected_come_once_in_order_then_live(settings, users):
    app = create_app(settings, services=_services(settings))
    with TestClient(app) as tc:
        officer, sup = _sync_login(tc, "officer"), _sync_login(tc, "supervisor")
        with Ws(tc, officer) as ws:
            _create(tc, sup, title="甲")
            first = ws.next()
        assert (first["type"], first["task"]["title"]) == ("CREATED", "甲")
        # Disconnected: two events in the officer's district (渝中), one in another (万州).
        _create(tc, sup, title="乙")
        _create(tc, sup, districtCode="500101", title="万州的", location={"lat": 30.8, "lon": 108.4})
        _cancel(tc, sup, "乙")
        with Ws(tc, officer, after=first["cursor"]) as ws:
            missed = [ws.next(), ws.next()]
            _create(tc, sup, title="丙")
            live = ws.next()
        assert [(e["type"], e["task"]["title"]) for e in missed] == [("CREATED", "乙"), ("CANCELLED", "乙")]
        assert all(e["task"]["district"]["code"] == "500103" for e in missed)  # 万州's event is not replayed
        assert (live["type"], live["task"]["title"]) == ("CREATED", "丙")  # nothing twice, nothing after
        ids = [int(e["id"]) for e in (first, *missed, live)]
        assert ids == sorted(ids) and len(set(ids)) == 4
        # A city-wide subscriber resuming from the same point gets 万州's too, in log order.
        with Ws(tc, sup, after=first["cursor"]) as ws:
            got = [ws.next() for _ in range(4)]
        assert [(e["type"], e["task"]["title"]) for e in got] == [
            ("CREATED", "乙"), ("CREATED", "万州的"), ("CANCELLED", "乙"), ("CREATED", "丙")]


def test_an_event_committed_while_the_log_is_read_comes_once(settings, users, monkeypatch):
    """The seam: an event that is both in the replayed log and in the live queue is delivered once."""
    services = _services(settings)
    app = create_app(settings, services=services)
    real = tasks.events_after
    injected, armed = [], []

    async def read_log_while_another_commits(**kw):
        if armed and not injected:  # committed and broadcast after the subscriber queued, before its read of the log
            async with services.db.transaction() as s:
                t = (await real(session=s, actor=kw["actor"], after_seq=0, district_code=None, limit=1))[0][1]
                ev = TaskEvent(task_id=t.id, type="AMENDED", district_code=t.district_code, detail={})
                s.add(ev)
            injected.append(ev.id)
            await services.events.publish(ev)
        return await real(**kw)

    monkeypatch.setattr(tasks, "events_after", read_log_while_another_commits)
    with TestClient(app) as tc:
        sup = _sync_login(tc, "supervisor")
        with Ws(tc, sup) as ws:
            _create(tc, sup, title="甲")
            first = ws.next()
        armed.append(True)  # the resuming subscriber's first read
        with Ws(tc, sup, after=first["cursor"]) as ws:
            seam = ws.next()
            _create(tc, sup, title="乙")
            nxt = ws.next()
        assert (seam["type"], int(seam["id"])) == ("AMENDED", injected[0])
        assert (nxt["type"], nxt["task"]["title"]) == ("CREATED", "乙")  # not the AMENDED again


def test_a_bad_cursor_is_bad_user_input(settings, users):
    app = create_app(settings, services=_services(settings))
    with TestClient(app) as tc:
        sup = _sync_login(tc, "supervisor")
        with Ws(tc, sup, after="not-a-cursor") as ws:
            err = ws.error()
        assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


class _Writer:
    """A second writer beside the app: its own event loop, connection pool and broker, so a transaction
    can be held open while the app serves a subscriber."""

    def __init__(self, url: str):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.url = url
        self.db, self.broker = self.run(self._open())

    async def _open(self):
        broker = PostgresBroker(self.url)
        await broker.start()
        return Database(self.url), broker

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro):
        return self.submit(coro).result(60)

    async def amend(self, settings, title: str, inserted: threading.Event | None = None,
                    release: asyncio.Event | None = None) -> int:
        """Record an AMENDED event of the task titled `title`; with `release`, hold the transaction open
        (the event row inserted, its id taken) until released; announce it after the commit."""
        async with self.db.transaction() as s:
            t = (await s.execute(select(Task).where(col(Task.title) == title))).scalar_one()
            ev = await events.record(s, t, "AMENDED", None, settings)
            if inserted is not None:
                inserted.set()
            if release is not None:
                await release.wait()
        await self.broker.publish(ev)
        return ev.id

    def close(self):
        async def _close():
            await self.broker.stop()
            await self.db.dispose()
        self.run(_close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP))],
                         indirect=True)
def test_an_event_committed_after_a_later_one_is_not_lost_on_resume(settings, users):
    """Two writers on PostgreSQL: event A's id is taken first but its transaction commits after event B's.
    A subscriber that received B and resumes after B's cursor must still get A. (With the event id as the
    cursor, the resume asked for ids above B's and A, below it, was never delivered.)"""
    app = create_app(settings, services=_services(settings.with_(events="postgres")))
    side = _Writer(settings.database_url)
    try:
        with TestClient(app) as tc:
            officer, sup = _sync_login(tc, "officer"), _sync_login(tc, "supervisor")
            with Ws(tc, officer) as ws:
                _create(tc, sup, title="甲")
                start = ws.next()
            inserted, release = threading.Event(), asyncio.Event()
            first = side.submit(side.amend(settings, "甲", inserted, release))  # A: id taken, not committed
            assert inserted.wait(30)
            b_id = side.run(side.amend(settings, "甲"))  # B: a later id, committed first
            with Ws(tc, officer, after=start["cursor"]) as ws:
                b = ws.next()
            assert (b["type"], int(b["id"])) == ("AMENDED", b_id)
            side.loop.call_soon_threadsafe(release.set)
            a_id = first.result(30)  # A commits now
            assert a_id < b_id  # the order of ids is not the order of commits
            with Ws(tc, officer, after=b["cursor"]) as ws:
                _create(tc, sup, title="乙")  # so a lost A shows as 乙 arriving first, not as a hang
                a = ws.next()
                assert (a["type"], int(a["id"]), a["task"]["title"]) == ("AMENDED", a_id, "甲")
                then = ws.next()
            assert (then["type"], then["task"]["title"]) == ("CREATED", "乙")
    finally:
        side.close()


def test_a_full_announcement_queue_loses_no_event(settings, users, monkeypatch):
    """A subscriber whose queue of announcements is full (here after one) still gets every event, once and
    in order: it reads the events from the log, so a dropped announcement only means "look"."""
    services = _services(settings)
    services.events.queue_limit = 1
    app = create_app(settings, services=services)
    real = tasks.events_after
    burst: list[int] = []

    async def three_commits_after_the_read(**kw):
        rows = await real(**kw)
        if not burst:  # announced while the subscriber is busy delivering: the queue takes the first only
            for district in ("500101", "500103", "500103"):
                async with services.db.transaction() as s:
                    t = (await s.execute(select(Task).where(col(Task.district_code) == district))).scalars().first()
                    ev = await events.record(s, t, "AMENDED", None, settings)
                burst.append(ev.id)
                await services.events.publish(ev)
        return rows

    with TestClient(app) as tc:
        officer, sup = _sync_login(tc, "officer"), _sync_login(tc, "supervisor")
        _create(tc, sup, districtCode="500101", title="万州的", location={"lat": 30.8, "lon": 108.4})
        with Ws(tc, officer) as ws:
            _create(tc, sup, title="甲")
            start = ws.next()
        monkeypatch.setattr(tasks, "events_after", three_commits_after_the_read)
        with Ws(tc, officer, after=start["cursor"]) as ws:
            first, second = ws.next(), ws.next()  # the officer's two; 万州's (the one queued) is not theirs
            _create(tc, sup, title="乙")
            last = ws.next()
    assert [int(e["id"]) for e in (first, second)] == burst[1:]
    assert (last["type"], last["task"]["title"]) == ("CREATED", "乙")  # nothing twice


async def test_a_subscription_queue_keeps_its_limit_and_says_what_it_dropped():
    from server.events.broker import Subscription

    q = Subscription(2)
    for i in range(5):
        q.push({"id": i})
    assert await q.wait(1) == ([{"id": 0}, {"id": 1}], True)
    q.push({"id": 5})
    assert await q.wait(1) == ([{"id": 5}], False)
    assert await q.wait(0.01) == ([], False)
