"""The embedded default: objects as files, URLs signed with HMAC-SHA256 and served by our own routes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import anyio

from server.storage.base import ObjectInfo, UploadTicket, check_key, check_prefix

DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class BadToken(Exception):
    pass


class LocalStore:
    def __init__(self, root: Path, *, public_url: str, secret: bytes, max_upload_bytes: int = DEFAULT_MAX_UPLOAD):
        if not secret:
            raise ValueError("LocalStore needs a non-empty secret to sign media URLs")
        self.root = Path(root)
        self.public_url = public_url.rstrip("/")
        self.max_upload_bytes = max_upload_bytes
        # A key of its own, so a media token can never pass for any other token signed with the app secret.
        self._secret = hmac.new(secret, b"outfallwatch/media-url/v1", hashlib.sha256).digest()

    # -- tokens ------------------------------------------------------------------------------
    def sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{_b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())}"

    def verify(self, token: str, purpose: str) -> dict:
        """The payload of a good, unexpired token for `purpose`; BadToken (short reason) otherwise."""
        body, _, mac = (token or "").partition(".")
        good = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        if not mac or not hmac.compare_digest(mac.encode(), good.encode()):
            raise BadToken("bad signature")
        try:
            payload = json.loads(_unb64(body))
            exp, key = payload["exp"], check_key(payload["k"])
        except (ValueError, KeyError, TypeError) as e:
            raise BadToken("malformed token") from e
        if payload.get("p") != purpose:
            raise BadToken("wrong kind of link")
        if not isinstance(exp, int) or exp < time.time():
            raise BadToken("link expired")
        payload["k"] = key
        return payload

    # -- files -------------------------------------------------------------------------------
    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    @staticmethod
    def meta_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.meta")  # dot-names are never keys (check_key)

    def read_meta(self, path: Path) -> dict:
        try:
            return json.loads(self.meta_path(path).read_text())
        except (FileNotFoundError, ValueError):
            return {}

    @staticmethod
    def spent_path(path: Path) -> Path:
        """Marks a key whose upload ticket was used: tickets are single use, whatever became of the object."""
        return path.with_name(f".{path.name}.spent")

    def claim_ticket(self, path: Path, exp: int) -> bool:
        """Spend the upload ticket for `path` (atomically: O_EXCL); False if it was spent before."""
        try:
            fd = os.open(self.spent_path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as f:
            f.write(str(exp))
        return True

    def _drop_spent_mark(self, path: Path) -> None:
        # While the ticket could still be presented the mark stays, so a deleted (rejected) object cannot
        # be uploaded again; once it has expired the signature refuses it anyway and the mark can go.
        mark = self.spent_path(path)
        try:
            exp = int(mark.read_text() or 0)
        except (FileNotFoundError, ValueError):
            exp = 0
        if exp < time.time():
            mark.unlink(missing_ok=True)

    def write_meta(self, path: Path, content_type: str) -> None:
        atomic_write(self.meta_path(path), [json.dumps({"content_type": content_type}).encode()])

    # -- ObjectStore -------------------------------------------------------------------------
    async def ensure_ready(self) -> None:
        await anyio.to_thread.run_sync(lambda: self.root.mkdir(parents=True, exist_ok=True))

    async def presign_upload(self, key: str, *, content_type: str, size: int, expires: timedelta) -> UploadTicket:
        check_key(key)
        if not 0 <= size <= self.max_upload_bytes:
            raise ValueError(f"upload size {size} outside 0..{self.max_upload_bytes}")
        exp = (datetime.now(timezone.utc) + expires).replace(microsecond=0)
        t = self.sign({"p": "put", "k": key, "ct": content_type, "n": size, "exp": int(exp.timestamp())})
        return UploadTicket(url=f"{self.public_url}/media/upload?t={t}", method="PUT",
                            headers={"Content-Type": content_type}, fields={}, expires_at=exp)

    async def presign_download(self, key: str, *, expires: timedelta, filename: str | None = None) -> str:
        exp = int((datetime.now(timezone.utc) + expires).timestamp())
        payload = {"p": "get", "k": check_key(key), "exp": exp}
        if filename:
            payload["fn"] = filename
        return f"{self.public_url}/media/object?t={self.sign(payload)}"

    async def stat(self, key: str) -> ObjectInfo | None:
        p = self.path(key)

        def go():
            try:
                st = p.stat()
            except (FileNotFoundError, NotADirectoryError):
                return None
            if not p.is_file():
                return None
            return ObjectInfo(key, st.st_size, self.read_meta(p).get("content_type"))

        return await anyio.to_thread.run_sync(go)

    async def get(self, key: str, *, max_bytes: int | None = None) -> bytes:
        p = self.path(key)

        def go():
            try:
                f = open(p, "rb")
            except (IsADirectoryError, NotADirectoryError) as e:
                raise FileNotFoundError(key) from e
            with f:
                data = f.read(-1 if max_bytes is None else max_bytes + 1)
            if max_bytes is not None and len(data) > max_bytes:
                raise ValueError(f"object {key} is larger than {max_bytes} bytes")
            return data

        return await anyio.to_thread.run_sync(go)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        p = self.path(key)

        def go():
            self.write_meta(p, content_type)
            atomic_write(p, [data])

        await anyio.to_thread.run_sync(go)

    async def delete(self, key: str) -> None:
        p = self.path(key)

        def go():
            for f in (p, self.meta_path(p)):
                try:
                    f.unlink()
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    pass
            try:
                self._drop_spent_mark(p)
            except (NotADirectoryError, IsADirectoryError):
                pass
            prune_empty_dirs(p.parent, self.root)

        await anyio.to_thread.run_sync(go)

    async def keys(self, prefix: str = ""):
        root, prefix = self.root, check_prefix(prefix)
        start = root / prefix.rsplit("/", 1)[0] if "/" in prefix else root  # walk only what can match

        def walk():
            out = []
            for d, dirs, files in os.walk(start):
                dirs[:] = [x for x in dirs if not x.startswith(".")]
                rel = Path(d).relative_to(root).as_posix()
                for name in files:
                    k = name if rel == "." else f"{rel}/{name}"
                    if not name.startswith(".") and k.startswith(prefix):
                        out.append(k)
            return sorted(out)

        for k in await anyio.to_thread.run_sync(walk):
            yield k


def temp_file(directory: Path) -> tuple[int, str]:
    """mkstemp in `directory`, creating it; retried because a delete may prune it in between."""
    for attempt in range(3):
        directory.mkdir(parents=True, exist_ok=True)
        try:
            return tempfile.mkstemp(dir=directory, prefix=".tmp")
        except FileNotFoundError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def atomic_write(path: Path, chunks) -> int:
    """Write to a temp file beside `path`, then rename: a half-written object never appears."""
    fd, tmp = temp_file(path.parent)
    n = 0
    try:
        with os.fdopen(fd, "wb") as f:
            for c in chunks:
                f.write(c)
                n += len(c)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def prune_empty_dirs(d: Path, root: Path) -> None:
    # media/Y/M/D/<uuid>/ would pile up empty otherwise; rmdir refuses a non-empty one, so this is race-safe.
    while d != root and root in d.parents:
        try:
            d.rmdir()
        except OSError:
            return
        d = d.parent
