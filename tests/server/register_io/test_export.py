"""Exports: each format re-imports into an empty register unchanged; filters, tokens and district scope hold."""
from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from server.domain.outfalls.labels import category_labels
from server.domain.tasks.models import Submission, Task
from server.reference import domain
from server.register_io.headers import EXPORT_HEADERS
from server.register_io.importer import import_outfalls
from tests.server.register_io.conftest import clear, count, fill, register


async def auth(gql, username="inspector") -> dict:
    return {"Authorization": f"Bearer {await gql.login(username)}"}


async def reimport(db, tmp_path, name: str, body: bytes):
    """Empty the register, import the export, and return the import report."""
    await clear(db)
    assert await count(db) == 0
    (tmp_path / name).write_bytes(body)
    return await import_outfalls(db=db, path=tmp_path / name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
async def test_an_export_reimports_into_an_empty_register_unchanged(client, gql, users, db, tmp_path, sample, fmt):
    await fill(db, sample)
    original = await register(db)
    r = await client.get(f"/export/outfalls.{fmt}", headers=await auth(gql))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="outfalls.{fmt}"'
    rep = await reimport(db, tmp_path, f"export.{fmt}", r.content)
    assert (rep.created, rep.bad, rep.ignored_columns) == (len(sample), [], [])
    assert await register(db) == original  # every field, floats to the last bit, Chinese included


async def test_csv_has_a_bom_chinese_headers_and_chinese_values(client, gql, users, db, sample):
    await fill(db, sample)
    r = await client.get("/export/outfalls.csv", headers=await auth(gql))
    assert r.content.startswith(b"\xef\xbb\xbf") and r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == EXPORT_HEADERS and rows[0][:3] == ["编号", "名称", "类型"] and len(rows) == len(sample) + 1
    first = dict(zip(rows[0], rows[1]))
    assert first["名称"] == '朝天门"老码头"排口' and first["河流"] == "长江" and first["区县"] == "渝中区"
    assert first["类型"] == category_labels()["INDUSTRIAL"] and first["标识牌"] == "否"
    assert any(row[1] == "多行\n名称排口" for row in rows)
    assert any(row[1] == "'=SUM(A1)  公式样排口" for row in rows)  # Excel must not run it


async def test_xlsx_is_a_real_workbook_with_chinese_and_no_formulas(client, gql, users, db, sample, tmp_path):
    await fill(db, sample)
    r = await client.get("/export/outfalls.xlsx", headers=await auth(gql))
    (tmp_path / "o.xlsx").write_bytes(r.content)
    ws = load_workbook(tmp_path / "o.xlsx").active
    assert ws.title == "排污口名录"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS and len(rows) == len(sample) + 1
    assert rows[1][4] == "长江" and isinstance(rows[1][6], float)
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=SUM(A1)  公式样排口")
    assert cell.data_type == "s"


async def test_geojson_is_rfc7946_lon_lat_and_gcj02_matches_the_vectors(client, gql, users, db, sample):
    vectors = [v for v in domain()["gcj02_test_vectors"]
               if v["from"] == "WGS84" and v["to"] == "GCJ02" and "Chongqing" in v.get("place", "")]
    assert len(vectors) >= 1
    rows = sample[:len(vectors)]
    for row, v in zip(rows, vectors):
        row.update(lat=v["in_lat"], lon=v["in_lng"])
    await fill(db, rows)
    h = await auth(gql)
    r = await client.get("/export/outfalls.geojson", headers=h)
    assert r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    assert doc["type"] == "FeatureCollection" and "coordinateSystem" not in doc and len(doc["features"]) == len(rows)
    for feat, row in zip(doc["features"], rows):
        assert feat["type"] == "Feature" and feat["id"] == row["code"] == feat["properties"]["code"]
        assert feat["geometry"] == {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        p = feat["properties"]
        assert p["riverCode"] == row["river_code"] and p["name"] == row["name"] and p["riverLabel"]
        assert p["districtCode"] == row["district_code"] and "waterClass" in p and "signboardInstalled" in p
        assert all("_" not in k for k in p), p  # named as in GraphQL
    g = (await client.get("/export/outfalls.geojson?crs=GCJ02", headers=h)).json()
    assert g["coordinateSystem"] == "GCJ02"
    for feat, v in zip(g["features"], vectors):
        lon, lat = feat["geometry"]["coordinates"]
        assert lon == pytest.approx(v["out_lng"], abs=1e-8) and lat == pytest.approx(v["out_lat"], abs=1e-8)


async def test_gcj02_geojson_reimports_to_within_centimetres(client, gql, users, db, sample, tmp_path):
    await fill(db, sample)
    original = await register(db)
    r = await client.get("/export/outfalls.geojson?crs=gcj02", headers=await auth(gql))
    assert (await reimport(db, tmp_path, "g.geojson", r.content)).created == len(sample)
    for code, o in (await register(db)).items():
        assert o["lat"] == pytest.approx(original[code]["lat"], abs=1e-6)
        assert o["lon"] == pytest.approx(original[code]["lon"], abs=1e-6)


async def test_filters_are_the_outfalls_query_filters(client, gql, users, db, sample):
    await fill(db, sample)
    h = await auth(gql)

    async def codes(query: str) -> set[str]:
        r = await client.get(f"/export/outfalls.geojson?{query}", headers=h)
        assert r.status_code == 200, r.text
        return {f["id"] for f in r.json()["features"]}

    def expect(pred) -> set[str]:
        return {o["code"] for o in sample if pred(o)}

    assert await codes("districtCode=500103") == expect(lambda o: o["district_code"] == "500103")
    assert await codes("riverCode=YANGTZE&category=OTHER") == expect(
        lambda o: o["river_code"] == "YANGTZE" and o["category"] == "OTHER")
    assert await codes("phase=TRACED&status=CLOSED") == expect(lambda o: o["phase"] == "TRACED" and o["status"] == "CLOSED")
    assert await codes("search=%E6%9C%9D%E5%A4%A9%E9%97%A8") == {sample[0]["code"]}  # 朝天门
    assert await codes("bbox=29.5,106.5,29.6,106.6") == expect(
        lambda o: 29.5 <= o["lat"] <= 29.6 and 106.5 <= o["lon"] <= 106.6)
    r = await client.get("/export/outfalls.csv?districtCode=500101", headers=h)
    assert len(r.content.decode("utf-8-sig").strip().splitlines()) == 1 + len(
        expect(lambda o: o["district_code"] == "500101"))


@pytest.mark.parametrize("query, parameter", [
    ("category=SEWER", "category"), ("phase=DONE", "phase"), ("status=x", "status"), ("bbox=1,2,3", "bbox"),
    ("verification=MAYBE", "verification"),
    ("bbox=30,107,29,106", "bbox"), ("districtCode=999999", "districtCode"), ("riverCode=NILE", "riverCode"),
    ("search=" + "x" * 101, "search"), ("district=500103", "district"), ("crs=UTM", "crs"),
    ("category=OTHER&category=INDUSTRIAL", "category"),
])
async def test_a_bad_parameter_is_400_naming_it(client, gql, users, query, parameter):
    r = await client.get(f"/export/outfalls.geojson?{query}", headers=await auth(gql))
    err = r.json()["errors"][0]
    assert r.status_code == 400 and err["extensions"] == {"code": "BAD_USER_INPUT", "field": parameter}, r.text
    assert err["message"] and "data" not in r.json()


async def test_no_valid_token_is_401(client, gql, users):
    for path in ("/export/outfalls.csv", "/export/outfalls.geojson", "/export/tasks.xlsx"):
        r = await client.get(path)
        assert r.status_code == 401 and r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert r.headers["www-authenticate"] == "Bearer"
        r = await client.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401
    assert (await client.get("/export/outfalls.pdf", headers=await auth(gql))).status_code == 404
    assert (await client.get("/export/tasks.geojson", headers=await auth(gql))).status_code == 404


async def add_tasks(db, users) -> dict[str, str]:
    """Three tasks in 500103 (one overdue, one reviewed) and two in 500101; code -> district."""
    now = datetime.now(timezone.utc)
    out = {}
    async with db.transaction() as s:
        for i, (d, late) in enumerate([("500103", True), ("500103", False), ("500103", False),
                                       ("500101", False), ("500101", True)]):
            t = Task(code=f"T{d}-{i:06d}", kind="FLOATING_DEBRIS", source="MANUAL", title=f"水面漂浮物 {i}",
                     district_code=d, deadline=now + timedelta(days=-1 if late else 3),
                     status="SUBMITTED" if i == 1 else "OPEN")
            s.add(t)
            await s.flush()
            out[t.code] = d
            if i == 1:
                for k, (decision, hours) in enumerate([("REJECT", 5), (None, 1)]):
                    s.add(Submission(client_id=str(uuid.uuid4()), request_hash="h" * 64, task_id=t.id,
                                     submitted_by_id=users["officer"], submitted_at=now - timedelta(hours=hours + 1),
                                     decision=decision, reviewer_id=users["supervisor"] if decision else None,
                                     reviewed_at=now - timedelta(hours=hours) if decision else None,
                                     status="REVIEWED" if decision else "PENDING_REVIEW"))
    return out


def ledger(content: bytes) -> list[dict]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


async def test_task_ledger_is_scoped_to_the_officers_district(client, gql, users, db, tmp_path):
    tasks = await add_tasks(db, users)
    r = await client.get("/export/tasks.csv", headers=await auth(gql, "officer"))
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = ledger(r.content)
    assert {row["任务编号"] for row in rows} == {c for c, d in tasks.items() if d == "500103"}
    assert {row["区县"] for row in rows} == {"渝中区"}
    by_code = {row["任务编号"]: row for row in rows}
    assert by_code["T500103-000000"]["是否逾期"] == "是" and by_code["T500103-000002"]["是否逾期"] == "否"
    reviewed = by_code["T500103-000001"]
    assert reviewed["审核结果"] == "退回" and reviewed["最近提交时间（北京时间）"] > reviewed["审核时间（北京时间）"]
    assert by_code["T500103-000002"]["审核结果"] == "" and by_code["T500103-000002"]["类型"] == "水面漂浮物"
    # The district filter cannot widen the scope; a city role sees every district.
    r = await client.get("/export/tasks.csv?districtCode=500101", headers=await auth(gql, "officer"))
    assert ledger(r.content) == []
    r = await client.get("/export/tasks.csv", headers=await auth(gql, "inspector2"))
    assert {row["任务编号"] for row in ledger(r.content)} == {c for c, d in tasks.items() if d == "500101"}
    r = await client.get("/export/tasks.csv?overdue=true", headers=await auth(gql, "supervisor"))
    assert {row["任务编号"] for row in ledger(r.content)} == {"T500103-000000", "T500101-000004"}
    r = await client.get("/export/tasks.xlsx?status=SUBMITTED", headers=await auth(gql, "supervisor"))
    (tmp_path / "t.xlsx").write_bytes(r.content)
    rows = list(load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True))
    assert rows[0][0] == "任务编号" and [r[0] for r in rows[1:]] == ["T500103-000001"]
    assert isinstance(rows[1][6], datetime)  # a real date cell, in Beijing time


@pytest.mark.parametrize("query, parameter", [("status=LOST", "status"), ("kind=FIRE", "kind"),
                                              ("overdue=maybe", "overdue"), ("districtCode=1", "districtCode"),
                                              ("riverCode=YANGTZE", "riverCode")])
async def test_task_ledger_bad_parameter_is_400(client, gql, users, query, parameter):
    r = await client.get(f"/export/tasks.csv?{query}", headers=await auth(gql, "supervisor"))
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["field"] == parameter


@pytest.mark.parametrize("path", ["/export/outfalls.csv", "/export/tasks.csv"])
async def test_an_unknown_district_is_the_same_answer_over_rest_and_graphql(client, gql, users, path):
    """One filter, parsed once: the export and the GraphQL list refuse the same value with the same words."""
    r = await client.get(f"{path}?districtCode=999999", headers=await auth(gql, "supervisor"))
    rest = r.json()["errors"][0]
    root = "outfalls" if "outfalls" in path else "tasks"
    sup = await gql.as_("supervisor")
    g = await sup.error(f'{{ {root}(filter: {{districtCode: "999999"}}) {{ totalCount }} }}')
    assert r.status_code == 400 and rest["message"] == g["message"] == "unknown district code '999999'"
    assert rest["extensions"] == {"code": "BAD_USER_INPUT", "field": "districtCode"}
    assert g["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.districtCode"}


async def test_large_export_streams_in_many_chunks(app, gql, users, db):
    """Straight through ASGI (httpx's transport would buffer): the body leaves in pieces as batches are read."""
    import asyncio

    from tests.server.register_io.conftest import register_rows

    rows = register_rows(2500, seed=9)
    for i, r in enumerate(rows):
        r["code"] = f"BIG-{i:05d}"
    await fill(db, rows)
    token = (await auth(gql))["Authorization"].encode()
    sent, requested = [], False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/export/outfalls.geojson", "raw_path": b"/export/outfalls.geojson", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"testserver"), (b"authorization", token)],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    await app(scope, receive, send)
    assert sent[0]["status"] == 200
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body" and m.get("body")]
    assert len(bodies) >= 3  # head, one per 2000-row batch, tail: not one buffered body
    assert len(json.loads(b"".join(bodies))["features"]) == 2500
