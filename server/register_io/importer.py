"""Import a census sheet into the register: validate every row in Python, then write in bulk, in one transaction.

Idempotent by the official code (Outfall.code): a known code updates that outfall when a value differs,
an identical row is left alone. A column the file does not have leaves that field as it is; an empty cell
clears an optional field. The 查测溯治 phase only moves forward, so an older phase in the file is no change.

Core INSERT/UPDATE statements bypass the ORM's audit hook (server/domain/audit/recorder.py), so the import
writes one audit event of its own that says what it did.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Boolean, Float, Integer, String, bindparam, case, insert, select, text, update
from server.db import dialect_of, upsert
from sqlmodel import col

from server.domain.audit.models import AuditEvent
from server.domain.outfalls.models import PHASES, Outfall, OutfallCodeCounter
from server.domain.sqltypes import utcnow
from server.register_io.headers import HeaderError, map_headers
from server.register_io.reader import FileError, open_table
from server.register_io.values import References, RowError, parse_row

# The register fields an import sets and compares; the rest (ids, provenance, times) are the system's.
FIELDS = ("code", "name", "category", "subtype", "river_code", "district_code", "lat", "lon", "accuracy_m",
          "water_class", "phase", "status", "remediation", "responsible_unit", "signboard_installed")
DEFAULTS = dict(subtype=None, accuracy_m=None, water_class=None, phase="SURVEYED", status="ACTIVE",
                remediation=None, responsible_unit=None, signboard_installed=False)
BATCH = 1000  # rows per executemany on SQLite
PG_BATCH = 10_000  # rows per unnest() statement on PostgreSQL
_AUDIT_CODES = 200  # codes listed in the audit event per kind of change; the counts are always complete
_GENERATED = re.compile(r"^(\d{6})-(\d{5})$")  # the form next_code() gives, e.g. 500103-00042


class ImportFailed(ValueError):
    """The file cannot be imported at all (unreadable, wrong columns)."""


@dataclass
class BadRow:
    line: int
    code: str | None
    reason: str


@dataclass
class ImportReport:
    file: str
    kind: str
    detail: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    audit_id: int | None = None

    @property
    def counts(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"

    def summary(self) -> str:
        what = f"{self.rows} rows read from {self.file} ({self.kind}, {self.detail})"
        if self.dry_run:
            return f"dry run: {what}; would be {self.counts}; {len(self.bad)} bad; nothing written"
        if not self.written and self.bad:
            return f"{what}; {len(self.bad)} bad; nothing written"
        skipped = f"; {len(self.bad)} bad rows skipped" if self.bad else ""
        return f"{what}: {self.counts}{skipped}"

    def write_report(self, path: Path) -> None:
        """The bad rows as CSV (line, code, reason), with a BOM so Excel shows the Chinese."""
        with Path(path).open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(["line", "code", "reason"])
            w.writerows((b.line, b.code or "", b.reason) for b in self.bad)


def _progress(iterable, *, total, desc, enabled):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=" rows", leave=False)


async def import_outfalls(*, db, path: Path, dry_run: bool = False, skip_bad: bool = False, actor=None,
                          actor_name: str | None = None, sheet: str | None = None,
                          progress: bool = False) -> ImportReport:
    """Import FILE; all-or-nothing unless skip_bad. Raises ImportFailed when the file cannot be read."""
    path = Path(path)
    try:
        table = open_table(path, sheet=sheet)
    except FileError as e:
        raise ImportFailed(str(e)) from None
    with table:
        try:
            columns, ignored = map_headers(table.headers)
        except HeaderError as e:
            raise ImportFailed(f"{path.name}: {e}") from None
        report = ImportReport(path.name, table.kind, table.detail, ignored_columns=ignored, dry_run=dry_run)
        async with db.transaction() as s:
            refs = await References.load(s)
            existing = {r[1]: r for r in (await s.execute(
                select(col(Outfall.id), *(getattr(Outfall, f) for f in FIELDS)))).all()}
            creates, updates, counters = _plan(table, columns, refs, existing, report, progress)
            if dry_run or (report.bad and not skip_bad):
                return report  # leaving the block commits a transaction that wrote nothing
            await _write(s, creates, updates, progress)
            await _bump_counters(s, counters)
            if creates or updates:
                report.audit_id = await _audit(s, report, path, creates, updates, actor, actor_name)
            report.written = True
    return report


def _plan(table, columns, refs, existing, report, progress):
    """Validate every row; sort the good ones into creates and updates (each a full row of FIELDS)."""
    creates: list[dict] = []
    updates: list[dict] = []
    counters: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for line, cells in _progress(table.rows, total=table.total, desc="checking", enabled=progress):
        report.rows += 1
        given = {k: (cells[i] if i < len(cells) else None) for k, i in columns.items()}
        try:
            row = parse_row(given, refs)
        except RowError as e:
            raw = given.get("code")
            report.bad.append(BadRow(line, None if raw is None else str(raw).strip() or None, str(e)))
            continue
        code = row["code"]
        if code in first_line:
            report.bad.append(BadRow(line, code, f"duplicate code {code} in the file (first on line "
                                                 f"{first_line[code]})"))
            continue
        first_line[code] = line
        old = existing.get(code)
        if old is None:
            creates.append({**DEFAULTS, **row})
        else:
            current = dict(zip(FIELDS, old[1:]))
            new = {**current, **row}
            if PHASES.index(new["phase"]) < PHASES.index(current["phase"]):
                new["phase"] = current["phase"]  # the register's phase never moves back
            if new == current:
                report.unchanged += 1
                continue
            updates.append({**new, "id": old[0]})
        m = _GENERATED.match(code)
        if m and m.group(1) == row["district_code"]:
            counters[m.group(1)] = max(counters.get(m.group(1), 0), int(m.group(2)))
    report.created, report.updated = len(creates), len(updates)
    return creates, updates, counters


async def _write(s, creates: list[dict], updates: list[dict], progress: bool) -> None:
    now = utcnow()
    if dialect_of(s) == "postgresql":
        size, insert_batch, update_batch = PG_BATCH, _pg_insert, _pg_update
    else:
        size, insert_batch, update_batch = BATCH, _sqlite_insert, _sqlite_update
    batches = [(insert_batch, creates[i:i + size]) for i in range(0, len(creates), size)]
    batches += [(update_batch, updates[i:i + size]) for i in range(0, len(updates), size)]
    for write, rows in _progress(batches, total=len(batches), desc="writing", enabled=progress):
        await write(s, rows, now)


_SET = [f for f in FIELDS if f != "code"]
_T = Outfall.__table__  # type: ignore[attr-defined]  # SQLModel's class typing omits __table__


async def _sqlite_insert(s, rows: list[dict], now) -> None:
    # executemany of one prepared INSERT: SQLite runs it in-process, 60,000 rows in a few seconds.
    await s.execute(insert(_T), [{**r, "client_id": None, "created_by_id": None, "created_at": now,
                                  "updated_at": now, "version": 1} for r in rows])


async def _sqlite_update(s, rows: list[dict], now) -> None:
    # Bind names differ from column names: SQLAlchemy reserves those in an UPDATE's SET clause.
    stmt = (update(_T).where(_T.c.id == bindparam("b_id"))
            .values({f: bindparam(f"b_{f}") for f in _SET} | {"version": _T.c.version + 1, "updated_at": now}))
    await s.execute(stmt, [{f"b_{k}": v for k, v in r.items() if k != "code"} for r in rows])


# PostgreSQL: one statement per batch with a column of values per array (unnest). A row-by-row executemany
# would fire the FOR EACH STATEMENT data-version trigger per row, updating its one row 60,000 times in one
# transaction, which gets slower with every update; and compiling 1000-row VALUES lists costs more still.
def _pg_array(f: str) -> str:
    ty = _T.c[f].type
    ty = getattr(ty, "impl_instance", ty)  # sqlmodel's AutoString decorates a String
    for kind, name in ((Boolean, "bool[]"), (Float, "float8[]"), (Integer, "int8[]"), (String, "text[]")):
        if isinstance(ty, kind):
            return name
    raise TypeError(f"no array type for outfalls.{f} ({ty!r})")


def _arrays(rows: list[dict], fields) -> dict:
    return {f"a_{f}": [r[f] for r in rows] for f in fields}


_PG_INSERT = text(
    f"INSERT INTO outfalls ({', '.join(FIELDS)}, client_id, created_by_id, created_at, updated_at, version) "
    f"SELECT u.*, NULL, NULL, CAST(:now AS timestamptz), CAST(:now AS timestamptz), 1 FROM unnest("
    + ", ".join(f"CAST(:a_{f} AS {_pg_array(f)})" for f in FIELDS) + f") AS u({', '.join(FIELDS)})")
_PG_UPDATE = text(
    "UPDATE outfalls AS o SET " + ", ".join(f"{f} = u.{f}" for f in _SET)
    + ", version = o.version + 1, updated_at = CAST(:now AS timestamptz) FROM unnest(CAST(:a_id AS int8[]), "
    + ", ".join(f"CAST(:a_{f} AS {_pg_array(f)})" for f in _SET) + f") AS u(id, {', '.join(_SET)}) "
    "WHERE o.id = u.id")


async def _pg_insert(s, rows: list[dict], now) -> None:
    await s.execute(_PG_INSERT, {"now": now, **_arrays(rows, FIELDS)})


async def _pg_update(s, rows: list[dict], now) -> None:
    await s.execute(_PG_UPDATE, {"now": now, **_arrays(rows, ("id", *_SET))})


async def _bump_counters(s, counters: dict[str, int]) -> None:
    """Imported codes of the generated form move the district's counter past them: no later collision."""
    if not counters:
        return
    t = OutfallCodeCounter.__table__  # type: ignore[attr-defined]  # SQLModel's class typing omits __table__
    ins = upsert(s, t)
    stmt = ins.on_conflict_do_update(index_elements=["district_code"], set_={
        "last": case((t.c.last < ins.excluded.last, ins.excluded.last), else_=t.c.last)})
    await s.execute(stmt, [{"district_code": d, "last": n} for d, n in sorted(counters.items())])


async def _audit(s, report: ImportReport, path: Path, creates, updates, actor, actor_name) -> int:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    after = {"file": path.name, "sha256": digest, "format": report.kind, "rows": report.rows,
             "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
             "skipped_bad_rows": len(report.bad),
             "created_codes": [r["code"] for r in creates[:_AUDIT_CODES]],
             "updated_codes": [r["code"] for r in updates[:_AUDIT_CODES]],
             "codes_truncated": len(creates) > _AUDIT_CODES or len(updates) > _AUDIT_CODES}
    r = await s.execute(insert(AuditEvent).returning(col(AuditEvent.id)).values(
        at=utcnow(), actor_id=actor.user_id if actor else None,
        actor_name=(actor.username if actor else actor_name or "import")[:64],
        client_addr=actor.client_addr if actor else None, action="importOutfalls", object_type="outfall_import",
        object_id=digest[:40], change="import", before={}, after=after))
    return r.scalar_one()
