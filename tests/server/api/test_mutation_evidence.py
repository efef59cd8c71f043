"""Mutation answers carry the evidence checks of the photos they attach, each naming its photo."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from tests.server.api.test_loop_api import CST, SITE, outfall_id, photo  # noqa: F401  (fixture)

FAR = (31.5, 106.587)  # about 215 km north of the outfall
CHECKS = "checks { code severity mediaId messageEn }"


def _far(checks: list[dict], media_id: str) -> dict:
    hits = [c for c in checks if c["code"] == "FAR_FROM_SITE"]
    assert len(hits) == 1, checks
    assert hits[0]["mediaId"] == media_id and hits[0]["severity"] == "FAIL" and "from the site" in hits[0]["messageEn"]
    return hits[0]


async def test_create_task_answers_with_its_photos_checks(gql, client, users, outfall_id):  # noqa: F811
    sup = await gql.as_("supervisor")
    far, near = await photo(sup, client, seed=71, where=FAR), await photo(sup, client, seed=72)
    q = f"""mutation($i: CreateTaskInput!) {{ createTask(input: $i) {{ id {CHECKS}
      media {{ id {CHECKS} }} }} }}"""
    i = {"clientId": str(uuid.uuid4()), "kind": "ILLEGAL_DISCHARGE", "source": "VIDEO_AI", "title": "疑似偷排",
         "outfallId": outfall_id, "mediaIds": [far, near]}
    t = (await sup(q, {"i": i}))["createTask"]
    _far(t["checks"], far)
    assert {c["mediaId"] for c in t["checks"]} <= {far, near}
    assert not [c for c in t["checks"] if c["mediaId"] == near and c["severity"] == "FAIL"]
    by_media = {m["id"]: m["checks"] for m in t["media"]}
    assert _far(by_media[far], far) and by_media[near] == [c for c in t["checks"] if c["mediaId"] == near]


async def test_record_inspection_and_submit_rectification_answer_with_checks(gql, client, users, outfall_id):  # noqa: F811
    inspector, officer, sup = await gql.as_("inspector"), await gql.as_("officer"), await gql.as_("supervisor")
    far = await photo(inspector, client, seed=73, where=FAR)
    q = f"""mutation($i: RecordInspectionInput!) {{ recordInspection(input: $i) {{ id {CHECKS} }} }}"""
    rec = {"clientId": str(uuid.uuid4()), "outfallId": outfall_id, "observedAt": datetime.now(timezone.utc).isoformat(),
           "flowing": True, "mediaIds": [far]}
    _far((await inspector(q, {"i": rec}))["recordInspection"]["checks"], far)

    t = (await sup("""mutation($i: CreateTaskInput!) { createTask(input: $i) { id checks { code } } }""",
                   {"i": {"clientId": str(uuid.uuid4()), "kind": "FLOATING_DEBRIS", "source": "MANUAL",
                          "title": "漂浮物", "outfallId": outfall_id}}))["createTask"]
    assert t["checks"] == []  # no photo, nothing to judge
    before, after = await photo(officer, client, seed=74), await photo(officer, client, seed=75, where=FAR)
    q = f"""mutation($i: SubmitRectificationInput!) {{ submitRectification(input: $i) {{ {CHECKS} }} }}"""
    sub = (await officer(q, {"i": {"clientId": str(uuid.uuid4()), "taskId": t["id"], "beforeMediaIds": [before],
                                   "afterMediaIds": [after]}}))["submitRectification"]
    _far(sub["checks"], after)
