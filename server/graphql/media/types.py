from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

import strawberry

from server.domain.media.models import Media as MediaRow
from server.domain.permissions import can
from server.graphql.attestation.types import Attestation
from server.graphql.common import UPDATED_AT, GeoPoint, KeyValue
from server.domain.geo.crs import to_crs
from server.graphql.enums import CheckSeverity, Crs, EvidenceCheckCode, MediaKind, MediaRole, MediaStatus


@strawberry.type(description="A position a check compared, e.g. where the photo was taken and the site.")
class CheckPosition:
    label: str = strawberry.field(description="photo | site")
    lat: float
    lon: float


@strawberry.type(description="What was done to a stored photo to make the copy a REUSED_PHOTO check found, as "
                            "measured by the match (server/images/reuse.py).")
class ReuseEdits:
    mirrored: bool = strawberry.field(description="The copy is a mirror image of the stored photo.")
    rotation_deg: float = strawberry.field(description="Degrees the copy is turned against the stored photo.")
    kept_share: float = strawberry.field(
        description="Share of the stored photo's area the copy still shows (1 = nothing cropped away).")
    scale: float | None = strawberry.field(
        description="Copy pixels per stored pixel at the compared size (0.3 = shrunk to 30 %); null on checks "
                    "recorded before it was kept.")
    inliers: int = strawberry.field(description="Local features of the two photos that one transform links.")
    agree_share: float = strawberry.field(
        description="Share of the overlapping picture whose pixels agree tile by tile once aligned.")
    words_zh: list[str] = strawberry.field(
        description="What was done, in Chinese (镜像翻转, 旋转 90°, 裁剪…); empty when the copy was only "
                    "re-encoded, re-lit or written on.")
    words_en: list[str] = strawberry.field(description="What was done, in English (mirrored, turned 90°, cropped…).")

    @classmethod
    def from_evidence(cls, ev: dict) -> "ReuseEdits":
        from server.domain.evidence import reuse_edit_words

        zh, en = reuse_edit_words(ev)
        return cls(mirrored=bool(ev.get("mirrored")), rotation_deg=float(ev.get("rotationDeg") or 0.0),
                   kept_share=float(ev.get("overlap", 1.0)), scale=ev.get("scale"), inliers=int(ev.get("inliers", 0)),
                   agree_share=float(ev.get("agreeShare", 0.0)), words_zh=zh, words_en=en)


@strawberry.type(description="One automatic check of a photo's or video's evidence, judged against the record it "
                            "is attached to (its site and time).")
class EvidenceCheck:
    code: EvidenceCheckCode = strawberry.field(description="What was checked and found.")
    severity: CheckSeverity = strawberry.field(description="How much it matters.")
    message: str = strawberry.field(description="Chinese, then English: 中文 / English.")
    message_zh: str = strawberry.field(description="The finding in Chinese.")
    message_en: str = strawberry.field(description="The finding in English.")
    media_id: strawberry.ID | None = strawberry.field(
        default=None, description="The photo or video it judges; null for a check of a before/after pair.")
    related_media_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="The other photo(s) the check is about (the stored original of a reuse, the matching "
                    "finding photo, the other copy in a submission), to be shown side by side.")
    wgs84_positions: strawberry.Private[list[CheckPosition]] = dataclasses.field(default_factory=list)
    distance_m: float | None = strawberry.field(default=None, description="For a distance: metres between them.")
    reuse: ReuseEdits | None = strawberry.field(
        default=None, description="For REUSED_PHOTO: what was done to the stored photo (relatedMedia) to make "
                                  "this copy; null for other checks.")

    @strawberry.field(description="For a distance: where the photo was taken and the site, to be shown on a map "
                                  "(WGS-84 unless `crs` asks for GCJ02 or BD09, the datum of Chinese map tiles).")
    def positions(self, crs: Crs | None = Crs.WGS84) -> list[CheckPosition]:
        if crs is None or crs is Crs.WGS84:
            return self.wgs84_positions
        return [CheckPosition(label=p.label, lat=ll[0], lon=ll[1])
                for p in self.wgs84_positions for ll in [to_crs(p.lat, p.lon, crs.value)]]

    @strawberry.field(description="The photos of relatedMediaIds the caller may see (others are left out).")
    async def related_media(self, info: strawberry.Info) -> list["Media"]:
        from server.domain.errors import Forbidden
        from server.domain.media.service import get_media

        out = []
        async with info.context.db.session() as s:
            for i in self.related_media_ids:
                try:
                    m = await get_media(session=s, actor=info.context.actor, media_id=int(i))
                except Forbidden:
                    continue
                if m is not None:
                    out.append(Media.from_model(m))
        return out

    @classmethod
    def from_dict(cls, c: dict, media_id: int | None = None) -> "EvidenceCheck":
        mid = media_id if media_id is not None else c.get("media")
        ev = c.get("evidence") or {}
        return cls(code=EvidenceCheckCode(c["code"]), severity=CheckSeverity(c["severity"]),
                   message=f'{c["zh"]} / {c["en"]}', message_zh=c["zh"], message_en=c["en"],
                   media_id=strawberry.ID(str(mid)) if mid is not None else None,
                   related_media_ids=[strawberry.ID(str(i)) for i in ev.get("mediaIds", [])],
                   wgs84_positions=[CheckPosition(label=p["label"], lat=p["lat"], lon=p["lon"])
                                    for p in ev.get("positions", [])],
                   distance_m=ev.get("distanceM"),
                   reuse=ReuseEdits.from_evidence(ev) if c["code"] == "REUSED_PHOTO" and ev else None)


