"""Attested capture on the phone: a per-install Ed25519 key signs each photo at the shutter.

The statement signed (server/domain/attestation/payload.py reads the same fields) binds the original
file's SHA-256, the GPS fix (position, accuracy, fix time, mock-location flag), the capture time, a
monotonic per-device counter and the record the photo is for. The exact signed bytes travel with the
signature, so no canonical form has to be rebuilt on the server. Signing needs no network: an offline
capture is signed just the same and its attestation is sent with completeUpload whenever it syncs.

The key lives in the app's private files (SOFTWARE storage). Android's hardware keystore cannot hold
Ed25519 keys before API 33 and is not reachable from this Python app without pyjnius bindings we do not
ship, so keyStorage is reported as SOFTWARE; docs/attestation.md says what a rooted phone can forge.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REGISTER = """mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { id keyId label keyStorage revokedAt } }"""


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class CaptureSigner:
    """One per app install, kept in `folder` (the app's private data directory)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._key_path, self._counter_path = self.folder / "capture_key.pem", self.folder / "capture_counter"
        self._lock = threading.Lock()
        self._key = self._load_or_make_key()
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_key = _b64(raw)
        self.key_id = hashlib.sha256(raw).hexdigest()[:32]

    def _load_or_make_key(self) -> Ed25519PrivateKey:
        if self._key_path.exists():
            key = serialization.load_pem_private_key(self._key_path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{self._key_path} is not an Ed25519 key")
            return key
        key = Ed25519PrivateKey.generate()
        _write_atomic(self._key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
        return key

    def register(self, client, label: str) -> dict:
        """Tell the server this install's public key (at first sign-in; repeating it is harmless)."""
        return client.execute(REGISTER, {"i": {"publicKey": self.public_key, "label": label,
                                               "keyStorage": "SOFTWARE"}})["registerDevice"]

    def _next_counter(self) -> int:
        # Persisted (fsync) before the signature exists: a crash can skip a number, never reuse one.
        try:
            n = int(self._counter_path.read_text() or 0)
        except FileNotFoundError:
            n = 0
        n += 1
        _write_atomic(self._counter_path, str(n).encode())
        return n

    def sign(self, *, sha256: str, fix, record: str, captured_at: datetime | None = None) -> dict:
        """The attestation for one capture: {"payload", "signature"} to send with completeUpload.

        `fix` is a mobile.core.device.Fix (lat, lon, accuracy_m, at, mocked).
        """
        captured_at = captured_at or datetime.now(UTC)
        with self._lock:
            statement = {"v": 1, "device": self.key_id, "sha256": sha256.lower(), "lat": float(fix.lat),
                         "lon": float(fix.lon), "acc": float(fix.accuracy_m or 0.0), "fixTime": fix.at.isoformat(),
                         "mock": bool(fix.mocked), "capturedAt": captured_at.isoformat(),
                         "counter": self._next_counter(), "record": record}
            data = json.dumps(statement, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
            return {"payload": _b64(data), "signature": _b64(self._key.sign(data))}

    def sign_file(self, path: str | os.PathLike, *, fix, record: str, captured_at: datetime | None = None) -> dict:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return self.sign(sha256=h.hexdigest(), fix=fix, record=record, captured_at=captured_at)
