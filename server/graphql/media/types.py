from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import strawberry

from server.domain.media.models import Media as MediaRow
from server.domain.permissions import can
from server.graphql.attestation.types import Attestation
from server.graphql.common import UPDATED_AT, GeoPoint, KeyValue
from server.graphql.enums import CheckSeverity, EvidenceCheckCode, MediaKind, MediaRole, MediaStatus


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

    @classmethod
    def from_dict(cls, c: dict, media_id: int | None = None) -> "EvidenceCheck":
        mid = media_id if media_id is not None else c.get("media")
        return cls(code=EvidenceCheckCode(c["code"]), severity=CheckSeverity(c["severity"]),
                   message=f'{c["zh"]} / {c["en"]}', message_zh=c["zh"], message_en=c["en"],
                   media_id=strawberry.ID(str(mid)) if mid is not None else None)


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
