"""Importing census sheets: every bad row named with its line, all-or-nothing, --skip-bad, idempotence."""
from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from server.domain import data_version
from server.domain.actor import Actor
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import Point, register_outfall
from server.register_io.importer import ImportFailed, import_outfalls
from tests.server.register_io.conftest import audit_imports, count, register, write_csv

EN = ["code", "name", "category", "subtype", "river", "district", "lon", "lat", "water class", "responsible unit",
      "signboard"]
ZH = ["编号", "名称", "类型", "子类型", "河流", "区县", "经度", "纬度", "受纳水体类别", "责任单位", "标识牌"]


def good(i: int, **over) -> list:
    r = dict(code=f"CQ-{i:04d}", name=f"测试排口{i}号", category="INDUSTRIAL", subtype="", river="YANGTZE",
             district="500103", lon=106.587 + i * 1e-4, lat=29.5647, water_class="III", unit="某化工厂", sign="是")
    r.update(over)
    return list(r.values())


async def test_csv_import_then_second_import_is_a_no_op(db, tmp_path):
    f = write_csv(tmp_path / "census.csv", [EN, *(good(i) for i in range(1, 21))])
    async with db.session() as s:
        version0 = await data_version.current(s)
    r = await import_outfalls(db=db, path=f, actor_name="tester")
    assert (r.created, r.updated, r.unchanged, r.bad, r.written) == (20, 0, 0, [], True)
    assert r.kind == "csv" and r.detail == "utf-8-sig"
    before = await register(db)
    async with db.session() as s:
        stamps = dict((await s.execute(select(Outfall.code, Outfall.updated_at))).all())
        version = await data_version.current(s)
    assert version > version0  # the bulk insert fired the trigger: cached map responses go stale
    assert before["CQ-0003"] | {"lon": 0} == dict(
        code="CQ-0003", name="测试排口3号", category="INDUSTRIAL", subtype=None, river_code="YANGTZE",
        district_code="500103", lat=29.5647, lon=0, accuracy_m=None, water_class="III", phase="SURVEYED",
        status="ACTIVE", remediation=None, responsible_unit="某化工厂", signboard_installed=True)
    async with db.session() as s:
        o = (await s.execute(select(Outfall).where(Outfall.code == "CQ-0003"))).scalar_one()
    assert o.client_id is None and o.created_by_id is None and o.version == 1

    again = await import_outfalls(db=db, path=f, actor_name="tester")
    assert again.summary().endswith("0 created, 0 updated, 20 unchanged")
    assert await register(db) == before
    async with db.session() as s:
        assert dict((await s.execute(select(Outfall.code, Outfall.updated_at))).all()) == stamps
        assert await data_version.current(s) == version
    events = await audit_imports(db)
    assert len(events) == 1 and events[0].action == "importOutfalls" and events[0].actor_name == "tester"
    assert events[0].after["created"] == 20 and events[0].after["file"] == "census.csv"
    assert "CQ-0001" in events[0].after["created_codes"] and len(events[0].after["sha256"]) == 64


async def test_a_changed_row_updates_the_outfall(db, tmp_path):
    await import_outfalls(db=db, path=write_csv(tmp_path / "a.csv", [EN, good(1), good(2), good(3)]))
    f = write_csv(tmp_path / "b.csv", [EN, good(1), good(2, name="改名排口", water_class="IV", sign="否"), good(3),
                                       good(4)])
    r = await import_outfalls(db=db, path=f)
    assert (r.created, r.updated, r.unchanged) == (1, 1, 2)
    async with db.session() as s:
        o = (await s.execute(select(Outfall).where(Outfall.code == "CQ-0002"))).scalar_one()
    assert (o.name, o.water_class, o.signboard_installed, o.version) == ("改名排口", "IV", False, 2)
    assert o.updated_at > o.created_at
    events = await audit_imports(db)
    assert [e.after["updated_codes"] for e in events] == [[], ["CQ-0002"]]


async def test_missing_columns_leave_fields_alone_and_the_phase_never_moves_back(db, tmp_path):
    await import_outfalls(db=db, path=write_csv(tmp_path / "a.csv", [EN + ["阶段"], good(1) + ["TRACED"]]))
    # No 责任单位/阶段 columns: those fields stay; an older phase in a file is not a change either.
    short = [c for c in EN if c not in ("responsible unit",)]
    row = good(1)
    del row[9]
    assert (await import_outfalls(db=db, path=write_csv(tmp_path / "b.csv", [short, row]))).unchanged == 1
    r = await import_outfalls(db=db, path=write_csv(tmp_path / "c.csv", [EN + ["阶段"], good(1) + ["查"]]))
    assert (r.updated, r.unchanged) == (0, 1)
    o = (await register(db))["CQ-0001"]
    assert (o["phase"], o["responsible_unit"]) == ("TRACED", "某化工厂")


BAD_ROWS = [  # (row, reason fragment); lines follow from the position (header is line 1)
    (good(1), None),
    (good(2, district="渝东区"), "unknown district '渝东区'"),
    (good(3, lon=116.39, lat=39.91), "outside Chongqing"),  # Beijing
    (good(4, name=""), "missing 名称 (name)"),
    (good(1, name="重复"), "duplicate code CQ-0001 in the file (first on line 2)"),
    (good(6, category="SEWER"), "unknown 类型 (category) 'SEWER'"),
    (good(7, river="黄河"), "unknown river '黄河'"),
    (good(8, lat="29.5x"), "bad number in 纬度 (lat): '29.5x'"),
    (good(9, lon=29.56, lat=106.58), "look swapped"),
    (good(10, name="长" * 101), "名称 (name) is 101 characters; at most 100"),
    (good(11, water_class="VI"), "unknown 受纳水体类别"),
    (good(12, sign="maybe"), "标识牌 (signboard) 'maybe'"),
    (good(13, code=""), "missing 编号 (code)"),
    (good(14, lon=""), "missing 经度 (lon)"),
    (good(15, district=""), "missing 区县 (district)"),
    (good(16), None),
]


