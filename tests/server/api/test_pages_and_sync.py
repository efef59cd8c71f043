"""Keyset pages under concurrent writes, forward and backward; nodes beside edges; updatedSince;
createTask's derived district and default deadline."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.server.api.test_loop_api import SITE, outfall_id  # noqa: F401  (fixture)

CREATE = """mutation($i: CreateTaskInput!) { createTask(input: $i) { id code deadline updatedAt outfall { id }
  district { code } } }"""
PAGE = """query($n: Int, $a: String, $l: Int, $b: String, $f: TaskFilter) {
  tasks(first: $n, after: $a, last: $l, before: $b, filter: $f) {
    nodes { id } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


async def _task(sup, oid, days: int, title: str = "漂浮物") -> str:
    deadline = (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()
    i = {"clientId": str(uuid.uuid4()), "kind": "FLOATING_DEBRIS", "source": "MANUAL", "title": title,
         "outfallId": oid, "deadline": deadline}
    return (await sup(CREATE, {"i": i}))["createTask"]["id"]


async def _cancel(sup, tid):
    await sup('mutation($id: ID!) { cancelTask(id: $id, reason: "重复") { id } }', {"id": tid})


async def test_a_page_walk_under_concurrent_inserts_neither_skips_nor_repeats(gql, users, outfall_id):  # noqa: F811
    sup = await gql.as_("supervisor")
    ids = [await _task(sup, outfall_id, d) for d in (2, 4, 6, 8, 10, 12)]
    seen, after, inserted = [], None, None
    while True:
        d = (await sup(PAGE, {"n": 2, "a": after, "f": {"status": ["OPEN"]}}))["tasks"]
        assert [n["id"] for n in d["nodes"]] == [e["node"]["id"] for e in d["edges"]]
        seen += [n["id"] for n in d["nodes"]]
        if inserted is None:  # while the walk is under way: one task before the cursor, one after, one gone
            inserted = (await _task(sup, outfall_id, 1), await _task(sup, outfall_id, 11))
            await _cancel(sup, ids[4])
        if not d["pageInfo"]["hasNextPage"]:
            break
        after = d["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)), "a row came twice"
    # Past the cursor the list is read as it is now (the new task in, the cancelled one out); the task
    # inserted before the cursor shifts nothing (an offset cursor repeated ids[1] here).
    assert seen == ids[:4] + [inserted[1], ids[5]]


async def test_backward_pages_mirror_forward_ones(gql, users, outfall_id):  # noqa: F811
    sup = await gql.as_("supervisor")
    ids = [await _task(sup, outfall_id, d) for d in (3, 5, 7, 9, 11)]
    fwd = (await sup(PAGE, {"n": 5}))["tasks"]
    assert [n["id"] for n in fwd["nodes"]] == ids and not fwd["pageInfo"]["hasPreviousPage"]
    last2 = (await sup(PAGE, {"l": 2}))["tasks"]
    assert [n["id"] for n in last2["nodes"]] == ids[3:] and last2["pageInfo"]["hasPreviousPage"]
    prev = (await sup(PAGE, {"l": 2, "b": last2["pageInfo"]["startCursor"]}))["tasks"]
    assert [n["id"] for n in prev["nodes"]] == ids[1:3] and prev["pageInfo"]["hasPreviousPage"]
    first = (await sup(PAGE, {"l": 2, "b": prev["pageInfo"]["startCursor"]}))["tasks"]
    assert [n["id"] for n in first["nodes"]] == ids[:1] and not first["pageInfo"]["hasPreviousPage"]
    err = await sup.error(PAGE, {"n": 2, "l": 2})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "last"}
    err = await sup.error(PAGE, {"l": 2, "b": "garbage!"})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "before"}


async def test_updated_since_returns_what_changed(gql, users, outfall_id):  # noqa: F811
    sup = await gql.as_("supervisor")
    a = await _task(sup, outfall_id, 3)
    b = await _task(sup, outfall_id, 4)
    mark = (await sup('query($id: ID!) { task(id: $id) { updatedAt } }', {"id": b}))["task"]["updatedAt"]
    await _cancel(sup, a)
    changed = (await sup(PAGE, {"n": 50, "f": {"updatedSince": mark}}))["tasks"]["nodes"]
    assert a in [n["id"] for n in changed]
    q = 'query($t: DateTime) { outfalls(filter: {updatedSince: $t}) { nodes { id updatedAt } } }'
    later = (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat()
    assert (await sup(q, {"t": later}))["outfalls"]["nodes"] == []
    assert len((await sup(q, {"t": "2000-01-01T00:00:00+00:00"}))["outfalls"]["nodes"]) == 1


async def test_create_task_derives_the_district_and_a_default_deadline(gql, users, outfall_id):  # noqa: F811
    integ = await gql.as_("supervisor")
    base = {"kind": "ILLEGAL_DISCHARGE", "source": "VIDEO_AI", "title": "疑似偷排"}
    t = (await integ(CREATE, {"i": {**base, "clientId": str(uuid.uuid4()), "outfallId": outfall_id}}))["createTask"]
    assert t["district"]["code"] == "500103" and t["outfall"]["id"] == outfall_id
    days = (datetime.fromisoformat(t["deadline"]) - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 2.9 < days <= 3.0  # ILLEGAL_DISCHARGE's default
    near = {"lat": SITE[0] + 0.001, "lon": SITE[1], "accuracyM": 5}
    t = (await integ(CREATE, {"i": {**base, "clientId": str(uuid.uuid4()), "location": near}}))["createTask"]
    assert t["district"]["code"] == "500103"
    nowhere = {**base, "clientId": str(uuid.uuid4()), "location": {"lat": 31.9, "lon": 109.9}}
    err = await integ.error(CREATE, {"i": nowhere})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "districtCode"}
    other = {**base, "clientId": str(uuid.uuid4()), "outfallId": outfall_id, "districtCode": "500101"}
    assert (await integ.error(CREATE, {"i": other}))["extensions"]["field"] == "outfallId"


def test_the_deadline_per_kind_is_configurable(monkeypatch):
    from server.domain.tasks.service import default_deadline_days
    from server.settings import Settings

    monkeypatch.setenv("OUTFALLWATCH_TASK_DEADLINE_DAYS", "ILLEGAL_DISCHARGE=1, SIGNBOARD=30")
    s = Settings.from_env()
    assert (default_deadline_days(s, "ILLEGAL_DISCHARGE"), default_deadline_days(s, "SIGNBOARD"),
            default_deadline_days(s, "FLOATING_DEBRIS")) == (1, 30, 2)
    monkeypatch.setenv("OUTFALLWATCH_TASK_DEADLINE_DAYS", "SIGNBOARD=soon")
    with pytest.raises(ValueError, match="KIND=days"):
        Settings.from_env()
