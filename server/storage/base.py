"""The ObjectStore protocol: what the server needs from MinIO or a local directory."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import AsyncIterator, Protocol, runtime_checkable

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,199}$")


@dataclass(frozen=True)
class UploadTicket:
    url: str
    method: str  # PUT (raw body + headers) or POST (fields, then the file as form field `file`)
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str | None = None


def check_key(key: str) -> str:
    if not _KEY.match(key or "") or ".." in key or "//" in key:
        raise ValueError(f"invalid object key {key!r}")
    return key


@runtime_checkable
class ObjectStore(Protocol):
    async def ensure_ready(self) -> None: ...
    async def presign_upload(self, key: str, *, content_type: str, size: int, expires: timedelta) -> UploadTicket: ...
    async def presign_download(self, key: str, *, expires: timedelta, filename: str | None = None) -> str: ...
    async def stat(self, key: str) -> ObjectInfo | None: ...
    async def get(self, key: str, *, max_bytes: int | None = None) -> bytes: ...
    async def put(self, key: str, data: bytes, *, content_type: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    def keys(self, prefix: str = "") -> AsyncIterator[str]: ...
