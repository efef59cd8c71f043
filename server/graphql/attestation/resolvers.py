from __future__ import annotations

import strawberry

from server.domain.attestation import service
from server.graphql.attestation.types import Device, RegisterDeviceInput
from server.graphql.common import parse_id
from server.graphql.context import Info
from server.graphql.writes import write


@strawberry.type
class AttestationQuery:
    @strawberry.field(description="A user's capture devices (default: the caller's); ADMIN/SUPERVISOR see anyone's.")
    async def devices(self, info: Info, user_id: strawberry.ID | None = None) -> list[Device]:
        async with info.context.db.session() as s:
            rows = await service.list_devices(session=s, actor=info.context.signed_in,
                                              user_id=parse_id(user_id, "userId") if user_id is not None else None)
        return [Device.from_model(d) for d in rows]


@strawberry.type
class AttestationMutation:
    @strawberry.mutation(description="Register this phone's capture key (at first sign-in); idempotent per key.")
    async def register_device(self, info: Info, input: RegisterDeviceInput) -> Device:
        async with write(info) as s:
            d = await service.register_device(session=s, actor=info.context.signed_in, public_key=input.public_key,
                                              label=input.label,
                                              key_storage=input.key_storage.value if input.key_storage else "SOFTWARE")
        return Device.from_model(d)

    @strawberry.mutation(description="ADMIN: revoke a device key; photos it signs from now on FAIL attestation.")
    async def revoke_device(self, info: Info, id: strawberry.ID) -> Device:
        async with write(info) as s:
            d = await service.revoke_device(session=s, actor=info.context.signed_in, device_id=parse_id(id))
        return Device.from_model(d)
