"""Opaque Relay cursors and the page-size cap."""
from __future__ import annotations

import base64
import binascii

from server.domain.errors import BadInput


def encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str) -> int | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        k, v = raw.split(":", 1)
        n = int(v)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadInput("malformed cursor in `after`", field="after") from None
    if k != kind or n < 0:
        raise BadInput("cursor in `after` does not belong to this list", field="after")
    return n


def check_first(first: int | None, cap: int) -> int:
    if first is None:
        return min(50, cap)
    if first < 0:
        raise BadInput("`first` must not be negative", field="first")
    if first > cap:
        raise BadInput(f"`first` is {first}; at most {cap} per page", field="first")
    return first
