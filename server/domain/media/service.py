"""The upload flow: request a ticket, send bytes to the store, complete (verify, process, check)."""
from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.db import Database, Sessions
from server.domain.actor import Actor
from server.domain.audit.recorder import tag
from server.domain.errors import BadInput, Forbidden, NotFound, UploadInvalid
from server.domain.evidence import (
    PhotoFacts,
    Site,
    Window,
    hamming,
    phash_bands,
    photo_checks,
    reuse_check,
    sort_checks,
)
from server.domain.idempotency import check_replay, insert_once, normalise_client_id, payload_hash
from server.domain.media.models import ROLES, Media
from server.domain.media.reuse import find_reuse, save_print
from server.domain.permissions import require
from server.domain.sqltypes import pk, utcnow
from server.settings import Settings

TYPES = {"image/jpeg": ("PHOTO", "JPEG"), "image/png": ("PHOTO", "PNG"), "image/webp": ("PHOTO", "WEBP"),
         "video/mp4": ("VIDEO", "MP4")}
SIZE_CAPS = {"PHOTO": 30 * 1024 * 1024, "VIDEO": 200 * 1024 * 1024}
NEAR_DUPLICATE_MAX = 3  # the 4-band index finds every pair within 3 bits (pigeonhole)
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _clean_filename(name: str) -> str:
    base = re.split(r"[\\/]", (name or "").strip())[-1]
    if not base or len(base) > 200:
        raise BadInput("filename must be 1-200 characters", field="filename")
    return base


async def request_upload(*, session: AsyncSession, store, settings: Settings, actor: Actor, client_id,
                         filename: str, content_type: str, size_bytes: int, sha256: str, role: str = "GENERAL"):
    """Create (or find, on replay) a PENDING media row and sign a short-lived upload ticket for it."""
    require(actor, "media.upload")
    client_id = normalise_client_id(client_id)
    sha256 = (sha256 or "").lower()
    h = payload_hash(dict(filename=filename, content_type=content_type, size=size_bytes, sha256=sha256, role=role))
    def mine(m: Media) -> bool:
        return m.uploader_id == actor.user_id

    m = (await session.execute(select(Media).where(col(Media.client_id) == client_id))).scalar_one_or_none()
    if m is None:
        if content_type not in TYPES:
            raise BadInput(f"contentType {content_type!r} not allowed; one of {', '.join(TYPES)}",
                           field="contentType")
        kind = TYPES[content_type][0]
        if not (0 < size_bytes <= SIZE_CAPS[kind]):
            raise BadInput(f"sizeBytes must be between 1 and {SIZE_CAPS[kind]} for a {kind.lower()}",
                           field="sizeBytes")
        if not _SHA.match(sha256):
            raise BadInput("sha256 must be 64 hexadecimal characters", field="sha256")
        if role not in ROLES:
            raise BadInput(f"role {role!r} is not one of {', '.join(ROLES)}", field="role")
        now = utcnow()
        m = Media(client_id=client_id, request_hash=h, uploader_id=actor.user_id, district_code=actor.district_code,
                  kind=kind, role=role, filename=_clean_filename(filename), content_type=content_type,
                  size_bytes=size_bytes, sha256=sha256, key=f"media/{now:%Y/%m/%d}/{uuid.uuid4()}/original",
                  expires_at=now + timedelta(minutes=settings.upload_ttl_minutes))
        m, _ = await insert_once(session, m, "upload", may_see=mine)
    # A ticket is its uploader's alone: the replay answers a URL to write into.
    await check_replay(m, h, "upload", mine)
    ticket = None
    if m.status == "PENDING":
        if m.expires_at <= utcnow():
            raise UploadInvalid("this upload's ticket has expired; request a new upload with a new clientId")
        ticket = await store.presign_upload(m.key, content_type=m.content_type, size=m.size_bytes,
                                            expires=m.expires_at - utcnow())
    return m, ticket


def _reject(m: Media, reason: str) -> Media:
    m.status, m.reject_reason, m.completed_at = "REJECTED", reason, utcnow()
    return m


