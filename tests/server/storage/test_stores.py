"""One contract for every ObjectStore, over real HTTP: local (uvicorn), MinIO client vs moto's S3 server,
and a real MinIO when OUTFALLWATCH_TEST_MINIO_ENDPOINT is set.

moto enforces no POST-policy conditions and no signatures; that is why completeUpload verifies
everything itself (tests/server/api/test_media_api.py) rather than trusting the store.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from datetime import timedelta

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from server.storage import LocalStore
from server.storage.local_routes import media_routes
from server.storage.minio_store import MinioStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    port = free_port()
    store = LocalStore(tmp_path_factory.mktemp("objects"), public_url=f"http://127.0.0.1:{port}", secret=b"k" * 32)
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=media_routes(store)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    while not server.started:
        time.sleep(0.02)
    yield store
    server.should_exit = True
    t.join(5)


REAL = os.environ.get("OUTFALLWATCH_TEST_MINIO_ENDPOINT")


@pytest.fixture(params=["local", "moto", pytest.param("minio", marks=pytest.mark.skipif(
    not REAL, reason="real MinIO not configured: set OUTFALLWATCH_TEST_MINIO_ENDPOINT (+_ACCESS_KEY, _SECRET_KEY)"))])
async def store(request):
    if request.param == "local":
        s = request.getfixturevalue("local_server")
    elif request.param == "moto":
        s = MinioStore(request.getfixturevalue("moto_endpoint"), access_key="test", secret_key="test",
                       bucket=f"ow-{os.getpid()}")
    else:
        s = MinioStore(REAL, access_key=os.environ.get("OUTFALLWATCH_TEST_MINIO_ACCESS_KEY", "minioadmin"),
                       secret_key=os.environ.get("OUTFALLWATCH_TEST_MINIO_SECRET_KEY", "minioadmin"),
                       bucket=f"ow-test-{os.getpid()}",
                       secure=os.environ.get("OUTFALLWATCH_TEST_MINIO_SECURE", "") in ("1", "true"))
    await s.ensure_ready()
    await s.ensure_ready()  # idempotent
    return s


async def send(ticket, data: bytes, content_type: str) -> httpx.Response:
    async with httpx.AsyncClient() as c:
        if ticket.method == "PUT":
            return await c.put(ticket.url, content=data, headers=ticket.headers)
        return await c.post(ticket.url, data=ticket.fields, files={"file": ("f", data, content_type)})


async def test_upload_through_ticket_then_read_back(store):
    key, data = f"media/t/{time.time_ns()}/original", os.urandom(50_000)
    t = await store.presign_upload(key, content_type="image/jpeg", size=len(data), expires=timedelta(minutes=5))
    assert t.method in ("PUT", "POST") and t.expires_at is not None
    r = await send(t, data, "image/jpeg")
    assert r.status_code in (200, 201, 204), r.text
    info = await store.stat(key)
    assert info is not None and info.size == len(data)
    assert await store.get(key) == data
    url = await store.presign_download(key, expires=timedelta(minutes=5), filename="a.jpg")
    async with httpx.AsyncClient() as c:
        assert (await c.get(url)).content == data
    with pytest.raises(ValueError):
        await store.get(key, max_bytes=100)


async def test_put_list_delete(store):
    prefix = f"media/l/{time.time_ns()}/"
    for name in ("a", "b"):
        await store.put(prefix + name, name.encode() * 10, content_type="image/jpeg")
    assert [k async for k in store.keys(prefix)] == [prefix + "a", prefix + "b"]
    await store.delete(prefix + "a")
    await store.delete(prefix + "a")  # idempotent
    assert await store.stat(prefix + "a") is None
    assert [k async for k in store.keys(prefix)] == [prefix + "b"]


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "", "x\\y"])
async def test_bad_keys_refused(store, key):
    with pytest.raises(ValueError):
        await store.stat(key)


async def test_local_urls_are_signed_and_expire(local_server):
    store = local_server
    data = b"x" * 10
    t = await store.presign_upload("media/s/1/original", content_type="image/png", size=10, expires=timedelta(seconds=-1))
    async with httpx.AsyncClient() as c:
        r = await c.put(t.url, content=data, headers=t.headers)
        assert r.status_code == 403 and "expired" in r.text
        t = await store.presign_upload("media/s/1/original", content_type="image/png", size=10,
                                       expires=timedelta(minutes=1))
        tampered = t.url.replace("media%2Fs", "media%2Fx").replace("t=ey", "t=eZ")
        assert (await c.put(tampered, content=data, headers=t.headers)).status_code == 403
        assert (await c.put(t.url, content=data * 2, headers=t.headers)).status_code == 413
        assert await store.stat("media/s/1/original") is None
        assert (await c.put(t.url, content=data, headers=t.headers)).status_code == 201
        url = await store.presign_download("media/s/1/original", expires=timedelta(seconds=-5))
        assert (await c.get(url)).status_code == 403
