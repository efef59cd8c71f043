"""The upload flow through GraphQL with the local store: ticket, PUT, complete, checks, refusals."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.factories.images import make_jpeg, make_mp4_bytes, make_png, make_video, pixel_bomb_png

REQUEST = """mutation($i: RequestUploadInput!) { requestUpload(input: $i) {
  url method expiresAt headers { key value } fields { key value } media { id status kind role } } }"""
COMPLETE = """mutation($id: ID!) { completeUpload(mediaId: $id) { id status kind width height takenAt
  exifPosition { lat lon } url thumbnailUrl originalUrl checks { code severity message } } }"""
CST = timezone(timedelta(hours=8))
SITE = (29.5647, 106.587)


def upload_input(data: bytes, content_type="image/jpeg", **kw) -> dict:
    return {"clientId": str(uuid.uuid4()), "filename": "IMG_0001.jpg", "contentType": content_type,
            "sizeBytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **kw}


async def send(client, ticket: dict, data: bytes):
    headers = {h["key"]: h["value"] for h in ticket["headers"]}
    assert ticket["method"] == "PUT"
    return await client.put(ticket["url"].replace("http://testserver", ""), content=data, headers=headers)


async def upload(g, client, data: bytes, **kw) -> dict:
    t = (await g(REQUEST, {"i": upload_input(data, **kw)}))["requestUpload"]
    assert (await send(client, t, data)).status_code == 201
    return t


@pytest.fixture
async def inspector(gql, users):
    return await gql.as_("inspector")


async def test_photo_goes_up_and_comes_back_ready_with_facts(inspector, client, gql):
    taken = datetime.now(CST).replace(microsecond=0) - timedelta(minutes=30)
    data = make_jpeg(1200, 900, taken_at=taken, gps=SITE, seed=1)
    t = await upload(inspector, client, data)
    assert t["media"]["status"] == "PENDING" and t["media"]["kind"] == "PHOTO"
    assert timedelta(minutes=1) < datetime.fromisoformat(t["expiresAt"]) - datetime.now(timezone.utc) \
        <= timedelta(minutes=15)
    m = (await inspector(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]
    assert (m["status"], m["width"], m["height"]) == ("READY", 1200, 900)
    assert datetime.fromisoformat(m["takenAt"]) == taken
    assert m["exifPosition"]["lat"] == pytest.approx(SITE[0], abs=1e-5)
    assert m["checks"] == []
    assert m["originalUrl"] is None  # inspectors never get originals
    thumb = await client.get(m["thumbnailUrl"].replace("http://testserver", ""))
    assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
    from PIL import Image
    import io
    im = Image.open(io.BytesIO(thumb.content))
    assert max(im.size) <= 320 and not im.getexif()  # stripped: no EXIF, no GPS
    disp = await client.get(m["url"].replace("http://testserver", ""))
    assert not Image.open(io.BytesIO(disp.content)).getexif()
    # Completing again is a replay, not an error.
    assert (await inspector(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]["status"] == "READY"
    sup = await gql.as_("supervisor")
    orig = (await sup(f'{{ media(id: "{m["id"]}") {{ originalUrl }} }}'))["media"]["originalUrl"]
    r = await client.get(orig.replace("http://testserver", ""))
    assert r.content == data  # the original, byte for byte


async def test_request_upload_is_idempotent(inspector):
    data = make_jpeg(seed=2)
    i = upload_input(data)
    a = (await inspector(REQUEST, {"i": i}))["requestUpload"]
    b = (await inspector(REQUEST, {"i": i}))["requestUpload"]
    assert a["media"]["id"] == b["media"]["id"]
    err = await inspector.error(REQUEST, {"i": {**i, "sizeBytes": i["sizeBytes"] + 1}})
    assert err["extensions"]["code"] == "CONFLICT"


@pytest.mark.parametrize("change, field", [
    ({"contentType": "application/pdf"}, "contentType"),
    ({"sizeBytes": 0}, "sizeBytes"),
    ({"sizeBytes": 31 * 1024 * 1024}, "sizeBytes"),
    ({"sha256": "abc"}, "sha256"),
    ({"filename": ""}, "filename"),
])
async def test_bad_requests(inspector, change, field):
    err = await inspector.error(REQUEST, {"i": {**upload_input(make_jpeg()), **change}})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def _rejected(g, client, data, declared: bytes | None = None, **kw):
    """Upload `data` under a ticket declared for `declared` (default: data); return the completion error."""
    declared = data if declared is None else declared
    t = (await g(REQUEST, {"i": upload_input(declared, **kw)}))["requestUpload"]
    if data:
        r = await send(client, {**t, "headers": t["headers"]}, data)
        assert r.status_code in (201, 400, 413), r.text
    return t, await g.error(COMPLETE, {"id": t["media"]["id"]})


async def test_bad_uploads_are_refused_and_never_ready(inspector, client, db, settings):
    from server.domain.media.models import Media

    good = make_jpeg(seed=3)
    cases = {
        "truncated": (good[: len(good) // 2], None, {}),
        "png named jpg": (make_png(), None, {}),
        "pixel bomb": (pixel_bomb_png(), None, {"contentType": "image/png"}),
        "random bytes": (b"\x00garbage" * 50, None, {}),
        "wrong sha": (good, None, {"sha256": "0" * 64}),
    }
    for name, (data, declared, kw) in cases.items():
        t, err = await _rejected(inspector, client, data, declared, **kw)
        assert err["extensions"]["code"] == "UPLOAD_INVALID", (name, err)
        media = (await inspector(f'{{ media(id: "{t["media"]["id"]}") {{ status }} }}'))["media"]
        assert media["status"] == "REJECTED", name
    # Nothing uploaded at all: a clear error, and the ticket stays usable.
    t = (await inspector(REQUEST, {"i": upload_input(good)}))["requestUpload"]
    err = await inspector.error(COMPLETE, {"id": t["media"]["id"]})
    assert err["extensions"]["code"] == "UPLOAD_INVALID" and "no file" in err["message"]
    assert (await send(client, t, good)).status_code == 201
    assert (await inspector(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]["status"] == "READY"
    async with db.session() as s:
        rows = list((await s.execute(select(Media))).scalars())
    assert sum(m.status == "READY" for m in rows) == 1
    store_files = [p for p in (settings.media_dir).rglob("original")]
    assert len(store_files) == 1  # rejected objects were deleted


async def test_store_refuses_wrong_size_and_type_at_upload(inspector, client):
    data = make_jpeg(seed=4)
    t = (await inspector(REQUEST, {"i": upload_input(data)}))["requestUpload"]
    url = t["url"].replace("http://testserver", "")
    assert (await client.put(url, content=data + b"xx", headers={"Content-Type": "image/jpeg"})).status_code == 413
    assert (await client.put(url, content=data[:-5], headers={"Content-Type": "image/jpeg"})).status_code == 400
    assert (await client.put(url, content=data, headers={"Content-Type": "image/png"})).status_code == 400
    assert (await client.put(url + "x", content=data, headers={"Content-Type": "image/jpeg"})).status_code == 403
    err = await inspector.error(COMPLETE, {"id": t["media"]["id"]})
    assert "no file" in err["message"]


async def test_expired_ticket_and_someone_elses_upload(inspector, gql, client, db):
    from server.domain.media.models import Media

    data = make_jpeg(seed=5)
    t = await upload(inspector, client, data)
    other = await gql.as_("officer")
    err = await other.error(COMPLETE, {"id": t["media"]["id"]})
    assert err["extensions"]["code"] == "FORBIDDEN"
    async with db.transaction() as s:
        m = await s.get(Media, int(t["media"]["id"]))
        m.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    err = await inspector.error(COMPLETE, {"id": t["media"]["id"]})
    assert err["extensions"]["code"] == "UPLOAD_INVALID" and "expired" in err["message"]


async def test_video_is_parsed_stored_and_typed(inspector, client):
    now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5)
    data = make_video(1.0, created_at=now.isoformat().replace("+00:00", "Z"), location="+29.5647+106.5870/")
    t = await upload(inspector, client, data, contentType="video/mp4", filename="clip.mp4")
    m = (await inspector(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]
    assert (m["status"], m["kind"], m["thumbnailUrl"]) == ("READY", "VIDEO", None)
    assert (m["width"], m["height"]) == (64, 48) and datetime.fromisoformat(m["takenAt"]) == now
    assert m["exifPosition"]["lat"] == pytest.approx(29.5647) and m["checks"] == []


async def test_video_without_time_or_place_is_flagged_and_a_box_skeleton_is_refused(inspector, client):
    t = await upload(inspector, client, make_video(1.0, seed=9), contentType="video/mp4", filename="clip.mp4")
    m = (await inspector(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]
    assert m["status"] == "READY" and {c["code"] for c in m["checks"]} == {"NO_EXIF_TIME", "NO_EXIF_GPS"}
    fake = make_mp4_bytes()  # the 332-byte "MP4" of boxes and nothing to play
    t = await upload(inspector, client, fake, contentType="video/mp4", filename="fake.mp4")
    err = await inspector.error(COMPLETE, {"id": t["media"]["id"]})
    assert err["extensions"]["code"] == "UPLOAD_INVALID" and "video" in err["message"]


async def test_a_ticket_is_single_use_even_after_rejection(inspector, client, db, settings, app, monkeypatch):
    from server.domain.media.service import expire_stale_uploads

    junk = b"\x00garbage" * 50
    t, err = await _rejected(inspector, client, junk)
    assert err["extensions"]["code"] == "UPLOAD_INVALID"
    assert not list(settings.media_dir.rglob("original"))  # the rejected object was deleted
    # The same ticket again, with the same or other bytes: refused, and nothing stays.
    again = await send(client, t, junk)
    assert again.status_code == 409 and "already been used" in again.text
    assert not list(settings.media_dir.rglob("original"))
    # A good upload's ticket cannot overwrite what was verified either.
    good = make_jpeg(seed=21)
    t2 = await upload(inspector, client, good)
    assert (await send(client, t2, good)).status_code == 409
    # After the tickets expire the sweep leaves no trace of the rejected upload (marks included).
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    import server.storage.local as local_mod
    from types import SimpleNamespace

    monkeypatch.setattr(local_mod, "time", SimpleNamespace(time=later.timestamp))  # the store's clock, an hour on
    await expire_stale_uploads(db=db, store=app.state.services.store, now=later)
    async with db.session() as s:
        from server.domain.media.models import Media

        m = await s.get(Media, int(t["media"]["id"]))
    assert m.status == "REJECTED" and m.object_swept
    assert not (settings.media_dir / m.key).parent.exists()


async def test_checks_flag_missing_exif_future_editing_and_duplicates(inspector, client):
    plain = make_jpeg(seed=6)
    m = (await inspector(COMPLETE, {"id": (await upload(inspector, client, plain))["media"]["id"]}))
    codes = {c["code"] for c in m["completeUpload"]["checks"]}
    assert codes == {"NO_EXIF_TIME", "NO_EXIF_GPS"}
    future = make_jpeg(seed=7, taken_at=datetime.now(CST) + timedelta(days=2), gps=SITE, software="Adobe Photoshop 25.0")
    m = (await inspector(COMPLETE, {"id": (await upload(inspector, client, future))["media"]["id"]}))
    checks = {c["code"]: c for c in m["completeUpload"]["checks"]}
    assert set(checks) == {"TAKEN_IN_FUTURE", "EDITED_BY_SOFTWARE"}
    assert checks["TAKEN_IN_FUTURE"]["severity"] == "FAIL" and " / " in checks["TAKEN_IN_FUTURE"]["message"]
    # The same file again, and a re-encoded copy of the first.
    m = (await inspector(COMPLETE, {"id": (await upload(inspector, client, plain))["media"]["id"]}))
    assert "DUPLICATE_FILE" in {c["code"] for c in m["completeUpload"]["checks"]}
    again = make_jpeg(seed=6, quality=70)
    m = (await inspector(COMPLETE, {"id": (await upload(inspector, client, again))["media"]["id"]}))
    assert "NEAR_DUPLICATE" in {c["code"] for c in m["completeUpload"]["checks"]}


async def test_expired_uploads_are_swept(inspector, client, db, settings, app):
    from server.domain.media.models import Media
    from server.domain.media.service import expire_stale_uploads

    t = await upload(inspector, client, make_jpeg(seed=8))
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    n = await expire_stale_uploads(db=db, store=app.state.services.store, now=later)
    assert n == 1
    async with db.session() as s:
        m = await s.get(Media, int(t["media"]["id"]))
    assert m.status == "REJECTED" and not list(settings.media_dir.rglob("original"))


async def test_photo_flow_on_minio_store_over_http(settings, db, users):
    """The same flow with the MinIO adapter against moto's S3 server: POST policy upload, READY, checks."""
    import httpx as hx
    from moto.server import ThreadedMotoServer

    from server.app import create_app
    from server.web.wiring import Services
    from server.storage import make_store
    from tests.server.api.conftest import Gql
    from tests.server.storage.test_stores import free_port

    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    moto.start()
    try:
        s = settings.with_(storage="minio", minio_endpoint=f"127.0.0.1:{port}", minio_access_key="k",
                           minio_secret_key="s", minio_bucket="evidence")
        services = Services(settings=s, db=db, store=make_store(s))
        await services.store.ensure_ready()
        app = create_app(s, services=services)
        async with hx.AsyncClient(transport=hx.ASGITransport(app=app), base_url="http://testserver") as c:
            g = await Gql(c).as_("inspector")
            data = make_jpeg(800, 600, taken_at=datetime.now(CST) - timedelta(minutes=5), gps=SITE, seed=11)
            t = (await g(REQUEST, {"i": upload_input(data)}))["requestUpload"]
            assert t["method"] == "POST" and t["url"].startswith(f"http://127.0.0.1:{port}/evidence")
            fields = {f["key"]: f["value"] for f in t["fields"]}
            async with hx.AsyncClient() as phone:
                r = await phone.post(t["url"], data=fields, files={"file": ("p.jpg", data, "image/jpeg")})
            assert r.status_code in (200, 204), r.text
            m = (await g(COMPLETE, {"id": t["media"]["id"]}))["completeUpload"]
            assert m["status"] == "READY" and m["checks"] == [] and m["thumbnailUrl"].startswith("http://127.0.0.1")
            async with hx.AsyncClient() as phone:
                thumb = await phone.get(m["thumbnailUrl"])
            assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
            # A lie the store let through (moto enforces no policy): the server refuses it.
            bad = make_png(seed=12)
            t = (await g(REQUEST, {"i": upload_input(bad, contentType="image/jpeg")}))["requestUpload"]
            fields = {f["key"]: f["value"] for f in t["fields"]}
            async with hx.AsyncClient() as phone:
                await phone.post(t["url"], data=fields, files={"file": ("p.jpg", bad, "image/jpeg")})
            err = await g.error(COMPLETE, {"id": t["media"]["id"]})
            assert err["extensions"]["code"] == "UPLOAD_INVALID" and "PNG" in err["message"]
    finally:
        moto.stop()