async def complete_upload(*, db: Sessions, store, settings: Settings, actor: Actor, media_id: int,
                          attestation: dict | None = None) -> Media:
    """Verify what arrived against what was declared, process it off the loop, and mark READY or REJECTED.

    The object store is trusted with nothing: existence, size, SHA-256, format by content and pixel
    count are all checked here. A rejection is committed (with its reason) and the object deleted;
    the caller turns it into UPLOAD_INVALID.
    """
    require(actor, "media.upload")
    async with db.session() as s:
        m = await s.get(Media, media_id)
    if m is None:
        raise NotFound(f"no media with id {media_id}")
    if m.uploader_id != actor.user_id:
        raise Forbidden("only the uploader can complete an upload")
    if m.status != "PENDING":
        return m  # a replay: the first outcome stands
    reason: str | None = None
    facts: dict[str, Any] = {}
    if m.expires_at <= utcnow():
        reason = "the upload ticket expired before the upload was completed"
    else:
        info = await store.stat(m.key)
        if info is None:
            raise UploadInvalid("no file has been uploaded for this ticket yet; send it, then complete")
        if info.size != m.size_bytes:
            reason = f"uploaded {info.size} bytes but {m.size_bytes} were declared"
        else:
            data = await store.get(m.key, max_bytes=m.size_bytes)
            reason, facts = await anyio.to_thread.run_sync(_verify_and_process, m, data, settings.max_pixels)
            if reason is None:
                await _store_derivatives(store, m, facts)
    async with db.transaction() as s:
        tag(s, actor=actor, action="completeUpload")
        row = (await s.execute(select(Media).where(col(Media.id) == media_id).with_for_update())).scalar_one()
        if row.status != "PENDING":
            return row
        if reason:
            _reject(row, reason)
        else:
            _apply_facts(row, facts)
            await _attest(s, row, attestation or {})
            if facts.get("print") is not None:
                await save_print(s, row, facts["print"])
            row.checks = await media_checks(session=s, media=row, settings=settings)
            row.status, row.completed_at = "READY", utcnow()
    if reason:
        await store.delete(m.key)
    return row


async def _attest(s: AsyncSession, row: Media, att: dict) -> None:
    """Judge the capture signature sent with completeUpload; the verdict is kept whatever it is."""
    from server.domain.attestation.service import ATTESTED, as_dict, parse_time, verify_capture

    v = await verify_capture(session=s, uploader_id=row.uploader_id, sha256=row.sha256, payload=att.get("payload"),
                             signature=att.get("signature"), media_id=pk(row))
    device_now = parse_time(att.get("device_now"))
    offset = (device_now - utcnow()).total_seconds() if device_now and device_now.tzinfo else None
    row.att_status, row.attestation = v.status, as_dict(v, device_offset_s=offset)
    if v.status == ATTESTED and v.device is not None and v.statement is not None:  # ATTESTED carries both
        row.att_device_id, row.att_counter = v.device.id, v.statement.counter
        v.device.last_counter = max(v.device.last_counter, v.statement.counter)
        # The signed shutter time, on the server's clock, is the photo's time (EXIF is the sender's word).
        row.taken_at, row.taken_at_naive = v.statement.captured_at - timedelta(seconds=offset or 0), False


def _verify_and_process(m: Media, data: bytes, max_pixels: int) -> tuple[str | None, dict]:
    from server.images import process

    if hashlib.sha256(data).hexdigest() != m.sha256:
        return "the file's SHA-256 does not match the declared sha256", {}
    try:
        p = process(data, max_pixels=max_pixels)
    except UploadInvalid as e:
        return e.message, {}
    if p.probe.content_type != m.content_type:
        return f"the file is {p.probe.format} but was declared as {m.content_type}", {}
    facts: dict[str, Any] = {"probe": p.probe, "exif": p.exif, "derived": p.derived, "video": p.video}
    if p.derived is not None:
        from server.images.reuse import features_of

        facts["print"] = features_of(data).to_bytes()
    return None, facts


async def _store_derivatives(store, m: Media, facts: dict) -> None:
    d = facts.get("derived")
    if d is None:
        return
    base = m.key.rsplit("/", 1)[0]
    facts["display_key"], facts["thumb_key"] = f"{base}/display.jpg", f"{base}/thumb.jpg"
    await store.put(facts["display_key"], d.display, content_type="image/jpeg")
    await store.put(facts["thumb_key"], d.thumbnail, content_type="image/jpeg")


