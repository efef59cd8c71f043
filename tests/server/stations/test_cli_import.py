"""The operator's imports: stations from a sheet, readings from a long-form CSV (idempotent, all or nothing)."""
from __future__ import annotations

from sqlalchemy import func, select

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.stations.csv_import import import_csv
from server.domain.stations.models import Station, readings
from server.domain.stations.service import import_sheet
from tests.server.stations.conftest import slots

SHEET = """断面编码,断面名称,河流,区县,纬度,经度,级别,水质目标
S-1,寸滩,长江,江北区,29.61,106.61,国控,II
S-2,北温泉,JIALING,500109,29.83,106.43,市控,III
"""


async def test_sheet_then_readings_csv(db, settings, tmp_path, users):
    sheet = tmp_path / "stations.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    admin = Actor(users["admin"], "admin", "ADMIN", None)
    async with db.transaction() as s:
        r = await import_sheet(session=s, actor=admin, path=sheet)
    assert (r.created, r.updated, r.errors) == (2, 0, [])
    async with db.transaction() as s:
        r = await import_sheet(session=s, actor=admin, path=sheet)
    assert (r.created, r.updated) == (0, 2)
    async with db.session() as s:
        st = {x.code: x for x in (await s.execute(select(Station))).scalars()}
    assert st["S-1"].level == "NATIONAL" and st["S-1"].river_code == "YANGTZE" and st["S-1"].river_km > 0
    assert st["S-2"].district_code == "500109"

    ts = slots(3)
    lines = ["station_code,observed_at,parameter,value,flag"]
    for t in ts:
        lines += [f"S-1,{t.isoformat()},NH3_N,0.2,", f"S-1,{t.isoformat()},DO,7.1,VALID", f"S-2,{t.isoformat()},TP,,FAULT"]
    csv_path = tmp_path / "r.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = await import_csv(db=db, settings=settings, path=csv_path)
    assert rep.rows == 9 and rep.result.inserted == 9
    rep = await import_csv(db=db, settings=settings, path=csv_path)
    assert rep.result.inserted == 0 and rep.result.unchanged == 9

    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines[:1] + [f"S-1,{ts[0].isoformat()},NH3_N,0.5,", "S-1,not-a-time,DO,1,"]) + "\n")
    try:
        await import_csv(db=db, settings=settings, path=bad)
        raise AssertionError("expected BadInput")
    except BadInput as e:
        assert "line 3" in e.message
    async with db.session() as s:
        assert (await s.execute(select(func.count()).select_from(readings))).scalar_one() == 6
        v = (await s.execute(select(readings.c.v_nh3_n).where(readings.c.observed_at == ts[0],
                                                              readings.c.v_nh3_n.is_not(None)))).scalar_one()
    assert v == 0.2  # the bad file changed nothing


async def test_sheet_errors_name_line_and_field(db, tmp_path, users):
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET.replace("长江", "黄河"), encoding="utf-8")
    async with db.transaction() as s:
        r = await import_sheet(session=s, actor=Actor(users["admin"], "admin", "ADMIN", None), path=sheet)
    assert r.errors == [(2, "riverCode", "unknown river '黄河'")] and r.created == 0
