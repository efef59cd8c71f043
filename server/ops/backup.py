"""Backups that restore: every table as JSON Lines, every object, and a manifest of hashes.

Rows are read in primary-key order and streamed; values are type-tagged so datetimes and JSON
round-trip exactly. `restore` needs a freshly migrated database of the same revision, loads all
rows in one transaction, resets PostgreSQL sequences, puts the objects back and verifies every hash.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Integer, delete, func, insert, select, text

from server.db import Database
from server.domain.errors import BadInput
from server.migrate import current_revision
from server.models import metadata

REFERENCE = {"districts", "rivers", "data_version"}  # present in every migrated database; replaced


def _tables():
    return [t for t in metadata.sorted_tables]


def _enc(v):
    if isinstance(v, datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, date):  # after datetime, which is a date too
        return {"$d": v.isoformat()}
    if isinstance(v, (bytes, bytearray, memoryview)):  # e.g. media_prints' feature blobs
        return {"$b64": base64.b64encode(bytes(v)).decode("ascii")}
    return v


def _dec(v):
    if isinstance(v, dict) and len(v) == 1:
        if "$dt" in v:
            return datetime.fromisoformat(v["$dt"])
        if "$d" in v:
            return date.fromisoformat(v["$d"])
        if "$b64" in v:
            return base64.b64decode(v["$b64"])
    return v


def _line(row: dict) -> str:
    return json.dumps({k: _enc(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)


async def _table_lines(db: Database, table):
    async with db.engine.connect() as c:
        result = await c.stream(select(table).order_by(*table.primary_key.columns))
        async for row in result.mappings():
            yield _line(dict(row))


async def table_digest(db: Database, table) -> tuple[int, str]:
    h, n = hashlib.sha256(), 0
    async for line in _table_lines(db, table):
        h.update(line.encode() + b"\n")
        n += 1
    return n, h.hexdigest()


async def backup(*, db: Database, store, dest: Path) -> dict:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BadInput(f"{dest} is not empty", field="dest")
    (dest / "tables").mkdir(parents=True, exist_ok=True)
    tables: dict[str, dict] = {}
    objects: list[dict] = []
    manifest = {"revision": await current_revision(db), "tables": tables, "objects": objects}
    for t in _tables():
        h, n = hashlib.sha256(), 0
        with open(dest / "tables" / f"{t.name}.jsonl", "w", encoding="utf-8") as f:
            async for line in _table_lines(db, t):
                f.write(line + "\n")
                h.update(line.encode() + b"\n")
                n += 1
        tables[t.name] = {"rows": n, "sha256": h.hexdigest()}
    async for key in store.keys(""):
        data = await store.get(key)
        path = dest / "objects" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        objects.append({"key": key, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


def _parents_first(rows: list[dict], fk_col: str, ref_col: str) -> list[dict]:
    done, out, left = set(), [], rows
    while left:
        ready = [r for r in left if r[fk_col] is None or r[fk_col] in done]
        if not ready:
            raise BadInput("the backup has a reference cycle")
        out += ready
        done |= {r[ref_col] for r in ready}
        left = [r for r in left if r not in ready]
    return out


async def restore(*, db: Database, store, src: Path) -> dict:
    src = Path(src)
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    rev = await current_revision(db)
    if rev != manifest["revision"]:
        raise BadInput(f"database is at {rev}, the backup at {manifest['revision']}: migrate to it first")
    async with db.session() as s:
        for t in _tables():
            if t.name not in REFERENCE and (await s.execute(select(func.count()).select_from(t))).scalar_one():
                raise BadInput(f"the target database is not empty (table {t.name}); restore into a fresh one")
    async with db.transaction() as s:
        for t in reversed(_tables()):
            if t.name in REFERENCE:
                await s.execute(delete(t))
        for t in _tables():
            self_ref = [fk for fk in t.foreign_keys if fk.column.table is t]
            batch = []
            with open(src / "tables" / f"{t.name}.jsonl", encoding="utf-8") as f:
                lines: Iterable[dict] = (json.loads(line) for line in f)
                if self_ref:  # e.g. rivers -> the river they join: parents before children
                    lines = _parents_first(list(lines), self_ref[0].parent.name, self_ref[0].column.name)
                for row in lines:
                    batch.append({k: _dec(v) for k, v in row.items()})
                    if len(batch) >= 1000:
                        await s.execute(insert(t), batch)
                        batch = []
            if batch:
                await s.execute(insert(t), batch)
        if db.dialect == "postgresql":
            for t in _tables():
                pk = list(t.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement is not False:
                    await s.execute(text(f"SELECT setval(pg_get_serial_sequence('{t.name}', '{pk[0].name}'), "
                                         f"coalesce((SELECT max({pk[0].name}) FROM {t.name}), 1))"))
    for o in manifest["objects"]:
        data = (src / "objects" / o["key"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != o["sha256"]:
            raise BadInput(f"object {o['key']} in the backup is corrupt")
        await store.put(o["key"], data, content_type="application/octet-stream")
    return await verify(db=db, store=store, manifest=manifest)


async def verify(*, db: Database, store, manifest: dict) -> dict:
    """Every table's row count and hash, and every object's hash, as the manifest says."""
    bad = []
    for t in _tables():
        if t.name == "data_version":
            continue  # triggers move it while rows are loaded; its value is not data
        n, h = await table_digest(db, t)
        m = manifest["tables"].get(t.name)
        if m is None or (n, h) != (m["rows"], m["sha256"]):
            bad.append(t.name)
    for o in manifest["objects"]:
        if hashlib.sha256(await store.get(o["key"])).hexdigest() != o["sha256"]:
            bad.append(o["key"])
    if bad:
        raise BadInput(f"restored data differs from the backup: {', '.join(bad[:10])}")
    return {"tables": len(manifest["tables"]), "rows": sum(t["rows"] for t in manifest["tables"].values()),
            "objects": len(manifest["objects"])}
