"""updatedAt on every record, moved by every write, and updatedSince on the lists for incremental sync;
migration 0015 backfills existing rows from what they last changed at, not the migration's clock."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from server.db import Database
from server.migrate import downgrade, upgrade
from tests.server.api.test_loop_api import SUBMIT, photo, outfall_id  # noqa: F401  (fixture)
from tests.server.api.test_patrols_api import RECORD as RECORD_PATROL, patrol

RECORD = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id updatedAt } }"""
INSPECTIONS = """query($f: InspectionFilter) { inspections(filter: $f, first: 50) { totalCount nodes { id } } }"""
BY_OUTFALL = """query($o: ID!, $t: DateTime) { outfall(id: $o) { inspections(updatedSince: $t) { nodes { id } } } }"""


def at(s: str) -> datetime:
    return datetime.fromisoformat(s)


async def _inspection(g, oid) -> dict:
    return (await g(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": oid, "flowing": False,
                                   "observedAt": datetime.now(timezone.utc).isoformat()}}))["recordInspection"]


async def test_inspections_list_and_sync(gql, users, outfall_id):  # noqa: F811
    inspector, sup = await gql.as_("inspector"), await gql.as_("supervisor")
    old = await _inspection(inspector, outfall_id)
    new = await _inspection(inspector, outfall_id)
    mark = new["updatedAt"]
    got = (await sup(INSPECTIONS, {"f": {"updatedSince": mark}}))["inspections"]
    assert [n["id"] for n in got["nodes"]] == [new["id"]] and got["totalCount"] == 1
    assert len((await sup(INSPECTIONS, {"f": {"outfallId": outfall_id}}))["inspections"]["nodes"]) == 2
    nodes = (await sup(BY_OUTFALL, {"o": outfall_id, "t": mark}))["outfall"]["inspections"]["nodes"]
    assert [n["id"] for n in nodes] == [new["id"]]
    assert {n["id"] for n in (await sup(BY_OUTFALL, {"o": outfall_id, "t": None}))["outfall"]["inspections"][
        "nodes"]} == {old["id"], new["id"]}
    # Scope: another district's officer sees none of them; an unknown district is bad input.
    other = await gql.as_("officer2")
    assert (await other(INSPECTIONS, {"f": {}}))["inspections"]["nodes"] == []
    err = await sup.error(INSPECTIONS, {"f": {"districtCode": "999999"}})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.districtCode"}


async def test_media_and_submissions_move_with_each_write(gql, client, users, outfall_id):  # noqa: F811
    sup, officer = await gql.as_("supervisor"), await gql.as_("officer")
    t = (await sup("""mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }""", {"i": {
        "clientId": str(uuid.uuid4()), "kind": "FLOATING_DEBRIS", "source": "MANUAL", "title": "漂浮物",
        "outfallId": outfall_id}}))["createTask"]
    before, after = await photo(officer, client, seed=81), await photo(officer, client, seed=82)
    q = 'query($id: ID!) { media(id: $id) { updatedAt status } }'
    ready = (await officer(q, {"id": before}))["media"]
    sub = (await officer(SUBMIT, {"i": {"clientId": str(uuid.uuid4()), "taskId": t["id"], "beforeMediaIds": [before],
                                        "afterMediaIds": [after]}}))["submitRectification"]
    attached = (await officer(q, {"id": before}))["media"]
    assert at(attached["updatedAt"]) > at(ready["updatedAt"])  # now evidence for the submission, judged again
    sq = 'query($id: ID!) { task(id: $id) { updatedAt latestSubmission { id updatedAt status } } }'
    s1 = (await sup(sq, {"id": t["id"]}))["task"]
    await sup("""mutation($i: ReviewSubmissionInput!) { reviewSubmission(input: $i) { id } }""",
              {"i": {"submissionId": sub["id"], "decision": "APPROVE"}})
    s2 = (await sup(sq, {"id": t["id"]}))["task"]
    assert s2["latestSubmission"]["status"] == "APPROVED"
    assert at(s2["latestSubmission"]["updatedAt"]) > at(s1["latestSubmission"]["updatedAt"])
    assert at(s2["updatedAt"]) > at(s1["updatedAt"])


