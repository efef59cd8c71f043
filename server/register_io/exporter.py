"""The register and the task ledger as GeoJSON, CSV and XLSX byte streams.

Rows are read in id-keyed batches, each batch in its own short session, so memory stays flat and no
connection is held while a slow client reads. Every format is an async iterator of bytes: the HTTP
routes stream it, the benchmark writes it to a file.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import tempfile
from datetime import datetime, timedelta, timezone
from typing import AsyncIterator

import anyio
from sqlalchemy import select
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.geo.crs import to_crs
from server.domain.geo.models import District, River
from server.domain.outfalls.labels import category_labels
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.queries import OutfallFilter, outfall_query
from server.domain.sqltypes import utcnow
from server.domain.tasks.models import OPEN_STATES, Submission, Task
from server.domain.tasks.labels import KIND_LABELS
from server.domain.tasks.queries import TaskFilter, task_query
from server.register_io.headers import EXPORT_HEADERS
from server.register_io.importer import FIELDS

BATCH = 2000
BEIJING = timezone(timedelta(hours=8))  # the ledger's times are the bureau's local time
TASK_HEADERS = ["任务编号", "类型", "标题", "区县", "排污口编号", "状态", "整改期限（北京时间）", "是否逾期",
                "最近提交时间（北京时间）", "审核结果", "审核时间（北京时间）"]
TASK_STATUS_LABELS = {"OPEN": "待处理", "IN_PROGRESS": "整改中", "SUBMITTED": "已提交待审核", "REJECTED": "已退回",
                      "APPROVED": "已通过", "CANCELLED": "已撤销"}
DECISION_LABELS = {"APPROVE": "通过", "REJECT": "退回"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _names(db) -> tuple[dict[str, str], dict[str, str]]:
    async with db.session() as s:
        return (dict((await s.execute(select(col(District.code), col(District.name)))).all()),
                dict((await s.execute(select(col(River.code), col(River.name)))).all()))


async def outfall_batches(db, f: OutfallFilter, size: int = BATCH) -> AsyncIterator[list[dict]]:
    """The filtered register in id order, `size` rows at a time, as dicts of FIELDS."""
    cols = [col(Outfall.id), *(getattr(Outfall, k) for k in FIELDS)]
    last = 0
    while True:
        async with db.session() as s:
            rows = (await s.execute(outfall_query(select(*cols), f).where(col(Outfall.id) > last)
                                    .order_by(col(Outfall.id)).limit(size))).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [dict(zip(FIELDS, r[1:])) for r in rows]
        if len(rows) < size:
            return


def _register_cells(o: dict, districts: dict, rivers: dict, cats: dict) -> list:
    """One outfall in EXPORT_HEADERS order, in the words the importer reads back."""
    return [o["code"], o["name"], cats.get(o["category"], o["category"]), o["subtype"],
            rivers.get(o["river_code"], o["river_code"]), districts.get(o["district_code"], o["district_code"]),
            o["lon"], o["lat"], o["water_class"], o["responsible_unit"], "是" if o["signboard_installed"] else "否",
            o["phase"], o["status"], o["remediation"], o["accuracy_m"]]


async def outfalls_geojson(db, f: OutfallFilter, crs: str = "WGS84") -> AsyncIterator[bytes]:
    """RFC 7946 FeatureCollection, [lon, lat]; crs=GCJ02/BD09 shifts the points and says so in a foreign member."""
    districts, rivers = await _names(db)
    cats = category_labels()
    head = {"type": "FeatureCollection"}
    if crs != "WGS84":
        head["coordinateSystem"] = crs  # not RFC 7946 (which is WGS-84 only): for Chinese web maps
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n').encode()
    sep = ""
    async for batch in outfall_batches(db, f):
        parts = []
        for o in batch:
            lat, lon = to_crs(o["lat"], o["lon"], crs)
            # Named as in GraphQL (camelCase; codes as the values, a label beside each coded one).
            props = {"code": o["code"], "name": o["name"], "category": o["category"],
                     "categoryLabel": cats.get(o["category"]), "subtype": o["subtype"], "riverCode": o["river_code"],
                     "riverLabel": rivers.get(o["river_code"]), "districtCode": o["district_code"],
                     "districtLabel": districts.get(o["district_code"]), "waterClass": o["water_class"],
                     "responsibleUnit": o["responsible_unit"], "signboardInstalled": bool(o["signboard_installed"]),
                     "phase": o["phase"], "status": o["status"], "remediation": o["remediation"],
                     "accuracyM": o["accuracy_m"]}
            parts.append(sep + json.dumps({"type": "Feature", "id": o["code"],
                                           "geometry": {"type": "Point", "coordinates": [lon, lat]},
                                           "properties": props}, ensure_ascii=False))
            sep = ",\n"
        yield "".join(parts).encode()
    yield b"\n]}\n"


FORMULA_START = ("=", "+", "-", "@")


def _csv_cell(v):
    """Text that Excel would run as a formula gets a leading apostrophe (the importer takes it off)."""
    if v is None:
        return ""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


async def _csv(headers: list[str], batches: AsyncIterator[list[list]]) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM: without it Excel opens Chinese as mojibake."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    yield b"\xef\xbb\xbf" + buf.getvalue().encode()
    async for rows in batches:
        buf.seek(0)
        buf.truncate()
        w.writerows([_csv_cell(v) for v in r] for r in rows)
        yield buf.getvalue().encode()


async def _xlsx(title: str, headers: list[str], batches: AsyncIterator[list[list]],
                widths: dict[str, int] | None = None) -> AsyncIterator[bytes]:
    """openpyxl write_only spools rows to disk as they come; the finished zip is then streamed from disk."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for column, width in (widths or {}).items():
        ws.column_dimensions[column].width = width
    bold = Font(bold=True)
    head = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        head.append(c)
    ws.append(head)

    def append(rows):
        for r in rows:
            ws.append([_xlsx_cell(ws, v) for v in r])

    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    saved = False
    try:
        async for rows in batches:
            await anyio.to_thread.run_sync(append, rows)  # openpyxl is CPU work: off the event loop
        await anyio.to_thread.run_sync(wb.save, tmp)
        saved = True
        with open(tmp, "rb") as fh:
            while chunk := await anyio.to_thread.run_sync(fh.read, 1 << 16):
                yield chunk
    finally:
        os.unlink(tmp)
        writer = getattr(ws, "_writer", None)
        if not saved and writer is not None:  # save() removes the sheet's spool file; a failure did not
            row_writer = getattr(ws, "_rows", None)
            if row_writer is not None:  # end the sheet's row writer while its file is open (else it fails in GC)
                with contextlib.suppress(Exception):
                    row_writer.close()
            writer.close()
            writer.cleanup()


