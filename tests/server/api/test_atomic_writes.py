"""Every mutation is all-or-nothing, on SQLite as on PostgreSQL.

Fault injection: each mutation is first made to fail at its very last step (everything flushed to the
database, then the commit refused) and must leave every table exactly as it was; the same request is
then sent again without the fault and must succeed whole. The old SQLite setup failed this: pysqlite
let the SAVEPOINT of begin_nested() open the transaction, so its RELEASE committed the first insert.

The issue's three reproductions follow: a write refused after its first insert leaves nothing behind,
and a replay of it is refused again rather than answered with the half-made record.
"""
from __future__ import annotations

import base64
import hashlib
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from graphql import build_schema
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.server.api.test_loop_api import RECORD, REGISTER, REVIEW, SITE, SUBMIT, photo
from tests.server.api.test_media_api import COMPLETE, REQUEST, send, upload_input
from tests.server.api.test_patrols_api import RECORD as PATROL, patrol
from tests.factories.images import make_jpeg
from tests.server.stations.matrix import slot

CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id status } }"




class InjectedFault(Exception):
    pass


@contextmanager
def failing_commits():
    """Every commit fails after its last flush: the mutation has done all its work, then loses."""
    def boom(session):
        if session.in_nested_transaction():  # a savepoint's release: not the last step
            return
        session.flush()
        raise InjectedFault("injected: the commit fails after the last write")

    event.listen(Session, "before_commit", boom)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", boom)


