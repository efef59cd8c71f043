"""The permission-matrix scenarios of attested capture (rows in docs/permissions.md)."""
from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from server.domain.attestation.models import Device
from server.domain.attestation.payload import key_id

OPS = {"Query.devices", "Mutation.registerDevice", "Mutation.revokeDevice"}


def new_key() -> tuple[str, str]:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                 serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode(), key_id(raw)


async def run(op: str, w, q, d: str) -> dict:
    if op == "Query.devices":
        return await q("{ devices { keyId } }")
    if op == "Mutation.registerDevice":
        return await q("mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { id } }",
                       {"i": {"publicKey": new_key()[0], "label": "matrix"}})
    if op == "Mutation.revokeDevice":
        pub, kid = new_key()
        async with w.db.transaction() as s:
            dev = Device(key_id=kid, public_key=pub, user_id=w.users["inspector"], label="victim")
            s.add(dev)
            await s.flush()
            dev_id = dev.id
        return await q(f'mutation {{ revokeDevice(id: "{dev_id}") {{ revokedAt }} }}')
    raise AssertionError(op)
