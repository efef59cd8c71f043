"""After a REJECT the district resubmits: the site before the work has not changed, so the before
photos of the task's earlier submissions may be presented again (uploading them anew would trip
DUPLICATE_FILE). Only those: another task's photos, or an earlier after photo as a before, stay refused."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from tests.server.api.test_loop_api import REVIEW, SUBMIT, outfall_id, photo  # noqa: F401 (fixture)

CREATE = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
TASK = """query($id: ID!) { task(id: $id) { status submissions { status before { id } after { id } } } }"""


async def new_task(sup, outfall) -> str:
    i = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "整改排口",
         "districtCode": "500103", "outfallId": outfall,
         "deadline": (datetime.now(timezone.utc) + timedelta(days=5)).isoformat()}
    return (await sup(CREATE, {"i": i}))["createTask"]["id"]


def submission(task, before, after) -> dict:
    return {"clientId": str(uuid.uuid4()), "taskId": task, "beforeMediaIds": before, "afterMediaIds": after}


async def test_resubmission_reuses_the_tasks_before_photos(gql, client, users, outfall_id):  # noqa: F811
    sup, officer = await gql.as_("supervisor"), await gql.as_("officer")
    task, other = await new_task(sup, outfall_id), await new_task(sup, outfall_id)
    b1, b2, a1 = [await photo(officer, client, seed=s) for s in (90, 91, 92)]
    first = (await officer(SUBMIT, {"i": submission(task, [b1, b2], [a1])}))["submitRectification"]
    await sup(REVIEW, {"i": {"submissionId": first["id"], "decision": "REJECT", "reason": "整改不到位"}})

    # Neither another task nor an earlier after photo posing as a before may borrow them.
    a_other = await photo(officer, client, seed=93)
    err = await officer.error(SUBMIT, {"i": submission(other, [b1], [a_other])})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "beforeMediaIds"}, err
    a2 = await photo(officer, client, seed=94)
    err = await officer.error(SUBMIT, {"i": submission(task, [a1], [a2])})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "beforeMediaIds"}, err

    again = (await officer(SUBMIT, {"i": submission(task, [b1, b2], [a2])}))["submitRectification"]
    assert {m["id"] for m in again["before"]} == {b1, b2} and [m["id"] for m in again["after"]] == [a2]
    assert again["task"]["status"] == "SUBMITTED"
    assert not {c["code"] for c in again["checks"]} & {"DUPLICATE_FILE", "NEAR_DUPLICATE"}
    t = (await officer(TASK, {"id": task}))["task"]
    # The rejected submission still shows what it presented.
    assert [(s["status"], sorted(m["id"] for m in s["before"]), [m["id"] for m in s["after"]])
            for s in t["submissions"]] == [("REJECTED", sorted([b1, b2]), [a1]),
                                            ("PENDING_REVIEW", sorted([b1, b2]), [a2])]