def bad_file(tmp_path):
    return write_csv(tmp_path / "bad.csv", [EN, *(r for r, _ in BAD_ROWS)])


async def test_dry_run_reports_every_bad_row_with_its_line_and_writes_nothing(db, tmp_path):
    r = await import_outfalls(db=db, path=bad_file(tmp_path), dry_run=True)
    expected = [(line, reason) for line, (_, reason) in enumerate(BAD_ROWS, start=2) if reason]
    assert [b.line for b in r.bad] == [line for line, _ in expected]
    for b, (_, reason) in zip(r.bad, expected):
        assert reason in b.reason, (b, reason)
    assert r.bad[1].code == "CQ-0003" and r.bad[-3].code is None
    assert (r.created, r.written) == (2, False) and r.summary().startswith("dry run:")
    assert await count(db) == 0 and await audit_imports(db) == []


async def test_one_bad_row_imports_nothing(db, tmp_path):
    f = write_csv(tmp_path / "one.csv", [EN, *(good(i) for i in range(1, 30)), good(30, district="火星区")])
    r = await import_outfalls(db=db, path=f)
    assert not r.written and [(b.line, b.code) for b in r.bad] == [(31, "CQ-0030")]
    assert "nothing written" in r.summary()
    assert await count(db) == 0 and await audit_imports(db) == []


async def test_skip_bad_imports_the_rest_and_writes_the_report(db, tmp_path):
    r = await import_outfalls(db=db, path=bad_file(tmp_path), skip_bad=True)
    assert r.written and r.created == 2 and len(r.bad) == 14
    assert set(await register(db)) == {"CQ-0001", "CQ-0016"}
    assert (await register(db))["CQ-0001"]["name"] == "测试排口1号"  # the first of the duplicates
    r.write_report(tmp_path / "report.csv")
    text = (tmp_path / "report.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0] == "line,code,reason" and lines[1].startswith("3,CQ-0002,unknown district") and len(lines) == 15
    assert (await audit_imports(db))[0].after["skipped_bad_rows"] == 14


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
async def test_chinese_headers_labels_and_names_in_every_encoding(db, tmp_path, encoding):
    rows = [ZH, ["渝中-001", "朝天门排口", "城镇污水处理厂排污口", "", "嘉陵江", "渝中区", "106.587", "29.5647", "Ⅲ类",
                 "重庆水务集团", "否"],
            ["渝中-002", "菜园坝排口", "农业排口", "", "长江", "500103", "106.55", "29.55", "", "", "是"]]
    f = write_csv(tmp_path / f"zh-{encoding}.csv", rows, encoding=encoding)
    r = await import_outfalls(db=db, path=f)
    assert r.detail == encoding and r.created == 2, r.bad
    reg = await register(db)
    assert reg["渝中-001"] | {"lat": 0, "lon": 0} == dict(
        code="渝中-001", name="朝天门排口", category="URBAN_SEWAGE_PLANT", subtype=None, river_code="JIALING",
        district_code="500103", lat=0, lon=0, accuracy_m=None, water_class="III", phase="SURVEYED",
        status="ACTIVE", remediation=None, responsible_unit="重庆水务集团", signboard_installed=False)
    assert reg["渝中-002"]["category"] == "AGRICULTURAL" and reg["渝中-002"]["water_class"] is None


async def test_xlsx_rows_are_numbered_as_in_excel(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(ZH)
    ws.append(good(1))
    ws.append([None] * 11)  # a blank row keeps its number
    ws.append(good(2, category="工业"))
    ws.append(good(3, district=500103.0, lon=106.5))  # Excel hands numbers over as floats
    wb.save(tmp_path / "c.xlsx")
    r = await import_outfalls(db=db, path=tmp_path / "c.xlsx", dry_run=True)
    assert [(b.line, b.code) for b in r.bad] == [(4, "CQ-0002")] and r.created == 2


async def test_imported_generated_codes_move_the_district_counter(db, tmp_path):
    f = write_csv(tmp_path / "c.csv", [EN, good(1, code="500103-00042"), good(2, code="500103-00007")])
    await import_outfalls(db=db, path=f)
    actor = Actor(user_id=None, username="admin", role="ADMIN", district_code=None)
    async with db.transaction() as s:
        o = await register_outfall(session=s, actor=actor, client_id="7b0d5c1e-3a8f-4a5e-9a55-3f1e2c4d5e6f",
                                   name="新排口", category="OTHER", river_code="YANGTZE", district_code="500103",
                                   location=Point(29.56, 106.58))
    assert o.code == "500103-00043"


@pytest.mark.parametrize("rows, message", [
    ([["code", "name", "category", "river", "district", "lon"]], "missing column 纬度 (lat)"),
    ([EN + ["编号"]], "columns 'code' and '编号' both give 编号"),
])
async def test_unreadable_headers_fail_the_whole_file(db, tmp_path, rows, message):
    with pytest.raises(ImportFailed) as e:
        await import_outfalls(db=db, path=write_csv(tmp_path / "h.csv", rows))
    assert message in str(e.value)


async def test_neither_utf8_nor_gbk_fails_clearly(db, tmp_path):
    (tmp_path / "x.csv").write_bytes(",".join(EN).encode() + b"\n\x81\x20\xff\xfe,\n")
    with pytest.raises(ImportFailed, match="neither UTF-8 nor GBK"):
        await import_outfalls(db=db, path=tmp_path / "x.csv")
