"""The ObjectStore protocol: what the server needs from MinIO or a local directory."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import AsyncIterator, Protocol, runtime_checkable
from urllib.parse import quote

# Keys are server-made (media/2026/11/25/<uuid>/original), so a narrow alphabet costs nothing and keeps
# them safe as file paths and URL paths alike. Segments may not start with "." (local metadata lives there).
_SEGMENT = re.compile(r"[A-Za-z0-9_\-][A-Za-z0-9._\-]*")
MAX_KEY_LEN = 512


@dataclass(frozen=True)
class UploadTicket:
    url: str
    method: str  # PUT: raw body with `headers`. POST: multipart `fields`, then the file as form field `file`.
    headers: dict[str, str]
    fields: dict[str, str]
    expires_at: datetime  # aware UTC


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str | None = None


def check_key(key: str) -> str:
    """Return `key` if it is a safe object key, else raise ValueError."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LEN:
        raise ValueError(f"invalid object key {key!r}")
    if not all(_SEGMENT.fullmatch(s) and s != ".." for s in key.split("/")):
        raise ValueError(f"invalid object key {key!r}")
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key's beginning (a trailing "/" or a partial last segment is fine)."""
    if prefix:
        head = prefix[:-1] if prefix.endswith("/") else prefix
        check_key(head)
    return prefix


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987)."""
    name = filename.replace("/", "_").replace("\\", "_")
    ascii_name = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"%' else "_" for c in name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@runtime_checkable
class ObjectStore(Protocol):
    async def ensure_ready(self) -> None: ...
    async def presign_upload(self, key: str, *, content_type: str, size: int, expires: timedelta) -> UploadTicket: ...
    async def presign_download(self, key: str, *, expires: timedelta, filename: str | None = None) -> str: ...
    async def stat(self, key: str) -> ObjectInfo | None: ...
    async def get(self, key: str, *, max_bytes: int | None = None) -> bytes: ...  # FileNotFoundError if missing
    async def put(self, key: str, data: bytes, *, content_type: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    def keys(self, prefix: str = "") -> AsyncIterator[str]: ...  # sorted, like an S3 listing