def _apply_facts(m: Media, facts: dict) -> None:
    p, e, d = facts["probe"], facts.get("exif"), facts.get("derived")
    m.width, m.height = p.width, p.height
    if e is not None:
        if e.taken_at is not None:
            from datetime import timezone

            naive = e.taken_at.tzinfo is None
            # No offset in EXIF: the phone's clock is taken as China Standard Time.
            m.taken_at = e.taken_at.replace(tzinfo=timezone(timedelta(hours=8))) if naive else e.taken_at
            m.taken_at_naive = naive
        m.exif_lat, m.exif_lon, m.exif_alt = e.lat, e.lon, e.altitude_m
        m.make, m.model, m.software, m.orientation = e.make, e.model, e.software, e.orientation
    if (v := facts.get("video")) is not None:
        # Container facts stand where EXIF stands for photos; the checks judge both the same way.
        m.width, m.height, m.duration_s = v.width, v.height, v.duration_s
        m.taken_at, m.taken_at_naive = v.created_at, False
        m.exif_lat, m.exif_lon = v.lat, v.lon
    if d is not None:
        m.display_key, m.thumb_key = facts["display_key"], facts["thumb_key"]
        m.phash = d.phash
        m.ph0, m.ph1, m.ph2, m.ph3 = phash_bands(d.phash)


def photo_facts(m: Media) -> PhotoFacts:
    taken, lat, lon = m.taken_at, m.exif_lat, m.exif_lon
    if m.att_status == "ATTESTED" and m.attestation and (st := m.attestation.get("statement")):
        # The signed values stand in for EXIF, with the capture time put on the server's clock.
        taken = datetime.fromisoformat(st["capturedAt"]) - timedelta(seconds=m.attestation.get("deviceClockOffsetS") or 0)
        lat, lon = st["lat"], st["lon"]
    return PhotoFacts(media_id=str(m.id), sha256=m.sha256, phash=m.phash, taken_at=taken,
                      exif_lat=lat, exif_lon=lon, software=m.software,
                      uploaded_at=m.completed_at or utcnow(), kind=m.kind)


async def media_checks(*, session: AsyncSession, media: Media, settings: Settings, site: Site | None = None,
                       window: Window | None = None) -> list[dict]:
    """Evidence checks of one photo or video, with duplicates found through the sha256 and phash-band indexes."""
    dups = list((await session.execute(select(col(Media.id)).where(
        col(Media.sha256) == media.sha256, col(Media.id) != media.id, col(Media.status) == "READY"))).scalars())
    near: list[tuple[str, int]] = []
    if media.phash:
        b = phash_bands(media.phash)
        cands = (await session.execute(select(col(Media.id), col(Media.phash)).where(
            or_(col(Media.ph0) == b[0], col(Media.ph1) == b[1], col(Media.ph2) == b[2], col(Media.ph3) == b[3]),
            col(Media.id) != media.id, col(Media.status) == "READY", col(Media.sha256) != media.sha256))).all()
        near = [(str(i), dist) for i, ph in cands if ph and (dist := hamming(media.phash, ph)) <= NEAR_DUPLICATE_MAX]
    reused = await find_reuse(session, media, places=[(site.lat, site.lon)] if site else [])
    # An edited copy is reported once, as the stronger finding with its evidence.
    near = [(i, d) for i, d in near if int(i) not in {r.media_id for r in reused}]
    checks = photo_checks(photo_facts(media), now=utcnow(), site=site, window=window,
                          far_threshold_m=settings.far_threshold_m, duplicate_of=[str(i) for i in dups],
                          near_duplicate_of=near)
    checks += [reuse_check(str(r.media_id), mirrored=r.mirrored, rotation_deg=r.rotation_deg, overlap=r.overlap,
                           scale=r.scale, agree_share=r.agree_share, inliers=r.inliers) for r in reused[:3]]
    checks = sort_checks(checks)
    if media.attestation:
        from server.domain.attestation.models import Device
        from server.domain.evidence.attested import attestation_checks

        registered = (await session.execute(select(col(Device.id)).where(col(Device.user_id) == media.uploader_id)
                                            .limit(1))).scalar() is not None
        checks = sort_checks([*checks, *attestation_checks(media.attestation, device_registered=registered)])
    return [check_dict(c) for c in checks]


