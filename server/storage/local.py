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
from urllib.parse import quote

import anyio

from server.storage.base import ObjectInfo, UploadTicket, check_key


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class BadToken(Exception):
    pass


class LocalStore:
    def __init__(self, root: Path, *, public_url: str, secret: bytes):
        self.root = Path(root)
        self.public_url = public_url.rstrip("/")
        self._secret = hashlib.sha256(b"media-url:" + secret).digest()  # never the token-signing key itself

    # -- signing ---------------------------------------------------------------------------
    def sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        mac = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        return f"{body}.{mac}"

    def verify(self, token: str, purpose: str) -> dict:
        try:
            body, mac = token.split(".", 1)
            good = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
            if not hmac.compare_digest(mac, good):
                raise BadToken("bad signature")
            payload = json.loads(_unb64(body))
        except (ValueError, json.JSONDecodeError) as e:
            raise BadToken("malformed token") from e
        if payload.get("p") != purpose:
            raise BadToken("token is for something else")
        if payload.get("exp", 0) < time.time():
            raise BadToken("link expired")
        check_key(payload.get("k", ""))
        return payload

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    # -- ObjectStore -----------------------------------------------------------------------
    async def ensure_ready(self) -> None:
        await anyio.to_thread.run_sync(lambda: self.root.mkdir(parents=True, exist_ok=True))

    async def presign_upload(self, key: str, *, content_type: str, size: int, expires: timedelta) -> UploadTicket:
        exp = datetime.now(timezone.utc) + expires
        t = self.sign({"p": "put", "k": check_key(key), "ct": content_type, "n": size, "exp": int(exp.timestamp())})
        return UploadTicket(url=f"{self.public_url}/media/upload?t={t}", method="PUT",
                            headers={"Content-Type": content_type}, fields={}, expires_at=exp.replace(microsecond=0))

    async def presign_download(self, key: str, *, expires: timedelta, filename: str | None = None) -> str:
        exp = int((datetime.now(timezone.utc) + expires).timestamp())
        payload = {"p": "get", "k": check_key(key), "exp": exp}
        if filename:
            payload["fn"] = filename
        return f"{self.public_url}/media/object?t={quote(self.sign(payload))}"

    async def stat(self, key: str) -> ObjectInfo | None:
        p = self.path(key)

        def go():
            try:
                return ObjectInfo(key, p.stat().st_size)
            except FileNotFoundError:
                return None

        return await anyio.to_thread.run_sync(go)

    async def get(self, key: str, *, max_bytes: int | None = None) -> bytes:
        p = self.path(key)

        def go():
            with open(p, "rb") as f:
                data = f.read(max_bytes + 1 if max_bytes is not None else -1)
            if max_bytes is not None and len(data) > max_bytes:
                raise ValueError(f"object {key} is larger than {max_bytes} bytes")
            return data

        return await anyio.to_thread.run_sync(go)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        p = self.path(key)
        await anyio.to_thread.run_sync(lambda: atomic_write(p, [data]))

    async def delete(self, key: str) -> None:
        p = self.path(key)
        await anyio.to_thread.run_sync(lambda: p.unlink(missing_ok=True))

    async def keys(self, prefix: str = ""):
        root = self.root

        def walk():
            if not root.exists():
                return []
            return sorted(str(f.relative_to(root)) for f in root.rglob("*")
                          if f.is_file() and not f.name.startswith(".tmp"))

        for k in await anyio.to_thread.run_sync(walk):
            if k.startswith(prefix):
                yield k


def atomic_write(path: Path, chunks) -> int:
    """Write to a temp file beside `path`, then rename: a half-written object never appears."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp")
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
