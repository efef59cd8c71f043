from __future__ import annotations

import strawberry

from server.domain.errors import UploadInvalid
from server.domain.media import service
from server.graphql.attestation.types import AttestationInput
from server.graphql.common import KeyValue, parse_id
from server.graphql.context import Info
from server.graphql.writes import write
from server.graphql.media.types import Media, RequestUploadInput, UploadTicket


@strawberry.type
class MediaQuery:
    @strawberry.field
    async def media(self, info: Info, id: strawberry.ID) -> Media | None:
        async with info.context.db.session() as s:
            m = await service.get_media(session=s, actor=info.context.signed_in, media_id=parse_id(id))
        return Media.from_model(m) if m else None


@strawberry.type
class MediaMutation:
    @strawberry.mutation(description="Reserve an upload; idempotent on clientId. Send the bytes to the ticket, "
                                     "then call completeUpload.")
    async def request_upload(self, info: Info, input: RequestUploadInput) -> UploadTicket:
        ctx = info.context
        async with write(info) as s:
            m, t = await service.request_upload(
                session=s, store=ctx.services.store, settings=ctx.settings, actor=ctx.signed_in, client_id=input.client_id,
                filename=input.filename, content_type=input.content_type, size_bytes=input.size_bytes,
                sha256=input.sha256, role=(input.role.value if input.role else "GENERAL"))
        if t is None:  # already completed: nothing to send
            return UploadTicket(media=Media.from_model(m), url="", method="NONE", headers=[], fields=[],
                                expires_at=m.expires_at)
        return UploadTicket(media=Media.from_model(m), url=t.url, method=t.method,
                            headers=[KeyValue(key=k, value=v) for k, v in t.headers.items()],
                            fields=[KeyValue(key=k, value=v) for k, v in t.fields.items()], expires_at=t.expires_at)

    @strawberry.mutation(description="Verify the uploaded file; READY, or UPLOAD_INVALID with the reason. "
                                     "`attestation`: what the app's camera signed at capture (then ATTESTED).")
    async def complete_upload(self, info: Info, media_id: strawberry.ID,
                              attestation: AttestationInput | None = None) -> Media:
        ctx = info.context
        att = None if attestation is None else {"payload": attestation.payload, "signature": attestation.signature,
                                                "device_now": attestation.device_now.isoformat()
                                                if attestation.device_now else None}
        m = await service.complete_upload(db=ctx.db, store=ctx.services.store, settings=ctx.settings,
                                          actor=ctx.signed_in, media_id=parse_id(media_id, "mediaId"), attestation=att)
        if m.status == "REJECTED":
            raise UploadInvalid(m.reject_reason or "upload rejected", mediaId=str(m.id))
        return Media.from_model(m)