def check_dict(c) -> dict:
    d = {"code": c.code, "severity": c.severity, "zh": c.message_zh, "en": c.message_en}
    if c.evidence:
        d["evidence"] = c.evidence
    return d


async def attach(*, session: AsyncSession, actor: Actor, media_ids: list[int], owner_type: str, owner_id: int,
                 slot: str | None = None, settings: Settings, site: Site | None = None,
                 window: Window | None = None, field: str = "mediaIds",
                 reusable: frozenset[tuple[str, int, str | None]] = frozenset()) -> list[Media]:
    """Make READY media of the caller evidence for one record, and judge them against its site and time.

    `reusable` names the owners (type, id, slot) whose media may be presented again without changing
    hands: a resubmission's before photos, already evidence for its task's earlier submissions."""
    if not media_ids:
        return []
    if len(set(media_ids)) != len(media_ids):
        raise BadInput(f"{field} lists the same media twice", field=field)
    rows = {m.id: m for m in (await session.execute(
        select(Media).where(col(Media.id).in_(media_ids)).with_for_update())).scalars()}
    out = []
    for mid in media_ids:
        m = rows.get(mid)
        if m is None:
            raise BadInput(f"{field}: no media with id {mid}", field=field)
        if m.uploader_id != actor.user_id:
            raise BadInput(f"{field}: media {mid} was uploaded by someone else", field=field)
        if m.status != "READY":
            raise BadInput(f"{field}: media {mid} is {m.status}, not READY", field=field)
        owner = (m.owner_type, m.owner_id, m.slot)
        if m.owner_type is None:
            m.owner_type, m.owner_id, m.slot = owner_type, owner_id, slot
        elif owner != (owner_type, owner_id, slot) and owner not in reusable:
            raise BadInput(f"{field}: media {mid} is already evidence for another record", field=field)
        m.checks = await media_checks(session=session, media=m, settings=settings, site=site, window=window)
        out.append(m)
    await session.flush()
    return out


async def get_media(*, session: AsyncSession, actor: Actor, media_id: int) -> Media | None:
    require(actor, "media.read")
    m = await session.get(Media, media_id)
    if m is None:
        return None
    if not (actor.is_city or actor.role == "INTEGRATOR" or m.uploader_id == actor.user_id
            or (m.district_code and m.district_code == actor.district_code)):
        raise Forbidden("this media belongs to another district")
    return m


async def expire_stale_uploads(*, db: Database, store, now: datetime | None = None) -> int:
    """Reject PENDING uploads whose ticket expired, and remove anything that was sent for them."""
    now = now or utcnow()
    async with db.session() as s:
        stale = list((await s.execute(select(Media).where(col(Media.status) == "PENDING", col(Media.expires_at) <= now)
                                      .limit(1000))).scalars())
    for m in stale:
        await store.delete(m.key)
    if stale:
        async with db.transaction() as s:
            await s.execute(update(Media).where(col(Media.id).in_([m.id for m in stale]), col(Media.status) == "PENDING")
                            .values(status="REJECTED", reject_reason="upload ticket expired", completed_at=now,
                                    object_swept=True))
    await sweep_rejected_objects(db=db, store=store, now=now)
    return len(stale)


async def sweep_rejected_objects(*, db: Database, store, now: datetime | None = None) -> int:
    """Delete the key of each REJECTED upload once more after its ticket expired.

    The local store refuses a second PUT on a spent ticket, but a presigned S3 POST cannot be revoked:
    until it expires, whoever holds it can put bytes at the key again. Nothing reads a rejected key, and
    this final delete makes sure nothing stays there either.
    """
    now = now or utcnow()
    async with db.session() as s:
        done = list((await s.execute(select(col(Media.id), col(Media.key)).where(
            col(Media.status) == "REJECTED", col(Media.object_swept).is_(False), col(Media.expires_at) <= now).limit(1000))).all())
    for _, key in done:
        await store.delete(key)
    if done:
        async with db.transaction() as s:
            await s.execute(update(Media).where(col(Media.id).in_([i for i, _ in done])).values(object_swept=True))
    return len(done)
