"""Inputs that used to get INTERNAL_SERVER_ERROR or a 500 (issue 12 item 5), each now a clear refusal;
and stored data that used to break a read (exports) now read whole."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from tests.factories.images import make_jpeg
from tests.server.api.test_loop_api import REGISTER, SITE
from tests.server.api.test_media_api import COMPLETE, upload

EDGES = ["0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
         "9999-12-31T23:59:59+00:00"]


async def test_dates_at_the_edges_are_bad_input(gql, users):
    sup, insp = await gql.as_("supervisor"), await gql.as_("inspector")
    oid = (await sup(REGISTER, {"i": {"clientId": str(uuid.uuid4()), "name": "边界排口", "category": "OTHER",
                                     "riverCode": "YANGTZE", "districtCode": "500103",
                                     "location": {"lat": SITE[0], "lon": SITE[1]}}}))["registerOutfall"]["id"]
    for edge in EDGES:
        task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "边界",
                "districtCode": "500103", "deadline": edge}
        err = await sup.error("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": task})
        assert err["extensions"]["code"] == "BAD_USER_INPUT" and "deadline" in err["message"], err
        rec = {"clientId": str(uuid.uuid4()), "outfallId": oid, "observedAt": edge}
        err = await insp.error("mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }",
                               {"i": rec})
        assert err["extensions"]["code"] == "BAD_USER_INPUT" and "observedAt" in err["message"], err
        err = await sup.error("query($s: DateTime) { auditEvents(since: $s) { edges { cursor } } }", {"s": edge})
        assert err["extensions"]["code"] == "BAD_USER_INPUT", err
    for day in ("0001-01-01", "9999-12-31"):
        body = await sup.raw("query($d: Date!) { dailyBrief(date: $d) { __typename } }", {"d": day})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body



@pytest.mark.parametrize("taken", [datetime(1, 1, 1, 0, 0, 0),
                                   datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))])
async def test_exif_dates_at_the_edges_leave_no_photo_pending(gql, client, users, taken):
    insp = await gql.as_("inspector")
    t = await upload(insp, client, make_jpeg(320, 240, seed=61, taken_at=taken, gps=SITE))
    m = (await insp(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]
    assert m["status"] == "READY" and m["takenAt"] is None, m
    assert any(c["code"] for c in m["checks"])  # no capture time is flagged, not trusted



async def test_exports_read_whatever_is_already_stored(gql, client, db, users):
    """Rows stored before the rules existed: control characters in a name, a year-9999 deadline."""
    from server.domain.outfalls.models import Outfall
    from server.domain.tasks.models import Task

    sup = await gql.as_("supervisor")
    oid = (await sup(REGISTER, {"i": {"clientId": str(uuid.uuid4()), "name": "旧排口", "category": "OTHER",
                                     "riverCode": "YANGTZE", "districtCode": "500103",
                                     "location": {"lat": SITE[0], "lon": SITE[1]}}}))["registerOutfall"]["id"]
    task = {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "旧任务",
            "districtCode": "500103", "deadline": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()}
    tid = (await sup("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": task}))["createTask"]["id"]
    async with db.transaction() as s:
        await s.execute(update(Outfall).where(Outfall.id == int(oid)).values(name="旧\x1b排\x07口\x0b"))
        await s.execute(update(Task).where(Task.id == int(tid)).values(
            title="旧\x0b任务", deadline=datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)))
    headers = {"Authorization": f"Bearer {sup.token}"}
    for path in ("/export/outfalls.xlsx", "/export/outfalls.csv", "/export/outfalls.geojson",
                 "/export/tasks.xlsx", "/export/tasks.csv"):
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.text[:300])
        if path.endswith(".xlsx"):
            rows = list(load_workbook(io.BytesIO(r.content), read_only=True).active.values)
            assert any("旧排口" in str(v) or "旧任务" in str(v) for row in rows for v in row), path
    # The exceptional deadline is still there to read, not silently lost.
    r = await client.get("/export/tasks.csv", headers=headers)
    assert "9999-12-31" in r.content.decode("utf-8-sig")