@strawberry.type
class Media:
    id: strawberry.ID
    client_id: uuid.UUID
    kind: MediaKind
    role: MediaRole
    status: MediaStatus
    content_type: str
    size_bytes: int
    sha256: str
    width: int | None
    height: int | None
    taken_at: datetime | None
    exif_position: GeoPoint | None
    reject_reason: str | None
    checks: list[EvidenceCheck]
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    attestation: Attestation | None = strawberry.field(
        description="The capture signature's verdict (null before completeUpload).")
    row: strawberry.Private[MediaRow]

    @strawberry.field(description="Short-lived URL of the display copy (no EXIF).")
    async def url(self, info: strawberry.Info) -> str | None:
        return await _signed(info, self.row, self.row.display_key or (self.row.key if self.row.kind == "VIDEO"
                                                                         else None))

    @strawberry.field(description="Short-lived URL of the thumbnail (no EXIF).")
    async def thumbnail_url(self, info: strawberry.Info) -> str | None:
        return await _signed(info, self.row, self.row.thumb_key)

    @strawberry.field(description="The original bytes as received, for SUPERVISOR and ADMIN only; null otherwise.")
    async def original_url(self, info: strawberry.Info) -> str | None:
        if not can(info.context.actor, "media.original"):
            return None
        return await _signed(info, self.row, self.row.key, filename=self.row.filename)

    @strawberry.field(description="The photo with the server's signed C2PA manifest of what it verified "
                                   "(GET with the Authorization header; docs/provenance.md). Null for videos.")
    def signed_export_url(self, info: strawberry.Info) -> str | None:
        if self.row.kind != "PHOTO" or self.row.status != "READY":
            return None
        return f"{info.context.settings.public_url}/export/media/{self.row.id}.jpg"

    @classmethod
    def from_model(cls, m: MediaRow) -> "Media":
        pos = GeoPoint(lat=m.exif_lat, lon=m.exif_lon) if m.exif_lat is not None and m.exif_lon is not None else None
        return cls(id=strawberry.ID(str(m.id)), client_id=uuid.UUID(m.client_id), kind=MediaKind(m.kind),
                   role=MediaRole(m.role), status=MediaStatus(m.status), content_type=m.content_type,
                   size_bytes=m.size_bytes, sha256=m.sha256, width=m.width, height=m.height, taken_at=m.taken_at,
                   exif_position=pos, reject_reason=m.reject_reason, updated_at=m.updated_at,
                   checks=[EvidenceCheck.from_dict(c, m.id) for c in m.checks or []],
                   attestation=Attestation.from_dict(m.attestation), row=m)


async def _signed(info, m: MediaRow, key: str | None, filename: str | None = None) -> str | None:
    if m.status != "READY" or not key:
        return None
    s = info.context.settings
    return await info.context.services.store.presign_download(key, expires=timedelta(minutes=s.url_ttl_minutes),
                                                              filename=filename)


@strawberry.type
class UploadTicket:
    media: Media
    url: str = strawberry.field(description="Send the file here with `method` (PUT or POST), adding `headers`; "
                                            "for POST, send `fields` then the file as form field `file`.")
    method: str
    headers: list[KeyValue]
    fields: list[KeyValue]
    expires_at: datetime


@strawberry.input
class RequestUploadInput:
    client_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    role: MediaRole | None = MediaRole.GENERAL
