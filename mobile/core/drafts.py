"""Unsaved form work, kept per record in the phone's store so it survives backing out and a kill.

Every form belongs to exactly one record: (form, record) is the key, e.g. ("inspection", outfall id),
("rectification", task id), ("review", submission id), ("registration", a client id made when the
form was started), ("finding", a client id made per quick finding). A photo is copied into the
draft's own folder the moment it is taken, under the record that asked for it, so a camera answer
that arrives after the user has moved on still lands on the right record and never on the form now
showing. A draft is removed only when the user discards it or the record is saved to the outbox.

Rows live in the store's SQLite file (one transaction per change); files live in drafts/ next to
it, written to a temporary name, fsynced and renamed before the row that names them commits.
Files no draft names are removed when Drafts is opened (what a kill mid-save leaves behind).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobile.core.store import Store, StoreError, utcnow_iso

DRAFT_DIR = "drafts"
FORMS = ("inspection", "rectification", "registration", "review", "finding", "tracing")

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    form TEXT NOT NULL,
    record TEXT NOT NULL,
    draft_values TEXT NOT NULL,                 -- the form's fields as JSON
    photos TEXT NOT NULL,                       -- {"slot": ["drafts/...jpg", ...]} relative to the data dir
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (form, record)
);
"""


@dataclass
class Draft:
    form: str
    record: str
    values: dict[str, Any] = field(default_factory=dict)
    photos: dict[str, list[str]] = field(default_factory=dict)  # slot -> absolute paths
    created_at: str = ""
    updated_at: str = ""

    @property
    def empty(self) -> bool:
        return not any(v not in (None, "", [], {}, False) for v in self.values.values()) and \
            not any(self.photos.values())


def _check(form: str, record: Any) -> str:
    if form not in FORMS:
        raise StoreError(f"unknown form {form!r}; one of {', '.join(FORMS)}")
    record = "" if record is None else str(record)
    if not record:
        raise StoreError(f"a {form} draft needs the record it belongs to")
    return record


class Drafts:
    def __init__(self, store: Store):
        self.store = store
        self.root = store.data_dir.resolve()
        self.dir = self.root / DRAFT_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        with store._lock:
            store._db.executescript(SCHEMA)
        self._remove_orphan_files()

    # -- reading ------------------------------------------------------------------------------

    def _draft(self, r) -> Draft:
        photos = {slot: [str(self.root / p) for p in paths] for slot, paths in json.loads(r["photos"]).items()}
        return Draft(r["form"], r["record"], json.loads(r["draft_values"]), photos, r["created_at"], r["updated_at"])

    def get(self, form: str, record: Any) -> Draft | None:
        record = _check(form, record)
        rows = self.store._query("SELECT * FROM drafts WHERE form = ? AND record = ?", (form, record))
        return self._draft(rows[0]) if rows else None

    def all(self, form: str | None = None) -> list[Draft]:
        rows = self.store._query("SELECT * FROM drafts" + (" WHERE form = ?" if form else "") +
                                 " ORDER BY updated_at DESC", (form,) if form else ())
        return [self._draft(r) for r in rows]

    # -- writing ------------------------------------------------------------------------------

    def _folder(self, form: str, record: str) -> Path:
        # Hashed: record ids are the server's or the phone's, and must not make a path.
        d = self.dir / form / hashlib.sha256(record.encode()).hexdigest()[:24]
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _copy_in(self, form: str, record: str, source: str | os.PathLike) -> str:
        """The photo's own copy in this record's folder (tmp + fsync + rename); its path relative to
        the data dir. A file already in this folder is kept as it is."""
        src = Path(source)
        folder = self._folder(form, record)
        if src.parent.resolve() == folder.resolve():
            return str(src.resolve().relative_to(self.root))
        if not src.is_file():
            raise StoreError(f"photo not found: {src}")
        dest = folder / f"{uuid.uuid4().hex}{src.suffix.lower() or '.jpg'}"
        tmp = dest.with_suffix(dest.suffix + ".tmp")
        with open(src, "rb") as fi, open(tmp, "wb") as fo:
            shutil.copyfileobj(fi, fo, 1 << 16)
            fo.flush()
            os.fsync(fo.fileno())
        os.replace(tmp, dest)
        return str(dest.relative_to(self.root))

    def save(self, form: str, record: Any, values: dict[str, Any],
             photos: dict[str, list[str]] | None = None) -> Draft:
        """Replace the record's draft with these values and photos (photos outside the draft's
        folder are copied in; ones the form no longer holds are deleted after the commit)."""
        record = _check(form, record)
        old = self.get(form, record)
        rel = {slot: [self._copy_in(form, record, p) for p in paths if p]
               for slot, paths in (photos or {}).items()}
        now = utcnow_iso()
        with self.store.transaction() as c:
            c.execute("INSERT INTO drafts (form, record, draft_values, photos, created_at, updated_at) "
                      "VALUES (?,?,?,?,?,?) ON CONFLICT (form, record) DO UPDATE SET "
                      "draft_values = excluded.draft_values, photos = excluded.photos, updated_at = excluded.updated_at",
                      (form, record, json.dumps(values, ensure_ascii=False), json.dumps(rel), now, now))
        if old:
            keep = {str(self.root / p) for paths in rel.values() for p in paths}
            for paths in old.photos.values():
                for p in paths:
                    if p not in keep:
                        Path(p).unlink(missing_ok=True)
        return self.get(form, record)

    def add_photo(self, form: str, record: Any, slot: str, source: str | os.PathLike) -> Draft:
        """Add a photo to the record it was taken for, whatever form is on screen by now."""
        d = self.get(form, record) or Draft(form, _check(form, record))
        photos = {k: list(v) for k, v in d.photos.items()}
        photos.setdefault(slot, []).append(str(source))
        return self.save(form, record, d.values, photos)

    def discard(self, form: str, record: Any) -> None:
        """Forget the draft and its photo copies (the user said so, or the record was saved)."""
        d = self.get(form, record)
        if d is None:
            return
        with self.store.transaction() as c:
            c.execute("DELETE FROM drafts WHERE form = ? AND record = ?", (d.form, d.record))
        for paths in d.photos.values():
            for p in paths:
                Path(p).unlink(missing_ok=True)

    def _remove_orphan_files(self) -> None:
        known = {str(self.root / p) for r in self.store._query("SELECT photos FROM drafts")
                 for paths in json.loads(r["photos"]).values() for p in paths}
        for f in self.dir.rglob("*"):
            if f.is_file() and str(f) not in known:
                f.unlink(missing_ok=True)
