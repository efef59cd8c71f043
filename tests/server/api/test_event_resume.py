"""taskEvents(after:): what was missed while disconnected is replayed from the durable log, in order and
within the subscriber's scope, then live events follow with none lost or repeated at the seam."""
from __future__ import annotations

from starlette.testclient import TestClient

from server.app import create_app
from server.domain.tasks import service as tasks
from server.domain.tasks.models import TaskEvent
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
    injected = []

    async def read_log_while_another_commits(**kw):
        if not injected:  # committed and broadcast after the subscriber queued, before its read of the log
            async with services.db.transaction() as s:
                t = (await real(session=s, actor=kw["actor"], after_id=0, district_code=None, limit=1))[0][1]
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
