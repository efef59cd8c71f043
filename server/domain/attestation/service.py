"""Devices (register, list, revoke) and the verdict on a capture signature."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.attestation.models import Device
from server.domain.attestation.payload import BadStatement, Statement, decode, key_id, unb64
from server.domain.errors import BadInput, Conflict, Forbidden, NotFound
from server.domain.sqltypes import utcnow

ATTESTED, NOT_ATTESTED, FAIL = "ATTESTED", "NOT_ATTESTED", "FAIL"
KEY_STORAGES = ("SOFTWARE", "HARDWARE")


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str  # English
    statement: Statement | None = None
    device: Device | None = None
    reason_zh: str = ""


async def register_device(*, session: AsyncSession, actor: Actor, public_key: str, label: str,
                          key_storage: str = "SOFTWARE") -> Device:
    """Register the caller's device key; idempotent for the same key and user."""
    if actor.token_id is not None:
        raise Forbidden("an API token cannot register a capture device")
    try:
        raw = unb64(public_key, what="publicKey", max_len=64)
    except BadStatement as e:
        raise BadInput(str(e), field="publicKey") from None
    if len(raw) != 32:
        raise BadInput("publicKey must be the 32 raw bytes of an Ed25519 key, base64", field="publicKey")
    label = (label or "").strip()
    if not 0 < len(label) <= 100:
        raise BadInput("label must be 1-100 characters", field="label")
    if key_storage not in KEY_STORAGES:
        raise BadInput(f"keyStorage must be one of {', '.join(KEY_STORAGES)}", field="keyStorage")
    kid = key_id(raw)
    existing = (await session.execute(select(Device).where(col(Device.key_id) == kid))).scalar_one_or_none()
    if existing is not None:
        if existing.user_id != actor.user_id:
            raise Conflict("this device key is registered to another user", field="publicKey")
        return existing
    d = Device(key_id=kid, public_key=public_key, user_id=actor.user_id, label=label, key_storage=key_storage)
    try:
        async with session.begin_nested():
            session.add(d)
            await session.flush()
    except IntegrityError:  # a concurrent registration of the same key
        d = (await session.execute(select(Device).where(col(Device.key_id) == kid))).scalar_one()
        if d.user_id != actor.user_id:
            raise Conflict("this device key is registered to another user", field="publicKey") from None
    return d


async def list_devices(*, session: AsyncSession, actor: Actor, user_id: int | None) -> list[Device]:
    """A user's devices: ADMIN and SUPERVISOR see anyone's, others only their own."""
    uid = actor.user_id if user_id is None else user_id
    if uid != actor.user_id and actor.role not in ("ADMIN", "SUPERVISOR"):
        raise Forbidden("only ADMIN or SUPERVISOR may list another user's devices")
    return list((await session.execute(select(Device).where(col(Device.user_id) == uid).order_by(col(Device.id)))).scalars())


async def revoke_device(*, session: AsyncSession, actor: Actor, device_id: int) -> Device:
    if actor.role != "ADMIN":
        raise Forbidden(f"role {actor.role} may not revoke devices")
    d = (await session.execute(select(Device).where(col(Device.id) == device_id).with_for_update())).scalar_one_or_none()
    if d is None:
        raise NotFound(f"no device with id {device_id}")
    if d.revoked_at is None:
        d.revoked_at, d.revoked_by_id = utcnow(), actor.user_id
        await session.flush()
    return d


async def verify_capture(*, session: AsyncSession, uploader_id: int, sha256: str, payload: str | None,
                         signature: str | None, media_id: int) -> Verdict:
    """The verdict on one upload's capture signature. Never raises for bad input: a bad signature is a FAIL."""
    from server.domain.media.models import Media

    if not payload and not signature:
        return Verdict(NOT_ATTESTED, "no capture signature: picked from the gallery or taken outside the app's camera",
                       reason_zh="没有拍摄签名：从相册选取，或未用本应用相机拍摄")
    try:
        data = unb64(payload or "", what="the signed statement")
        sig = unb64(signature or "", what="the signature", max_len=200)
        st = decode(data)
    except BadStatement as e:
        return Verdict(FAIL, f"malformed capture signature: {e}", reason_zh=f"拍摄签名格式错误：{e}")
    device = (await session.execute(select(Device).where(col(Device.key_id) == st.device))).scalar_one_or_none()
    if device is None:
        return Verdict(FAIL, f"signed by an unknown device ({st.device})", st, reason_zh=f"签名设备未登记（{st.device}）")
    if device.user_id != uploader_id:
        return Verdict(FAIL, "signed by a device registered to another user", st, device,
                       reason_zh="签名设备登记在其他用户名下")
    if device.revoked_at is not None:
        when = f"{device.revoked_at:%Y-%m-%d %H:%M} UTC"
        return Verdict(FAIL, f"signed by a revoked device (revoked {when})", st, device,
                       reason_zh=f"签名设备已被吊销（{when}）")
    try:
        Ed25519PublicKey.from_public_bytes(unb64(device.public_key, what="key")).verify(sig, data)
    except (InvalidSignature, ValueError, BadStatement):
        return Verdict(FAIL, "the signature does not verify: the statement was altered or signed by another key",
                       st, device, reason_zh="签名验证失败：拍摄信息被改动，或由其他密钥签名")
    if st.sha256 != sha256:
        return Verdict(FAIL, "the file's bytes differ from those signed at capture (SHA-256 mismatch)", st, device,
                       reason_zh="文件内容与拍摄时签名的不一致（SHA-256 不符）")
    other = (await session.execute(select(col(Media.id)).where(
        col(Media.att_device_id) == device.id, col(Media.att_counter) == st.counter, col(Media.id) != media_id))).scalar()
    if other is not None:
        return Verdict(FAIL, f"capture counter {st.counter} was already used by media {other} (a replayed signature)",
                       st, device, reason_zh=f"拍摄计数 {st.counter} 已被媒体 {other} 使用（签名重放）")
    if st.mock:
        return Verdict(FAIL, "the GPS fix came from a mock-location provider", st, device,
                       reason_zh="定位来自模拟位置（mock location）")
    where = "硬件" if device.key_storage == "HARDWARE" else "软件"
    return Verdict(ATTESTED, f"signed at capture by device {device.label!r} ({device.key_storage.lower()} key), "
                             f"counter {st.counter}", st, device,
                   reason_zh=f"拍摄时已由设备「{device.label}」签名（{where}密钥），计数 {st.counter}")


def as_dict(v: Verdict, *, device_offset_s: float | None = None) -> dict:
    """What is kept on the media row: the verdict and the statement it judged."""
    out: dict = {"status": v.status, "reason": v.reason, "reasonZh": v.reason_zh}
    if v.statement is not None:
        out["statement"] = v.statement.to_json()
    if v.device is not None:
        out["deviceId"], out["keyStorage"] = v.device.id, v.device.key_storage
    if device_offset_s is not None:
        out["deviceClockOffsetS"] = round(device_offset_s, 1)
    return out


def parse_time(s: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(s) if s else None
    except ValueError:
        return None