async def test_patrols_stations_users_and_tokens(gql, users):
    inspector, sup, admin = await gql.as_("inspector"), await gql.as_("supervisor"), await gql.as_("admin")
    p1 = (await inspector(RECORD_PATROL.replace("id clientId", "id updatedAt clientId"), {"i": patrol()}))[
        "recordPatrol"]
    p2 = (await inspector(RECORD_PATROL.replace("id clientId", "id updatedAt clientId"), {"i": patrol()}))[
        "recordPatrol"]
    q = 'query($t: DateTime) { patrols(updatedSince: $t) { nodes { id } } }'
    assert [n["id"] for n in (await sup(q, {"t": p2["updatedAt"]}))["patrols"]["nodes"]] == [p2["id"]]
    assert {n["id"] for n in (await sup(q, {"t": None}))["patrols"]["nodes"]} == {p1["id"], p2["id"]}

    made = (await sup("""mutation($i: StationInput!) { registerStation(input: $i) { id updatedAt } }""", {"i": {
        "code": "S-SYNC-1", "name": "同步断面", "riverCode": "YANGTZE", "districtCode": "500103", "lat": 29.5647,
        "lon": 106.587, "level": "DISTRICT", "targetClass": "III"}}))["registerStation"]
    sq = 'query($t: DateTime) { stations(filter: {updatedSince: $t}) { id name updatedAt } }'
    later = (at(made["updatedAt"]) + timedelta(microseconds=1)).isoformat()
    assert (await sup(sq, {"t": later}))["stations"] == []
    await sup('mutation($id: ID!) { updateStation(id: $id, input: {name: "改名断面"}) { id } }', {"id": made["id"]})
    changed = (await sup(sq, {"t": later}))["stations"]
    assert [(s["id"], s["name"]) for s in changed] == [(made["id"], "改名断面")]

    me = 'query { me { id updatedAt } }'
    u1 = (await sup(me))["me"]
    await sup("mutation { logout }")  # every token of the user ends: a change to the user
    u2 = (await (await gql.as_("supervisor"))(me))["me"]
    assert at(u2["updatedAt"]) > at(u1["updatedAt"])

    tok = (await admin("""mutation { createApiToken(name: "平台", username: "integrator", scopes: [READ]) {
      apiToken { id updatedAt } } }"""))["createApiToken"]["apiToken"]
    revoked = (await admin('mutation($id: ID!) { revokeApiToken(id: $id) { updatedAt revokedAt } }',
                           {"id": tok["id"]}))["revokeApiToken"]
    assert at(revoked["updatedAt"]) > at(tok["updatedAt"]) and revoked["revokedAt"]


async def test_the_migration_backfills_from_the_rows_own_history(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    try:
        await upgrade(db)
        await downgrade(db, "0014_limits_version")
        made, revoked = "2024-03-01 08:00:00+00:00", "2025-06-01 09:30:00+00:00"
        async with db.engine.begin() as c:
            await c.execute(text("INSERT INTO users (id, username, display_name, role, password_hash, token_version, "
                                 "active, created_at) VALUES (1, 'u', 'U', 'INTEGRATOR', 'x', 0, 1, :m)"), {"m": made})
            await c.execute(text("INSERT INTO api_tokens (id, name, prefix, token_hash, scopes, user_id, created_at, "
                                 "revoked_at) VALUES (1, 'a', 'p1', 'h', 'read', 1, :m, :r), "
                                 "(2, 'b', 'p2', 'h', 'read', 1, :m, NULL)"), {"m": made, "r": revoked})
        await upgrade(db)
        async with db.engine.connect() as c:
            users = (await c.execute(text("SELECT updated_at FROM users"))).scalars().all()
            tokens = (await c.execute(text("SELECT updated_at FROM api_tokens ORDER BY id"))).scalars().all()
        assert [str(v)[:19] for v in users] == ["2024-03-01 08:00:00"]
        assert [str(v)[:19] for v in tokens] == ["2025-06-01 09:30:00", "2024-03-01 08:00:00"]
    finally:
        await db.dispose()
