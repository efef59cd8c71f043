"""A replay of an idempotent create answers only someone who may see the first result (issue 12 item 4).

One create at a time: its author makes it, then someone who may not see it sends the same clientId, first
with the same payload (must not get the record) and then with another payload (must not learn whether it
matched: FORBIDDEN, not CONFLICT). The author's own retry still answers the first record. The old code
returned another district's task and submission to whoever replayed their clientId.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.factories.images import make_jpeg
from tests.server.api.test_loop_api import RECORD, REGISTER, SITE, SUBMIT, photo
from tests.server.api.test_media_api import REQUEST, upload_input
from tests.server.api.test_patrols_api import RECORD as PATROL, patrol

CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id title } }"


async def refused(g, query: str, variables: dict, what: str) -> None:
    err = await g.error(query, variables)
    assert (err["extensions"]["code"], err["extensions"].get("field")) == ("FORBIDDEN", "clientId"), err
    assert f"{what} you may not see" in err["message"], err


async def replays(author, stranger, query: str, variables: dict, root: str, what: str, changed: dict) -> None:
    first = (await author(query, variables))[root]
    await refused(stranger, query, variables, what)
    key = next(iter(variables))
    await refused(stranger, query, {key: {**variables[key], **changed}}, what)  # not CONFLICT: no hint
    assert (await author(query, variables))[root] == first  # the author's retry is unchanged


@pytest.fixture
async def outfall(gql, users) -> str:
    reg = {"clientId": str(uuid.uuid4()), "name": "重放排口", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    return (await (await gql.as_("supervisor"))(REGISTER, {"i": reg}))["registerOutfall"]["id"]


def task_input(outfall: str) -> dict:
    return {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "重放任务",
            "districtCode": "500103", "outfallId": outfall,
            "deadline": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()}


async def test_create_task(gql, users, outfall):
    # An inspector of another district may not read 渝中区's tasks, so may not have one by its clientId.
    await replays(await gql.as_("inspector"), await gql.as_("inspector2"), CREATE_TASK, {"i": task_input(outfall)},
                  "createTask", "task", {"title": "别的任务"})


async def test_a_replay_by_someone_who_may_see_it_answers(gql, users, outfall):
    i = task_input(outfall)
    made = (await (await gql.as_("inspector"))(CREATE_TASK, {"i": i}))["createTask"]
    assert (await (await gql.as_("supervisor"))(CREATE_TASK, {"i": i}))["createTask"] == made


async def test_submit_rectification(gql, client, users, outfall):
    tid = (await (await gql.as_("supervisor"))(CREATE_TASK, {"i": task_input(outfall)}))["createTask"]["id"]
    officer, other = await gql.as_("officer"), await gql.as_("officer2")
    before, after = await photo(officer, client, seed=91), await photo(officer, client, seed=92)
    sub = {"clientId": str(uuid.uuid4()), "taskId": tid, "beforeMediaIds": [before], "afterMediaIds": [after]}
    await replays(officer, other, SUBMIT, {"i": sub}, "submitRectification", "submission", {"note": "别的"})


async def test_record_inspection(gql, client, users, outfall):
    insp = await gql.as_("inspector")
    rec = {"clientId": str(uuid.uuid4()), "outfallId": outfall, "mediaIds": [await photo(insp, client, seed=93)],
           "observedAt": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
           "measurements": [{"parameter": "PH", "value": 7.2}]}
    # Even a supervisor, who may read it, does not replay an inspector's own record.
    await replays(insp, await gql.as_("supervisor"), RECORD, {"i": rec}, "recordInspection", "inspection",
                  {"note": "别的"})


async def test_request_upload(gql, users):
    data = make_jpeg(320, 240, seed=94)
    # The replay answers a ticket to write into: the uploader's alone (was CONFLICT before).
    await replays(await gql.as_("inspector"), await gql.as_("officer"), REQUEST,
                  {"i": {**upload_input(data), "clientId": str(uuid.uuid4())}}, "requestUpload", "upload",
                  {"filename": "other.jpg"})


async def test_record_patrol(gql, users):
    await replays(await gql.as_("inspector"), await gql.as_("officer"), PATROL, {"i": patrol()}, "recordPatrol",
                  "patrol", {"note": "别的"})


async def test_register_outfall(gql, users):
    # The register is readable city-wide, so only a caller without outfall.read is refused: a token that
    # may only send station readings.
    admin = await gql.as_("admin")
    tok = (await admin('mutation { createApiToken(name: "站网", username: "integrator", scopes: [READINGS_WRITE]) '
                       '{ token } }'))["createApiToken"]["token"]
    stranger = type(admin)(admin.client)
    stranger.token = tok
    reg = {"clientId": str(uuid.uuid4()), "name": "重放登记", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    await replays(await gql.as_("inspector"), stranger, REGISTER, {"i": reg}, "registerOutfall", "outfall",
                  {"name": "别的"})
    # Another district's inspector may read the outfall, so their replay answers it.
    assert (await (await gql.as_("inspector2"))(REGISTER, {"i": reg}))["registerOutfall"]["id"]