def _xlsx_cell(ws, v):
    """Pin what openpyxl would get wrong: text starting with '=' (it would write a formula) and floats that
    need 17 significant digits (it writes 16, so a coordinate would come back a few ulp off)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(v, str):
        # Control characters are not allowed in XML at all: openpyxl refuses the row and the export
        # broke mid-stream. Names are refused them at write time; what is already stored is cleaned here.
        v = ILLEGAL_CHARACTERS_RE.sub("", v)
    if isinstance(v, str) and v.startswith("="):
        c = WriteOnlyCell(ws, value=v)
        c.data_type = "s"
        return c
    if isinstance(v, float) and math.isfinite(v) and float("%.16g" % v) != v:
        c = WriteOnlyCell(ws, value=v)
        c._value = repr(v)  # written verbatim into <v>; still a number cell (t="n")
        return c
    return v


async def _register_rows(db, f: OutfallFilter) -> AsyncIterator[list[list]]:
    districts, rivers = await _names(db)
    cats = category_labels()
    async for batch in outfall_batches(db, f):
        yield [_register_cells(o, districts, rivers, cats) for o in batch]


def outfalls_csv(db, f: OutfallFilter) -> AsyncIterator[bytes]:
    return _csv(EXPORT_HEADERS, _register_rows(db, f))


def outfalls_xlsx(db, f: OutfallFilter) -> AsyncIterator[bytes]:
    return _xlsx("排污口名录", EXPORT_HEADERS, _register_rows(db, f), {"A": 16, "B": 36, "J": 30})


# The rectification ledger (整改台账).

def _local(dt: datetime | None) -> datetime | None:
    """Beijing wall-clock time without an offset: what Excel can hold and the bureau reads."""
    if dt is None:
        return None
    try:
        return dt.astimezone(BEIJING).replace(tzinfo=None, microsecond=0)
    except OverflowError:  # a date at the end of time (stored before dates were bounded): keep it as UTC
        return dt.replace(tzinfo=None, microsecond=0)


async def task_batches(db, actor: Actor, tf: TaskFilter, size: int = BATCH) -> AsyncIterator[list[list]]:
    """The caller's tasks (list_tasks' district scope) in id order, with their latest submission and review."""

    districts, _ = await _names(db)
    now = utcnow()
    last = 0
    while True:
        async with db.session() as s:
            stmt = (select(col(Task.id), col(Task.code), col(Task.kind), col(Task.title), col(Task.district_code), col(Outfall.code),
                           col(Task.status), col(Task.deadline))
                    .select_from(Task).outerjoin(Outfall, col(Outfall.id) == col(Task.outfall_id)))
            rows = (await s.execute(task_query(stmt, actor, tf, now).where(col(Task.id) > last)
                                    .order_by(col(Task.id)).limit(size))).all()
            if not rows:
                return
            subs = (await s.execute(select(col(Submission.task_id), col(Submission.submitted_at), col(Submission.decision),
                                           col(Submission.reviewed_at))
                                    .where(col(Submission.task_id).in_([r[0] for r in rows])))).all()
        submitted: dict[int, datetime] = {}
        reviewed: dict[int, tuple[datetime, str]] = {}
        for tid, at, decision, rat in subs:
            if tid not in submitted or at > submitted[tid]:
                submitted[tid] = at
            if rat is not None and (tid not in reviewed or rat > reviewed[tid][0]):
                reviewed[tid] = (rat, decision)
        last = rows[-1][0]
        out = []
        for tid, code, kind, title, dcode, ocode, status, deadline in rows:
            rev = reviewed.get(tid)
            overdue = status in OPEN_STATES and deadline < now
            out.append([code, KIND_LABELS.get(kind, kind), title, districts.get(dcode, dcode), ocode,
                        TASK_STATUS_LABELS.get(status, status), _local(deadline), "是" if overdue else "否",
                        _local(submitted.get(tid)), DECISION_LABELS.get(rev[1], rev[1]) if rev else None,
                        _local(rev[0]) if rev else None])
        yield out
        if len(rows) < size:
            return


async def _as_text(batches: AsyncIterator[list[list]]) -> AsyncIterator[list[list]]:
    async for rows in batches:
        yield [[v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else v for v in r] for r in rows]


def tasks_csv(db, actor: Actor, tf: TaskFilter) -> AsyncIterator[bytes]:
    return _csv(TASK_HEADERS, _as_text(task_batches(db, actor, tf)))


def tasks_xlsx(db, actor: Actor, tf: TaskFilter) -> AsyncIterator[bytes]:
    return _xlsx("整改台账", TASK_HEADERS, task_batches(db, actor, tf), {"A": 18, "C": 40, "G": 20, "I": 20, "K": 20})

