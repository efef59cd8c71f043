"""Attested capture end to end: the phone's signer (mobile/core/attest.py), registerDevice, completeUpload.

The issue's cases: valid, tampered bytes, tampered fix, replayed counter, revoked device, unknown device,
offline capture synced a day later; plus a gallery photo (NOT_ATTESTED) told apart from an attested one.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from mobile.core.attest import CaptureSigner
from mobile.core.device import Fix
from tests.factories.images import make_jpeg
from tests.server.api.test_media_api import REQUEST, send, upload_input

SITE = (29.5647, 106.587)
COMPLETE = """mutation($id: ID!, $a: AttestationInput) { completeUpload(mediaId: $id, attestation: $a) {
  id status takenAt checks { code severity messageEn }
  attestation { status messageEn messageZh counter record capturedAt fix { lat lon accuracyM } mockLocation
                keyStorage deviceClockOffsetSeconds } } }"""
REGISTER = "mutation($i: RegisterDeviceInput!) { registerDevice(input: $i) { id keyId label keyStorage revokedAt } }"


class Phone:
    """The app's side: its signer, and a GraphQL session through the ASGI client."""

    def __init__(self, g, client, folder):
        self.g, self.client, self.signer = g, client, CaptureSigner(folder)

    async def register(self) -> dict:
        return (await self.g(REGISTER, {"i": {"publicKey": self.signer.public_key, "label": "Pixel 7 / 巡查"}}))[
            "registerDevice"]

    def capture(self, seed: int, *, fix: Fix | None = None, at: datetime | None = None, record="inspection:x"):
        data = make_jpeg(800, 600, seed=seed)
        fix = fix or Fix(*SITE, accuracy_m=6.0, at=(at or datetime.now(UTC)) - timedelta(seconds=3), mocked=False)
        return data, self.signer.sign(sha256=hashlib.sha256(data).hexdigest(), fix=fix, record=record, captured_at=at)

    async def upload(self, data: bytes, att: dict | None, *, device_now: datetime | None = None) -> dict:
        t = (await self.g(REQUEST, {"i": upload_input(data)}))["requestUpload"]
        assert (await send(self.client, t, data)).status_code == 201
        a = None if att is None else {**att, "deviceNow": (device_now or datetime.now(UTC)).isoformat()}
        return (await self.g(COMPLETE, {"id": t["media"]["id"], "a": a}))["completeUpload"]


@pytest.fixture
async def phone(gql, client, users, tmp_path):
    p = Phone(await gql.as_("inspector"), client, tmp_path / "phone")
    await p.register()
    return p


def _codes(m):
    return {c["code"]: c for c in m["checks"]}


async def test_registration_is_idempotent_and_listed(phone, gql):
    again = await phone.register()
    assert again["keyId"] == phone.signer.key_id and again["keyStorage"] == "SOFTWARE"
    devs = (await phone.g("{ devices { keyId label revokedAt } }"))["devices"]
    assert devs == [{"keyId": phone.signer.key_id, "label": "Pixel 7 / 巡查", "revokedAt": None}]
    officer = await gql.as_("officer")  # someone else cannot claim the same key
    err = await officer.error(REGISTER, {"i": {"publicKey": phone.signer.public_key, "label": "x"}})
    assert err["extensions"]["code"] == "CONFLICT"
    err = await officer.error(REGISTER, {"i": {"publicKey": "AAAA", "label": "x"}})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "publicKey"}


async def test_valid_capture_is_attested_and_its_signed_values_are_used(phone):
    data, att = phone.capture(1, record="inspection:7f1c")
    m = await phone.upload(data, att)
    a = m["attestation"]
    assert m["status"] == "READY" and a["status"] == "ATTESTED" and a["counter"] == 1
    assert a["record"] == "inspection:7f1c" and a["fix"]["lat"] == pytest.approx(SITE[0]) and a["mockLocation"] is False
    assert "ATTESTED" in _codes(m) and _codes(m)["ATTESTED"]["severity"] == "INFO"
    # make_jpeg wrote no EXIF: the signed capture time stands in for it.
    assert m["takenAt"] is not None and "NO_EXIF_TIME" not in _codes(m) and "NO_EXIF_GPS" not in _codes(m)


async def test_gallery_photo_is_not_attested_and_flagged_for_a_phone_that_signs(phone):
    m = await phone.upload(make_jpeg(800, 600, seed=2), None)
    assert m["status"] == "READY" and m["attestation"]["status"] == "NOT_ATTESTED"
    assert _codes(m)["NOT_ATTESTED"]["severity"] == "WARNING"


