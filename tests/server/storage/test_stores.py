"""One contract for every ObjectStore, over real HTTP: LocalStore behind uvicorn, MinioStore against
moto's S3 server, and against an enforcing S3 server (SeaweedFS started here, or the real MinIO named by
OUTFALLWATCH_TEST_MINIO_ENDPOINT).

moto enforces no POST-policy conditions, which is why completeUpload verifies every object itself
(tests/server/api/test_media_api.py) rather than trusting the store; nothing here relies on enforcement.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import httpx
import pytest

from server.storage import ObjectStore
from tests.server.storage.servers import free_port  # noqa: F401  (used by tests/server/api)

TTL = timedelta(minutes=5)


async def send(ticket, data: bytes, content_type: str) -> httpx.Response:
    """Exactly what a phone does with a ticket."""
    async with httpx.AsyncClient(timeout=30) as c:
        if ticket.method == "PUT":
            return await c.put(ticket.url, content=data, headers=ticket.headers)
        assert ticket.method == "POST"
        return await c.post(ticket.url, data=ticket.fields, files={"file": ("photo", data, content_type)})


async def fetch(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as c:
        return await c.get(url)


async def test_is_an_object_store(store):
    assert isinstance(store, ObjectStore)
    await store.ensure_ready()  # idempotent


async def test_ticket_shape(store, prefix):
    before = datetime.now(timezone.utc)
    t = await store.presign_upload(prefix + "original", content_type="image/jpeg", size=123, expires=TTL)
    assert t.url.startswith("http://") and t.method in ("PUT", "POST")
    assert t.expires_at.tzinfo is not None and t.expires_at.utcoffset() == timedelta(0)
    assert before + TTL - timedelta(seconds=2) <= t.expires_at <= datetime.now(timezone.utc) + TTL
    if t.method == "PUT":
        assert t.headers["Content-Type"] == "image/jpeg" and not t.fields
    else:
        assert t.fields["key"] == prefix + "original" and t.fields["Content-Type"] == "image/jpeg"
        assert "policy" in t.fields and "file" not in t.fields


async def test_upload_through_ticket_then_stat_and_get(store, prefix):
    key, data = prefix + "original", os.urandom(50_000)
    t = await store.presign_upload(key, content_type="image/jpeg", size=len(data), expires=TTL)
    r = await send(t, data, "image/jpeg")
    assert r.status_code in (200, 201, 204), r.text
    info = await store.stat(key)
    assert info is not None and (info.key, info.size, info.content_type) == (key, len(data), "image/jpeg")
    assert await store.get(key) == data
    assert await store.get(key, max_bytes=len(data)) == data


async def test_presigned_download(store, prefix):
    key, data = prefix + "display.jpg", os.urandom(10_000)
    await store.put(key, data, content_type="image/jpeg")
    r = await fetch(await store.presign_download(key, expires=TTL))
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "image/jpeg"
    r = await fetch(await store.presign_download(key, expires=TTL, filename="排口 12.jpg"))
    assert r.status_code == 200 and r.content == data
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment;") and "排口 12.jpg" in unquote(cd)


async def test_put_get_round_trip_and_overwrite(store, prefix):
    key = prefix + "thumb.jpg"
    await store.put(key, b"first", content_type="image/jpeg")
    assert await store.get(key) == b"first"
    await store.put(key, b"second one", content_type="image/png")
    assert await store.get(key) == b"second one"
    info = await store.stat(key)
    assert info is not None and (info.size, info.content_type) == (10, "image/png")
    await store.put(prefix + "empty", b"", content_type="application/octet-stream")
    assert await store.get(prefix + "empty") == b""


async def test_get_with_max_bytes_refuses_oversized(store, prefix):
    key = prefix + "big"
    await store.put(key, b"x" * 1000, content_type="image/jpeg")
    assert len(await store.get(key, max_bytes=1000)) == 1000
    with pytest.raises(ValueError):
        await store.get(key, max_bytes=999)
    with pytest.raises(ValueError):
        await store.get(key, max_bytes=0)


async def test_missing_objects(store, prefix):
    assert await store.stat(prefix + "nope") is None
    with pytest.raises(FileNotFoundError):
        await store.get(prefix + "nope")
    with pytest.raises(FileNotFoundError):
        await store.get(prefix + "nope", max_bytes=10)
    assert await store.stat(prefix.rstrip("/")) is None  # a "directory" is no object


async def test_delete_is_idempotent(store, prefix):
    key = prefix + "original"
    await store.delete(key)  # never existed
    await store.put(key, b"data", content_type="image/jpeg")
    await store.delete(key)
    await store.delete(key)
    assert await store.stat(key) is None
    assert [k async for k in store.keys(prefix)] == []


async def test_keys_lists_by_prefix(store, prefix):
    names = ["a/original", "a/thumb.jpg", "ab/original", "b/original"]
    for n in reversed(names):
        await store.put(prefix + n, n.encode(), content_type="image/jpeg")
    assert [k async for k in store.keys(prefix)] == [prefix + n for n in names]
    assert [k async for k in store.keys(prefix + "a/")] == [prefix + "a/original", prefix + "a/thumb.jpg"]
    assert [k async for k in store.keys(prefix + "a")] == [prefix + n for n in names[:3]]
    assert [k async for k in store.keys(prefix + "zzz")] == []
    everything = [k async for k in store.keys()]
    assert set(prefix + n for n in names) <= set(everything) and everything == sorted(everything)


BAD_KEYS = ["", "/media/x", "../etc/passwd", "media/../../x", "media/./x", "media//x", "media/x/",
            "media\\x", "media/.hidden", "media/x y", "media/x\n", "m" * 600]


@pytest.mark.parametrize("key", BAD_KEYS, ids=range(len(BAD_KEYS)))
async def test_invalid_keys_refused(store, key):
    calls = [lambda: store.stat(key), lambda: store.get(key), lambda: store.put(key, b"x", content_type="image/jpeg"),
             lambda: store.delete(key), lambda: store.presign_download(key, expires=TTL),
             lambda: store.presign_upload(key, content_type="image/jpeg", size=1, expires=TTL)]
    for call in calls:
        with pytest.raises(ValueError):
            await call()


@pytest.mark.parametrize("p", ["../", "/media/", "media/../x/"])
async def test_invalid_prefix_refused(store, p):
    with pytest.raises(ValueError):
        [k async for k in store.keys(p)]
