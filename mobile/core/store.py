"""The phone's local store: one SQLite file (WAL) that every action is written to before anything is sent.

Tables: outbox (records to send, in order), photos (full-quality copies in the app's folder), outfalls
(the cached register), cache (reference data as JSON by key), session (for offline sign-in), meta
(sync bookkeeping). Every change is one transaction (BEGIN IMMEDIATE ... COMMIT), so killing the
process at any point leaves either the old or the new state. Photo files are written to a temporary
name, fsynced and renamed before the row that points at them commits; files no row points at are
removed when the store is opened.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import mimetypes
import os
import secrets
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DB_NAME = "outfallwatch.sqlite3"
PHOTO_DIR = "photos"
KINDS = ("registerOutfall", "recordInspection", "submitRectification", "reviewSubmission", "startTask",
         "recordPatrol", "createTask", "verifyOutfall", "submitTracingRecord")
ROLES = ("GENERAL", "BEFORE", "AFTER", "SIGNBOARD", "SAMPLE")
# Kinds whose GraphQL input carries clientId (idempotent on the server); the others are made safe by sync.py.
CLIENT_ID_KINDS = ("registerOutfall", "recordInspection", "submitRectification", "recordPatrol", "createTask",
                   "submitTracingRecord")
PENDING, SENT, FAILED, READY = "pending", "sent", "failed", "ready"
DEPENDENCY_FAILED = "DEPENDENCY_FAILED"
_PBKDF2_ROUNDS = 120_000  # a few tenths of a second on a phone: fine once per sign-in

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,      -- the order records are sent in
    client_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,                      -- GraphQL input as JSON, local refs unresolved
    state TEXT NOT NULL DEFAULT 'pending',      -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,    -- epoch seconds
    error_code TEXT,
    error_message TEXT,
    server_id TEXT,                             -- id of what the server made (outfall id, inspection id...)
    result TEXT,                                -- the server's answer as JSON
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE TABLE IF NOT EXISTS photos (
    client_id TEXT PRIMARY KEY,                 -- the phone's name for the photo (used in {"$photo": ...})
    upload_client_id TEXT NOT NULL UNIQUE,      -- clientId sent to requestUpload (renewed if a ticket expires)
    owner_client_id TEXT,                       -- the outbox record that uses it
    path TEXT NOT NULL,                         -- relative to the data dir
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'GENERAL',
    media_id TEXT,                              -- the server's media id once requestUpload answered
    state TEXT NOT NULL DEFAULT 'pending',      -- pending | ready | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_owner ON photos(owner_client_id);
CREATE TABLE IF NOT EXISTS outfalls (
    id TEXT PRIMARY KEY,
    district_code TEXT,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    data TEXT NOT NULL,                         -- the server's Outfall as JSON
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outfalls_district ON outfalls(district_code);
CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS session (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    username TEXT NOT NULL,
    token TEXT,
    expires_at TEXT,
    user TEXT NOT NULL,
    password_salt BLOB,
    password_hash BLOB,
    signed_in_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS patrol_points (      -- the running patrol's kept fixes, so a kill loses none
    patrol_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    accuracy_m REAL,
    at TEXT NOT NULL,
    mocked INTEGER,
    PRIMARY KEY (patrol_id, seq)
);
"""


def utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ErrorInfo:
    """Why something failed: the server's code (or TRANSPORT / a local code) and a sentence for the user."""
    code: str
    message: str


@dataclass(frozen=True)
class OutboxItem:
    seq: int
    client_id: str
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: float
    error: ErrorInfo | None
    server_id: str | None
    result: dict[str, Any] | None
    created_at: str
    sent_at: str | None


@dataclass(frozen=True)
class Photo:
    client_id: str
    upload_client_id: str
    owner_client_id: str | None
    path: Path  # absolute
    filename: str
    sha256: str
    size_bytes: int
    content_type: str
    role: str
    media_id: str | None
    state: str
    attempts: int
    next_attempt_at: float
    error: ErrorInfo | None


@dataclass(frozen=True)
class SyncCounts:
    """What the sync badge shows."""
    records_waiting: int
    photos_waiting: int
    failures: int
    last_sync_at: str | None
    needs_sign_in: bool = False
    last_error: ErrorInfo | None = None