async def test_tampered_bytes_fail(phone):
    data, att = phone.capture(3)
    other = make_jpeg(800, 600, seed=33)  # a different photo sent under the first one's signature
    m = await phone.upload(other, att)
    assert m["attestation"]["status"] == "FAIL" and "SHA-256" in m["attestation"]["messageEn"]
    assert _codes(m)["ATTESTATION_FAILED"]["severity"] == "FAIL"


async def test_tampered_fix_fails(phone):
    data, att = phone.capture(4)
    st = json.loads(base64.b64decode(att["payload"]))
    st["lat"] += 0.01  # moved ~1 km after signing
    forged = {**att, "payload": base64.b64encode(json.dumps(st).encode()).decode()}
    m = await phone.upload(data, forged)
    assert m["attestation"]["status"] == "FAIL" and "does not verify" in m["attestation"]["messageEn"]


async def test_replayed_counter_fails(phone):
    data, att = phone.capture(5)
    assert (await phone.upload(data, att))["attestation"]["status"] == "ATTESTED"
    # The same signed statement again for another upload of the same bytes (a new clientId): a replay.
    m = await phone.upload(data, att)
    assert m["attestation"]["status"] == "FAIL" and "replayed" in m["attestation"]["messageEn"]


async def test_revoked_device_fails_and_only_admin_revokes(phone, gql):
    dev = (await phone.g("{ devices { id } }"))["devices"][0]
    revoke = "mutation($id: ID!) { revokeDevice(id: $id) { revokedAt } }"
    err = await phone.g.error(revoke, {"id": dev["id"]})
    assert err["extensions"]["code"] == "FORBIDDEN"
    admin = await gql.as_("admin")
    assert (await admin(revoke, {"id": dev["id"]}))["revokeDevice"]["revokedAt"]
    listed = (await admin("query($u: ID) { devices(userId: $u) { revokedAt } }",
                          {"u": str((await phone.g("{ me { id } }"))["me"]["id"])}))["devices"]
    assert listed[0]["revokedAt"]
    data, att = phone.capture(6)
    m = await phone.upload(data, att)
    assert m["attestation"]["status"] == "FAIL" and "revoked" in m["attestation"]["messageEn"]


async def test_unknown_device_fails(gql, client, users, tmp_path):
    p = Phone(await gql.as_("inspector"), client, tmp_path / "unregistered")  # never registered
    data, att = p.capture(7)
    m = await p.upload(data, att)
    assert m["attestation"]["status"] == "FAIL" and "unknown device" in m["attestation"]["messageEn"]


async def test_mock_location_fails(phone):
    data, att = phone.capture(8, fix=Fix(*SITE, accuracy_m=3.0, at=datetime.now(UTC), mocked=True))
    m = await phone.upload(data, att)
    assert m["attestation"]["status"] == "FAIL" and "mock" in m["attestation"]["messageEn"]


async def test_offline_capture_synced_a_day_later_is_attested(phone):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    data, att = phone.capture(9, at=yesterday)  # signed with no network, sent the next day
    m = await phone.upload(data, att)
    assert m["attestation"]["status"] == "ATTESTED"
    assert abs(datetime.fromisoformat(m["takenAt"]) - yesterday) < timedelta(seconds=5)


async def test_consistency_stale_fix_and_clock_offset(phone):
    now = datetime.now(UTC)
    stale = Fix(*SITE, accuracy_m=5.0, at=now - timedelta(minutes=20), mocked=False)
    data, att = phone.capture(10, fix=stale, at=now)
    m = await phone.upload(data, att, device_now=now + timedelta(minutes=30))  # phone clock 30 min fast
    assert m["attestation"]["status"] == "ATTESTED"
    assert {"FIX_TIME_MISMATCH", "CLOCK_OFFSET"} <= set(_codes(m))
    assert m["attestation"]["deviceClockOffsetSeconds"] == pytest.approx(1800, abs=30)
    # The capture time is put on the server's clock: 30 min earlier than the phone's.
    assert abs(datetime.fromisoformat(m["takenAt"]) - (now - timedelta(minutes=30))) < timedelta(seconds=30)


async def test_the_counter_survives_a_restart_of_the_app(tmp_path):
    a = CaptureSigner(tmp_path / "p")
    fix = Fix(*SITE, accuracy_m=5.0)
    c1 = json.loads(base64.b64decode(a.sign(sha256="0" * 64, fix=fix, record="r")["payload"]))["counter"]
    b = CaptureSigner(tmp_path / "p")  # the app restarted: same key, counter goes on
    c2 = json.loads(base64.b64decode(b.sign(sha256="0" * 64, fix=fix, record="r")["payload"]))["counter"]
    assert b.key_id == a.key_id and (c1, c2) == (1, 2)