async def snapshot(db) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every table."""
    from server.models import metadata

    out = {}
    async with db.engine.connect() as c:
        for t in metadata.sorted_tables:
            rows = (await c.execute(select(t).order_by(*(t.primary_key.columns or t.columns)))).all()
            out[t.name] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return out


def changed(a: dict, b: dict) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


class Steps:
    """Runs each mutation twice: failing at its last step (nothing may change), then for real."""

    def __init__(self, db):
        self.db = db
        self.done: set[str] = set()

    async def __call__(self, g, query: str, variables: dict, root: str, *, writes: bool = True):
        before = await snapshot(self.db)
        with failing_commits():
            body = await g.raw(query, variables)
        assert body.get("errors"), f"{root}: the injected fault did not reach the commit: {body}"
        assert changed(before, await snapshot(self.db)) == [], f"{root} left rows behind after failing"
        data = await g(query, variables)  # the phone's retry, now without the fault
        if writes:
            assert changed(before, await snapshot(self.db)), f"{root} wrote nothing: the step proves nothing"
        self.done.add(root)
        return data[root]


async def test_every_mutation_fails_whole_at_its_last_step(gql, client, db, users):
    step = Steps(db)
    sup, insp, officer, admin = [await gql.as_(u) for u in ("supervisor", "inspector", "officer", "admin")]

    reg = {"clientId": str(uuid.uuid4()), "name": "故障排口", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1], "accuracyM": 5},
           "waterClass": "III"}
    oid = (await step(sup, REGISTER, {"i": reg}, "registerOutfall"))["id"]
    await step(sup, "mutation($id: ID!, $i: UpdateOutfallInput!) { updateOutfall(id: $id, input: $i) { id } }",
               {"id": oid, "i": {"responsibleUnit": "渝中区水务局"}}, "updateOutfall")

    data = make_jpeg(640, 480, seed=70, taken_at=datetime.now(timezone.utc) - timedelta(minutes=2), gps=SITE)
    ticket = await step(insp, REQUEST, {"i": upload_input(data)}, "requestUpload")
    assert (await send(client, ticket, data)).status_code == 201
    pic = (await step(insp, COMPLETE, {"id": ticket["media"]["id"]}, "completeUpload"))["id"]

    rec = {"clientId": str(uuid.uuid4()), "outfallId": oid, "flowing": True, "mediaIds": [pic],
           "observedAt": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
           "measurements": [{"parameter": "COD", "value": 90, "sampleType": "EFFLUENT"}, {"parameter": "PH", "value": 7.1}]}
    ins = await step(insp, RECORD, {"i": rec}, "recordInspection")
    assert len(ins["measurements"]) == 2 and len(ins["media"]) == 1

    await step(insp, PATROL, {"i": patrol()}, "recordPatrol")

    task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "故障任务",
            "districtCode": "500103", "outfallId": oid,
            "deadline": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()}
    raised = (await step(sup, CREATE_TASK, {"i": task}, "createTask"))["id"]
    other = (await sup(CREATE_TASK, {"i": {**task, "clientId": str(uuid.uuid4())}}))["createTask"]["id"]
    await step(sup, "mutation($id: ID!) { cancelTask(id: $id, reason: \"重复\") { id } }", {"id": other},
               "cancelTask")

    await step(officer, "mutation($id: ID!) { startTask(id: $id) { id } }", {"id": raised}, "startTask")
    before, after = await photo(officer, client, seed=71), await photo(officer, client, seed=72)
    sub = await step(officer, SUBMIT, {"i": {"clientId": str(uuid.uuid4()), "taskId": raised,
                                             "beforeMediaIds": [before], "afterMediaIds": [after]}},
                     "submitRectification")
    assert sub["task"]["status"] == "SUBMITTED" and sub["before"] and sub["after"]
    await step(sup, REVIEW, {"i": {"submissionId": sub["id"], "decision": "REJECT", "reason": "不清楚"}},
               "reviewSubmission")

    tok = await step(admin, """mutation { createApiToken(name: "监测站", username: "integrator",
                     scopes: [READ]) { token apiToken { id } } }""", {}, "createApiToken")
    await step(admin, "mutation($id: ID!) { revokeApiToken(id: $id) { id } }", {"id": tok["apiToken"]["id"]},
               "revokeApiToken")

    st = await step(admin, "mutation($i: StationInput!) { registerStation(input: $i) { id code } }", {"i": {
        "code": "R-FAULT", "name": "故障断面", "riverCode": "YANGTZE", "districtCode": "500103", "lat": SITE[0],
        "lon": SITE[1], "level": "DISTRICT", "targetClass": "III"}}, "registerStation")
    await step(admin, "mutation($id: ID!) { updateStation(id: $id, input: {name: \"改名断面\"}) { id } }",
               {"id": st["id"]}, "updateStation")
    await step(admin, "mutation($s: [ReadingSeriesInput!]!) { ingestStationReadings(series: $s) { inserted } }",
               {"s": [{"stationCode": st["code"], "parameter": "NH3_N", "observedAt": [slot()], "values": [0.3]}]},
               "ingestStationReadings")

    await step(sup, "mutation($id: ID!) { setDischargeStandard(id: $id, input: {standard: GB8978, grade: "
               "\"grade1\"}) { id dischargeStandard } }", {"id": oid}, "setDischargeStandard")
    down = await step(admin, "mutation($i: StationInput!) { registerStation(input: $i) { id } }", {"i": {
        "code": "R-FAULT-2", "name": "下游断面", "riverCode": "YANGTZE", "districtCode": "500103", "lat": SITE[0],
        "lon": SITE[1] + 0.05, "level": "MUNICIPAL", "targetClass": "III"}}, "registerStation")
    traced = await step(sup, "mutation($c: ID!, $s: ID!, $o: [ID!]!) { raiseSuspectTasks(clientId: $c, stationId: $s, "
                        "parameter: NH3_N, outfallIds: $o, maxKm: 200) { id kind outfall { id } } }",
                        {"c": str(uuid.uuid4()), "s": down["id"], "o": [oid]}, "raiseSuspectTasks")
    assert [(t["kind"], t["outfall"]["id"]) for t in traced] == [("EXCEEDANCE", oid)]

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()
    dev = await step(insp, "mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { id } }",
                     {"i": {"publicKey": key, "label": "故障手机"}}, "registerDevice")
    await step(admin, "mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }", {"id": dev["id"]},
               "revokeDevice")

    from tests.server.lifecycle.atomic import lifecycle_steps

    await lifecycle_steps(step, gql, client, sup, insp, officer, admin)

    from server.demo.seed import demo_password

    await step(officer, "mutation($o: String!) { changePassword(oldPassword: $o, newPassword: \"河长制-2026-新\") "
               "{ token } }", {"o": demo_password("officer")}, "changePassword")
    await step(sup, "mutation { logout }", {}, "logout")

    # login writes nothing of its own (it signs a token); everything else must have been covered here,
    # so a new mutation fails this test until it is added above.
    sdl = (Path(__file__).parents[3] / "schema.graphql").read_text(encoding="utf-8")  # drift-checked
    assert set(build_schema(sdl).mutation_type.fields) - {"login"} - step.done == set()


@pytest.fixture
async def outfall(gql, users):
    sup = await gql.as_("supervisor")
    reg = {"clientId": str(uuid.uuid4()), "name": "复现排口", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    return (await sup(REGISTER, {"i": reg}))["registerOutfall"]["id"]


async def counts(db) -> dict[str, int]:
    return {k: n for k, (n, _) in (await snapshot(db)).items()}


async def test_create_task_with_another_users_photo_leaves_no_task(gql, client, db, users, outfall):
    sup = await gql.as_("supervisor")
    theirs = await photo(await gql.as_("inspector"), client, seed=80)  # READY, but not the supervisor's
    task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "借用照片",
            "districtCode": "500103", "outfallId": outfall, "mediaIds": [theirs],
            "deadline": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()}
    before = await snapshot(db)
    for _ in range(2):  # the replay must be refused too, not answered with a half-made task
        err = await sup.error(CREATE_TASK, {"i": task})
        assert err["extensions"]["code"] == "BAD_USER_INPUT", err
        assert changed(before, await snapshot(db)) == []
    assert (await sup("{ tasks { totalCount } }"))["tasks"]["totalCount"] == 0


async def test_record_inspection_refused_late_leaves_no_inspection(gql, client, db, users, outfall):
    insp = await gql.as_("inspector")
    theirs = await photo(await gql.as_("officer"), client, seed=81)
    rec = {"clientId": str(uuid.uuid4()), "outfallId": outfall, "mediaIds": [theirs],
           "observedAt": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
           "measurements": [{"parameter": "COD", "value": 95, "sampleType": "EFFLUENT"}]}
    before = await snapshot(db)
    for _ in range(2):
        err = await insp.error(RECORD, {"i": rec})
        assert err["extensions"]["code"] == "BAD_USER_INPUT", err
        assert changed(before, await snapshot(db)) == []
    # Sent again with its own photo, it is stored whole: measurements, photo and the raised task.
    rec = {**rec, "mediaIds": [await photo(insp, client, seed=82)]}
    ins = (await insp(RECORD, {"i": rec}))["recordInspection"]
    assert [m["parameter"] for m in ins["measurements"]] == ["COD"] and len(ins["media"]) == 1


async def test_submit_rectification_refused_late_leaves_task_open(gql, client, db, users, outfall):
    sup, officer = await gql.as_("supervisor"), await gql.as_("officer")
    task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "整改",
            "districtCode": "500103", "outfallId": outfall,
            "deadline": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()}
    tid = (await sup(CREATE_TASK, {"i": task}))["createTask"]["id"]
    mine = await photo(officer, client, seed=83)
    theirs = await photo(await gql.as_("inspector"), client, seed=84)
    sub = {"clientId": str(uuid.uuid4()), "taskId": tid, "beforeMediaIds": [mine], "afterMediaIds": [theirs]}
    before = await snapshot(db)
    for _ in range(2):
        err = await officer.error(SUBMIT, {"i": sub})
        assert err["extensions"]["code"] == "BAD_USER_INPUT", err
        assert changed(before, await snapshot(db)) == []
    t = (await officer("query($id: ID!) { task(id: $id) { status submissions { id } } }", {"id": tid}))["task"]
    assert t == {"status": "OPEN", "submissions": []}
