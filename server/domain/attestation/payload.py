"""The signed capture statement, shared by the phone (signing) and the server (verifying).

The phone signs the exact bytes of a compact JSON object and sends those bytes (base64) with the
signature, so neither side has to reproduce a canonical form: the server verifies the bytes, then
reads them. Fields (all required):
  v        1
  device   key id of the signing device
  sha256   hex SHA-256 of the original file as captured
  lat, lon WGS-84 of the GPS fix; acc its accuracy in metres; fixTime ISO 8601 with offset
  mock     true when Android reported the fix as coming from a mock-location provider
  capturedAt ISO 8601 with offset, the phone's clock at the shutter
  counter  the device's monotonic capture counter (1, 2, 3, ... never reused)
  record   what it was taken for, e.g. "inspection:<clientId>" or "submission:<clientId>:AFTER"
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime

VERSION = 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID = re.compile(r"^[0-9a-f]{32}$")


class BadStatement(ValueError):
    pass


@dataclass(frozen=True)
class Statement:
    device: str
    sha256: str
    lat: float
    lon: float
    acc: float
    fix_time: datetime
    mock: bool
    captured_at: datetime
    counter: int
    record: str

    def to_json(self) -> dict:
        return {"v": VERSION, "device": self.device, "sha256": self.sha256, "lat": self.lat, "lon": self.lon,
                "acc": self.acc, "fixTime": self.fix_time.isoformat(), "mock": self.mock,
                "capturedAt": self.captured_at.isoformat(), "counter": self.counter, "record": self.record}


def key_id(public_key_raw: bytes) -> str:
    return hashlib.sha256(public_key_raw).hexdigest()[:32]


def encode(statement: Statement) -> bytes:
    return json.dumps(statement.to_json(), separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str, *, what: str, max_len: int = 4096) -> bytes:
    if not isinstance(text, str) or len(text) > max_len:
        raise BadStatement(f"{what} is not base64")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise BadStatement(f"{what} is not base64") from None


def _time(v, name: str) -> datetime:
    try:
        t = datetime.fromisoformat(v)
    except (TypeError, ValueError):
        raise BadStatement(f"{name} is not an ISO 8601 time") from None
    if t.tzinfo is None:
        raise BadStatement(f"{name} has no UTC offset")
    return t


def _num(v, name: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        raise BadStatement(f"{name} must be a number in {lo:g}..{hi:g}")
    return float(v)


def decode(data: bytes) -> Statement:
    """The statement in `data`, or BadStatement naming what is wrong."""
    try:
        d = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise BadStatement("the signed statement is not JSON") from None
    if not isinstance(d, dict) or d.get("v") != VERSION:
        raise BadStatement(f"the signed statement is not version {VERSION}")
    device, sha, record, counter = d.get("device"), d.get("sha256"), d.get("record"), d.get("counter")
    if not isinstance(device, str) or not _KEY_ID.match(device):
        raise BadStatement("device is not a key id")
    if not isinstance(sha, str) or not _HEX64.match(sha):
        raise BadStatement("sha256 is not 64 lowercase hex digits")
    if not isinstance(record, str) or not 0 < len(record) <= 200:
        raise BadStatement("record must be 1-200 characters")
    if isinstance(counter, bool) or not isinstance(counter, int) or not 0 < counter < 2**53:
        raise BadStatement("counter must be a positive integer")
    if not isinstance(d.get("mock"), bool):
        raise BadStatement("mock must be true or false")
    return Statement(device=device, sha256=sha, lat=_num(d.get("lat"), "lat", -90, 90),
                     lon=_num(d.get("lon"), "lon", -180, 180), acc=_num(d.get("acc"), "acc", 0, 100_000),
                     fix_time=_time(d.get("fixTime"), "fixTime"), mock=d["mock"],
                     captured_at=_time(d.get("capturedAt"), "capturedAt"), counter=counter, record=record)