@dataclass(frozen=True)
class Session:
    username: str
    token: str | None
    expires_at: str | None
    user: dict[str, Any]
    signed_in_at: str


@dataclass
class NewPhoto:
    """A photo to add with a record: the source file and its role (GENERAL, BEFORE, AFTER...)."""
    source: str | os.PathLike
    role: str = "GENERAL"
    content_type: str | None = None
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class StoreError(Exception):
    """A local problem the user can act on (unreadable photo, unknown item...)."""


def _sha256_file(path: Path) -> tuple[str, int]:
    h, n = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _content_type(path: Path, given: str | None) -> str:
    if given:
        return given
    with open(path, "rb") as f:
        head = f.read(12)
    # Sniff the common camera formats; the server checks by content too, so a wrong guess fails early there.
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _error(code: str | None, message: str | None) -> ErrorInfo | None:
    return ErrorInfo(code, message or "") if code else None


class Store:
    """The local store. Thread-safe: one connection guarded by a lock (UI thread + sync thread)."""

    def __init__(self, data_dir: str | os.PathLike, *, orphan_grace_s: float = 0.0):
        self.data_dir = Path(data_dir)
        self.photo_dir = self.data_dir / PHOTO_DIR
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_NAME
        self._lock = threading.RLock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly what we say.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a photo or reading must survive a power cut
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._remove_orphan_files(orphan_grace_s)

    @classmethod
    def open(cls, data_dir: str | os.PathLike, **kw) -> "Store":
        return cls(data_dir, **kw)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any exception (and by SQLite itself on a kill)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- photos -------------------------------------------------------------------------------

    def _copy_in(self, p: NewPhoto) -> dict[str, Any]:
        """Copy the full-quality file into the app's folder (tmp + fsync + rename); no row yet."""
        src = Path(p.source)
        if not src.is_file():
            raise StoreError(f"photo not found: {src}")
        if p.role not in ROLES:
            raise StoreError(f"photo role must be one of {', '.join(ROLES)}; got {p.role!r}")
        ct = _content_type(src, p.content_type)
        ext = mimetypes.guess_extension(ct) or src.suffix or ".bin"
        ext = ".jpg" if ext in (".jpe", ".jpeg") else ext
        rel = f"{PHOTO_DIR}/{p.client_id}{ext}"
        dest = self.data_dir / rel
        tmp = dest.with_suffix(dest.suffix + ".tmp")
        with open(src, "rb") as fi, open(tmp, "wb") as fo:
            shutil.copyfileobj(fi, fo, 1 << 16)
            fo.flush()
            os.fsync(fo.fileno())
        os.replace(tmp, dest)
        sha, size = _sha256_file(dest)  # hash the copy: that is what will be sent
        if size == 0:
            dest.unlink(missing_ok=True)
            raise StoreError(f"photo is empty: {src}")
        return dict(client_id=p.client_id, upload_client_id=str(uuid.uuid4()), path=rel, filename=src.name,
                    sha256=sha, size_bytes=size, content_type=ct, role=p.role)

    def _insert_photo(self, c: sqlite3.Connection, row: dict[str, Any], owner: str | None) -> None:
        c.execute("INSERT INTO photos (client_id, upload_client_id, owner_client_id, path, filename, sha256, "
                  "size_bytes, content_type, role, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                  (row["client_id"], row["upload_client_id"], owner, row["path"], row["filename"], row["sha256"],
                   row["size_bytes"], row["content_type"], row["role"], utcnow_iso()))

    def _row_photo(self, r: sqlite3.Row) -> Photo:
        return Photo(client_id=r["client_id"], upload_client_id=r["upload_client_id"],
                     owner_client_id=r["owner_client_id"], path=self.data_dir / r["path"], filename=r["filename"],
                     sha256=r["sha256"], size_bytes=r["size_bytes"], content_type=r["content_type"], role=r["role"],
                     media_id=r["media_id"], state=r["state"], attempts=r["attempts"],
                     next_attempt_at=r["next_attempt_at"], error=_error(r["error_code"], r["error_message"]))

    def photo(self, client_id: str) -> Photo | None:
        rows = self._query("SELECT * FROM photos WHERE client_id=?", (client_id,))
        return self._row_photo(rows[0]) if rows else None

    def photos(self, state: str | None = None, owner: str | None = None) -> list[Photo]:
        sql, args = "SELECT * FROM photos WHERE 1=1", []
        if state:
            sql += " AND state=?"
            args.append(state)
        if owner:
            sql += " AND owner_client_id=?"
            args.append(owner)
        return [self._row_photo(r) for r in self._query(sql + " ORDER BY created_at, rowid", tuple(args))]

    def due_photos(self, now: float) -> list[Photo]:
        return [self._row_photo(r) for r in self._query(
            "SELECT * FROM photos WHERE state='pending' AND next_attempt_at<=? ORDER BY rowid", (now,))]

    def replace_photo(self, client_id: str, source: str | os.PathLike, content_type: str | None = None) -> Photo:
        """Swap a (rejected) photo's file for another; it is uploaded afresh under a new upload clientId."""
        old = self.photo(client_id)
        if old is None:
            raise StoreError(f"no photo {client_id}")
        tmp_id = f"{client_id}-{uuid.uuid4().hex[:8]}"
        row = self._copy_in(NewPhoto(source, old.role, content_type, client_id=tmp_id))
        with self.transaction() as c:
            c.execute("UPDATE photos SET upload_client_id=?, path=?, filename=?, sha256=?, size_bytes=?, "
                      "content_type=?, media_id=NULL, state='pending', attempts=0, next_attempt_at=0, "
                      "error_code=NULL, error_message=NULL WHERE client_id=?",
                      (row["upload_client_id"], row["path"], row["filename"], row["sha256"], row["size_bytes"],
                       row["content_type"], client_id))
            self._repend_dependants(c, old.owner_client_id)
        old.path.unlink(missing_ok=True)
        return self.photo(client_id)  # type: ignore[return-value]

    # The sync engine's photo transitions: each one commit, each only after the server confirmed.
    def photo_requested(self, client_id: str, media_id: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE photos SET media_id=? WHERE client_id=?", (media_id, client_id))

    def photo_ready(self, client_id: str, media_id: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE photos SET media_id=?, state='ready', error_code=NULL, error_message=NULL "
                      "WHERE client_id=?", (media_id, client_id))

    def photo_failed(self, client_id: str, error: ErrorInfo) -> None:
        with self.transaction() as c:
            c.execute("UPDATE photos SET state='failed', error_code=?, error_message=? WHERE client_id=?",
                      (error.code, error.message, client_id))

    def photo_retry_later(self, client_id: str, error: ErrorInfo, next_attempt_at: float) -> None:
        with self.transaction() as c:
            c.execute("UPDATE photos SET attempts=attempts+1, next_attempt_at=?, error_code=?, error_message=? "
                      "WHERE client_id=?", (next_attempt_at, error.code, error.message, client_id))

    def photo_new_upload_id(self, client_id: str) -> str:
        """The server's ticket expired: the same file goes again under a fresh upload clientId."""
        new = str(uuid.uuid4())
        with self.transaction() as c:
            c.execute("UPDATE photos SET upload_client_id=?, media_id=NULL WHERE client_id=?", (new, client_id))
        return new

    # -- outbox -------------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any], *, photos: list[NewPhoto] = (),
                client_id: str | None = None) -> OutboxItem:
        """Copy the photos in and queue the record, all or nothing. `payload` may hold {"$photo": id} refs."""
        if kind not in KINDS:
            raise StoreError(f"unknown record kind {kind!r}; one of {', '.join(KINDS)}")
        client_id = client_id or str(payload.get("clientId") or uuid.uuid4())
        if kind in CLIENT_ID_KINDS:  # the server's idempotency key is the phone's id for the record
            payload = {**payload, "clientId": client_id}
        rows = []
        try:
            for p in photos:
                rows.append(self._copy_in(p))
            with self.transaction() as c:
                c.execute("INSERT INTO outbox (client_id, kind, payload, created_at) VALUES (?,?,?,?)",
                                (client_id, kind, json.dumps(payload, ensure_ascii=False), utcnow_iso()))
                for r in rows:
                    self._insert_photo(c, r, client_id)
        except BaseException:
            for r in rows:  # the record never existed: neither do its copies
                (self.data_dir / r["path"]).unlink(missing_ok=True)
            raise
        return self.item(client_id)  # type: ignore[return-value]

    def _row_item(self, r: sqlite3.Row) -> OutboxItem:
        return OutboxItem(seq=r["seq"], client_id=r["client_id"], kind=r["kind"], payload=json.loads(r["payload"]),
                          state=r["state"], attempts=r["attempts"], next_attempt_at=r["next_attempt_at"],
                          error=_error(r["error_code"], r["error_message"]), server_id=r["server_id"],
                          result=json.loads(r["result"]) if r["result"] else None, created_at=r["created_at"],
                          sent_at=r["sent_at"])

    def item(self, client_id: str) -> OutboxItem | None:
        rows = self._query("SELECT * FROM outbox WHERE client_id=?", (client_id,))
        return self._row_item(rows[0]) if rows else None

    def items(self, state: str | None = None, kind: str | None = None) -> list[OutboxItem]:
        sql, args = "SELECT * FROM outbox WHERE 1=1", []
        if state:
            sql += " AND state=?"
            args.append(state)
        if kind:
            sql += " AND kind=?"
            args.append(kind)
        return [self._row_item(r) for r in self._query(sql + " ORDER BY seq", tuple(args))]

    def pending_items(self) -> list[OutboxItem]:
        return self.items(state=PENDING)

    def item_sent(self, client_id: str, server_id: str | None, result: dict[str, Any] | None, *,
                  outfall: dict[str, Any] | None = None) -> None:
        """The server confirmed the record; an outfall it made joins the cached register at once."""
        with self.transaction() as c:
            c.execute("UPDATE outbox SET state='sent', server_id=?, result=?, sent_at=?, error_code=NULL, "
                      "error_message=NULL WHERE client_id=?",
                      (server_id, json.dumps(result, ensure_ascii=False) if result is not None else None,
                       utcnow_iso(), client_id))
            if outfall is not None and outfall.get("location"):
                c.execute("INSERT OR REPLACE INTO outfalls (id, district_code, lat, lon, data, updated_at) "
                          "VALUES (?,?,?,?,?,?)",
                          (outfall["id"], (outfall.get("district") or {}).get("code"), outfall["location"]["lat"],
                           outfall["location"]["lon"], json.dumps(outfall, ensure_ascii=False), utcnow_iso()))

    def item_failed(self, client_id: str, error: ErrorInfo) -> None:
        with self.transaction() as c:
            c.execute("UPDATE outbox SET state='failed', attempts=attempts+1, error_code=?, error_message=? "
                      "WHERE client_id=?", (error.code, error.message, client_id))

    def item_retry_later(self, client_id: str, error: ErrorInfo, next_attempt_at: float) -> None:
        with self.transaction() as c:
            c.execute("UPDATE outbox SET attempts=attempts+1, next_attempt_at=?, error_code=?, error_message=? "
                      "WHERE client_id=?", (next_attempt_at, error.code, error.message, client_id))

    def _repend_dependants(self, c: sqlite3.Connection, owner: str | None) -> None:
        # Records that failed only because something they use failed get another chance with it.
        c.execute("UPDATE outbox SET state='pending', next_attempt_at=0, error_code=NULL, error_message=NULL "
                  "WHERE state='failed' AND error_code=?", (DEPENDENCY_FAILED,))
        if owner:
            c.execute("UPDATE outbox SET state='pending', next_attempt_at=0, error_code=NULL, error_message=NULL "
                      "WHERE client_id=? AND state='failed'", (owner,))

    def retry(self, client_id: str) -> None:
        """Send a failed record (or photo) again, now. Its failed photos are retried with it."""
        with self.transaction() as c:
            n = c.execute("UPDATE outbox SET state='pending', next_attempt_at=0, error_code=NULL, "
                          "error_message=NULL WHERE client_id=? AND state='failed'", (client_id,)).rowcount
            m = c.execute("UPDATE photos SET state='pending', next_attempt_at=0, error_code=NULL, error_message=NULL "
                          "WHERE (client_id=? OR owner_client_id=?) AND state='failed'",
                          (client_id, client_id)).rowcount
            if not n and not m and not c.execute("SELECT 1 FROM outbox WHERE client_id=? UNION "
                                                 "SELECT 1 FROM photos WHERE client_id=?",
                                                 (client_id, client_id)).fetchone():
                raise StoreError(f"nothing to retry: no item {client_id}")
            self._repend_dependants(c, None)

    def fix(self, client_id: str, changes: dict[str, Any]) -> OutboxItem:
        """Change fields of a failed or waiting record (e.g. a mistyped reading) and queue it again."""
        with self.transaction() as c:
            r = c.execute("SELECT payload, state, attempts FROM outbox WHERE client_id=?", (client_id,)).fetchone()
            if r is None:
                raise StoreError(f"no item {client_id}")
            # A waiting record that was tried may already be on the server (the answer lost): changing it
            # then would make its replay a conflict. A failed one was refused, so it is the user's to fix.
            if r["state"] == SENT or (r["state"] == PENDING and r["attempts"] > 0):
                raise StoreError("this record may already have reached the server; it cannot be changed now")
            old = json.loads(r["payload"])
            payload = {**old, **changes}
            if "clientId" in old:  # the idempotency key is not the user's to change
                payload["clientId"] = old["clientId"]
            c.execute("UPDATE outbox SET payload=?, state='pending', next_attempt_at=0, error_code=NULL, "
                      "error_message=NULL WHERE client_id=?", (json.dumps(payload, ensure_ascii=False), client_id))
            self._repend_dependants(c, None)
        return self.item(client_id)  # type: ignore[return-value]

    def discard(self, client_id: str) -> None:
        """Drop a record that was not sent, with its photos (files included). Sent records stay."""
        with self.transaction() as c:
            r = c.execute("SELECT state FROM outbox WHERE client_id=?", (client_id,)).fetchone()
            if r is None:
                raise StoreError(f"no item {client_id}")
            if r["state"] == SENT:
                raise StoreError("this record has already reached the server; it cannot be discarded")
            paths = [row["path"] for row in c.execute("SELECT path FROM photos WHERE owner_client_id=?",
                                                      (client_id,))]
            c.execute("DELETE FROM photos WHERE owner_client_id=?", (client_id,))
            c.execute("DELETE FROM outbox WHERE client_id=?", (client_id,))
        for p in paths:  # after the commit: a kill in between leaves orphans, removed at the next open
            (self.data_dir / p).unlink(missing_ok=True)

    def server_id_of(self, client_id: str) -> str | None:
        """The server id of what a sent record made (e.g. an outfall registered offline)."""
        r = self._query("SELECT server_id FROM outbox WHERE client_id=? AND state='sent'", (client_id,))
        return r[0]["server_id"] if r else None

    # -- counts and sync metadata -------------------------------------------------------------

    def counts(self) -> SyncCounts:
        r = self._query(
            "SELECT (SELECT count(*) FROM outbox WHERE state='pending') AS rw, "
            "(SELECT count(*) FROM photos WHERE state='pending') AS pw, "
            "(SELECT count(*) FROM outbox WHERE state='failed') + "
            "(SELECT count(*) FROM photos WHERE state='failed') AS f")[0]
        err = self.get_meta("last_error")
        return SyncCounts(records_waiting=r["rw"], photos_waiting=r["pw"], failures=r["f"],
                          last_sync_at=self.get_meta("last_sync_at"),
                          needs_sign_in=self.get_meta("needs_sign_in") == "1",
                          last_error=ErrorInfo(**json.loads(err)) if err else None)

    def get_meta(self, key: str) -> str | None:
        r = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return r[0]["value"] if r else None

    def set_meta(self, **values: str | None) -> None:
        with self.transaction() as c:
            for k, v in values.items():
                c.execute("INSERT INTO meta (key, value) VALUES (?,?) "
                          "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (k, v))

    def note_sync(self, *, ok: bool, error: ErrorInfo | None = None) -> None:
        """Bookkeeping after a sync pass: last successful sync time, last error, sign-in needed."""
        vals: dict[str, str | None] = {}
        if ok:
            vals["last_sync_at"] = utcnow_iso()
        vals["last_error"] = json.dumps({"code": error.code, "message": error.message}) if error else None
        if error is not None and error.code == "UNAUTHENTICATED":
            vals["needs_sign_in"] = "1"
        elif ok:
            vals["needs_sign_in"] = "0"
        self.set_meta(**vals)

    # -- cached reference data ----------------------------------------------------------------

    def put_cache(self, key: str, value: Any) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO cache (key, value, updated_at) VALUES (?,?,?) ON CONFLICT(key) DO UPDATE SET "
                      "value=excluded.value, updated_at=excluded.updated_at",
                      (key, json.dumps(value, ensure_ascii=False), utcnow_iso()))

    def get_cache(self, key: str, default: Any = None) -> Any:
        r = self._query("SELECT value FROM cache WHERE key=?", (key,))
        return json.loads(r[0]["value"]) if r else default

    def cache_updated_at(self, key: str) -> str | None:
        r = self._query("SELECT updated_at FROM cache WHERE key=?", (key,))
        return r[0]["updated_at"] if r else None

    def districts(self) -> list[dict]:
        return self.get_cache("districts", [])

    def rivers(self) -> list[dict]:
        return self.get_cache("rivers", [])

    def limits(self) -> list[dict]:
        """Cached standard limit rows; the bundled table until the server has sent one."""
        rows = self.get_cache("limits")
        if rows is None:
            from mobile.core.limits import bundled_rows
            rows = bundled_rows()
        return rows

    def tasks(self) -> list[dict]:
        return self.get_cache("tasks", [])

    def review_queue(self) -> list[dict]:
        return self.get_cache("review_queue", [])

    def replace_outfalls(self, district_code: str | None, outfalls: list[dict[str, Any]]) -> None:
        """Swap the cached register of a district for a fresh download, in one transaction."""
        now = utcnow_iso()
        with self.transaction() as c:
            if district_code is None:
                c.execute("DELETE FROM outfalls")
            else:
                c.execute("DELETE FROM outfalls WHERE district_code=?", (district_code,))
            c.executemany("INSERT OR REPLACE INTO outfalls (id, district_code, lat, lon, data, updated_at) "
                          "VALUES (?,?,?,?,?,?)",
                          [(o["id"], (o.get("district") or {}).get("code"), o["location"]["lat"],
                            o["location"]["lon"], json.dumps(o, ensure_ascii=False), now) for o in outfalls])

    def outfalls(self, district_code: str | None = None) -> list[dict[str, Any]]:
        """The cached register, plus outfalls registered on this phone that have not been synced yet
        (those carry "id": None and "clientId", the local reference to use)."""
        sql, args = "SELECT data FROM outfalls", ()
        if district_code:
            sql, args = sql + " WHERE district_code=?", (district_code,)
        out = [json.loads(r["data"]) for r in self._query(sql + " ORDER BY id", args)]
        local = [it for it in self.items(kind="registerOutfall") if it.state != SENT]
        if local:
            # Named as the cached register names them (长江, 渝中区), never by their codes (YANGTZE, 500103).
            rivers = {r.get("code"): r for r in self.rivers()}
            districts = {d.get("code"): d for d in self.districts()}
        for it in local:
            p = it.payload
            if district_code and p.get("districtCode") != district_code:
                continue
            out.append({"id": None, "clientId": it.client_id, "code": None, "name": p.get("name"),
                        "category": p.get("category"), "subtype": p.get("subtype"), "location": p.get("location"),
                        "district": _named(districts, p.get("districtCode")),
                        "river": _named(rivers, p.get("riverCode")),
                        "waterClass": p.get("waterClass"), "responsibleUnit": p.get("responsibleUnit"),
                        "signboardInstalled": p.get("signboardInstalled"), "phase": "SURVEYED", "local": True,
                        "verification": "SUSPECTED" if p.get("suspected") else "VERIFIED"})
        return out

    def outfall(self, id_or_client_id: str) -> dict[str, Any] | None:
        r = self._query("SELECT data FROM outfalls WHERE id=?", (str(id_or_client_id),))
        if r:
            return json.loads(r[0]["data"])
        return next((o for o in self.outfalls() if o.get("clientId") == id_or_client_id), None)

    # -- session (offline sign-in) ------------------------------------------------------------

    def save_session(self, *, username: str, password: str | None, token: str, expires_at: str | None,
                     user: dict[str, Any]) -> None:
        """After an online sign-in: keep the token and a salted hash of the password for offline sign-in."""
        salt = secrets.token_bytes(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ROUNDS) if password else None
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO session (id, username, token, expires_at, user, password_salt, "
                      "password_hash, signed_in_at) VALUES (1,?,?,?,?,?,?,?)",
                      (username, token, expires_at, json.dumps(user, ensure_ascii=False), salt if digest else None,
                       digest, utcnow_iso()))
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('needs_sign_in', '0')")

    def session(self) -> Session | None:
        r = self._query("SELECT * FROM session WHERE id=1")
        if not r:
            return None
        r = r[0]
        return Session(username=r["username"], token=r["token"], expires_at=r["expires_at"],
                       user=json.loads(r["user"]), signed_in_at=r["signed_in_at"])

    def session_token(self) -> str | None:
        s = self.session()
        return s.token if s else None

    def check_offline_password(self, username: str, password: str) -> Session | None:
        """The cached session if this is the user who last signed in online with this password."""
        r = self._query("SELECT * FROM session WHERE id=1")
        if not r or r[0]["username"] != username or r[0]["password_hash"] is None:
            return None
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), r[0]["password_salt"], _PBKDF2_ROUNDS)
        return self.session() if hmac.compare_digest(digest, r[0]["password_hash"]) else None

    def clear_session(self) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM session")

    # -- the running patrol ------------------------------------------------------------------

    def patrol_begin(self, patrol_id: str, started_at: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('active_patrol', ?)",
                      (json.dumps({"id": patrol_id, "startedAt": started_at}),))

    def active_patrol(self) -> dict[str, Any] | None:
        v = self.get_meta("active_patrol")
        return json.loads(v) if v else None

    def patrol_add_point(self, patrol_id: str, seq: int, lat: float, lon: float, accuracy_m: float | None,
                         at: str, mocked: bool | None) -> None:
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO patrol_points VALUES (?,?,?,?,?,?,?)",
                      (patrol_id, seq, lat, lon, accuracy_m, at, None if mocked is None else int(mocked)))

    def patrol_points(self, patrol_id: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._query("SELECT * FROM patrol_points WHERE patrol_id=? ORDER BY seq",
                                             (patrol_id,))]

    def patrol_finish(self, patrol_id: str, payload: dict[str, Any] | None) -> OutboxItem | None:
        """End the running patrol: queue its record (None: discard it) and drop its points, at once."""
        with self.transaction() as c:
            if payload is not None:
                c.execute("INSERT INTO outbox (client_id, kind, payload, created_at) VALUES (?,?,?,?)",
                          (patrol_id, "recordPatrol", json.dumps(payload, ensure_ascii=False), utcnow_iso()))
            c.execute("DELETE FROM patrol_points WHERE patrol_id=?", (patrol_id,))
            c.execute("DELETE FROM meta WHERE key='active_patrol'")
        return self.item(patrol_id) if payload is not None else None

    # -- housekeeping -------------------------------------------------------------------------

    def _remove_orphan_files(self, grace_s: float) -> None:
        """Files a kill left behind: half-copied (.tmp) or copied for a record that never committed.
        `grace_s` spares files that young, should a second Store on the same folder be mid-enqueue."""
        known = {r["path"] for r in self._query("SELECT path FROM photos")}
        cutoff = time.time() - grace_s
        for f in self.photo_dir.iterdir():
            rel = f"{PHOTO_DIR}/{f.name}"
            if rel not in known and f.is_file() and f.stat().st_mtime < cutoff:
                f.unlink(missing_ok=True)


def _named(cached: dict[str, dict], code: str | None) -> dict[str, Any]:
    """{code, name, nameEn} from a cached list (rivers, districts); the code alone if it is not cached."""
    c = cached.get(code) or {}
    return {"code": code, "name": c.get("name"), "nameEn": c.get("nameEn")}
