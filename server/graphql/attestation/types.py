from __future__ import annotations

from datetime import datetime

import strawberry

from server.domain.attestation.models import Device as DeviceRow
from server.graphql.common import UPDATED_AT, GeoPoint
from server.graphql.enums import enum_of

AttestationStatus = enum_of("AttestationStatus", "ATTESTED NOT_ATTESTED FAIL")
KeyStorage = enum_of("KeyStorage", "SOFTWARE HARDWARE")


@strawberry.type(description="A phone install's capture key: photos it signs at the shutter are ATTESTED.")
class Device:
    id: strawberry.ID
    key_id: str
    label: str
    key_storage: KeyStorage
    registered_at: datetime
    revoked_at: datetime | None
    last_counter: int = strawberry.field(description="The highest capture counter seen from it.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @classmethod
    def from_model(cls, d: DeviceRow) -> "Device":
        return cls(id=strawberry.ID(str(d.id)), key_id=d.key_id, label=d.label, key_storage=KeyStorage(d.key_storage),
                   registered_at=d.registered_at, revoked_at=d.revoked_at, last_counter=d.last_counter,
                   updated_at=d.updated_at)


@strawberry.type(description="The verdict on a photo's capture signature, in plain words, with what was signed.")
class Attestation:
    status: AttestationStatus
    message: str = strawberry.field(description="Chinese, then English: 中文 / English.")
    message_zh: str
    message_en: str
    device_id: strawberry.ID | None
    key_storage: KeyStorage | None
    counter: int | None
    captured_at: datetime | None = strawberry.field(description="The phone's clock at the shutter, as signed.")
    fix: GeoPoint | None = strawberry.field(description="The GPS fix as signed (accuracy in metres).")
    fix_time: datetime | None
    mock_location: bool | None
    record: str | None = strawberry.field(description="What the phone said it was taken for.")
    device_clock_offset_seconds: float | None

    @classmethod
    def from_dict(cls, a: dict | None) -> "Attestation | None":
        if not a:
            return None
        st = a.get("statement") or {}
        fix = GeoPoint(lat=st["lat"], lon=st["lon"], accuracy_m=st.get("acc")) if "lat" in st else None
        zh, en = a.get("reasonZh") or a.get("reason", ""), a.get("reason", "")
        return cls(status=AttestationStatus(a["status"]), message=f"{zh} / {en}", message_zh=zh, message_en=en,
                   device_id=strawberry.ID(str(a["deviceId"])) if a.get("deviceId") else None,
                   key_storage=KeyStorage(a["keyStorage"]) if a.get("keyStorage") else None,
                   counter=st.get("counter"), captured_at=_t(st.get("capturedAt")), fix=fix,
                   fix_time=_t(st.get("fixTime")), mock_location=st.get("mock"), record=st.get("record"),
                   device_clock_offset_seconds=a.get("deviceClockOffsetS"))


def _t(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


@strawberry.input(description="What the app's camera signed at the shutter (mobile/core/attest.py).")
class AttestationInput:
    payload: str = strawberry.field(description="Base64 of the exact signed statement bytes (JSON).")
    signature: str = strawberry.field(description="Base64 Ed25519 signature over those bytes.")
    device_now: datetime | None = strawberry.field(default=None,
                                                   description="The phone's clock now, to measure its offset.")


@strawberry.input
class RegisterDeviceInput:
    public_key: str = strawberry.field(description="Base64 of the 32 raw bytes of the Ed25519 public key.")
    label: str
    key_storage: KeyStorage | None = None
