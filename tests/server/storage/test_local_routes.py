"""What the local store's own routes must refuse: forged, expired, mistyped, oversized or short uploads."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from server.storage import LocalStore, make_store
from server.storage.minio_store import MinioStore

TTL = timedelta(minutes=5)
JPEG = {"Content-Type": "image/jpeg"}


@pytest.fixture
async def client():
    async with httpx.AsyncClient(timeout=30) as c:
        yield c


def leftovers(store: LocalStore, prefix: str) -> list[str]:
    d = store.root / prefix
    return sorted(p.name for p in d.rglob("*")) if d.exists() else []


async def ticket(store, key, size=10, ct="image/jpeg", expires=TTL):
    return await store.presign_upload(key, content_type=ct, size=size, expires=expires)


def swap_char(s: str, i: int) -> str:
    return s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1:]


async def test_tampered_tokens_are_forbidden(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original")
    base, token = t.url.split("?t=")
    body, mac = token.split(".")
    for bad in (swap_char(body, 5) + "." + mac, body + "." + swap_char(mac, 3), body, body + ".", ""):
        r = await client.put(f"{base}?t={bad}", content=b"x" * 10, headers=t.headers)
        assert r.status_code == 403 and r.text.startswith("forbidden"), (bad, r.text)
    # A token signed with another secret, and a download token offered for an upload.
    other = LocalStore(local_store.root, public_url=local_store.public_url, secret=b"other" * 8)
    r = await client.put((await ticket(other, prefix + "original")).url, content=b"x" * 10, headers=JPEG)
    assert r.status_code == 403
    dl = await local_store.presign_download(prefix + "original", expires=TTL)
    r = await client.put(f"{base}?t={dl.split('?t=')[1]}", content=b"x" * 10, headers=JPEG)
    assert r.status_code == 403 and "wrong kind" in r.text
    assert await local_store.stat(prefix + "original") is None


async def test_expired_links_are_forbidden(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original", expires=timedelta(seconds=-1))
    r = await client.put(t.url, content=b"x" * 10, headers=t.headers)
    assert (r.status_code, r.text) == (403, "forbidden: link expired")
    await local_store.put(prefix + "original", b"data", content_type="image/jpeg")
    r = await client.get(await local_store.presign_download(prefix + "original", expires=timedelta(seconds=-1)))
    assert (r.status_code, r.text) == (403, "forbidden: link expired")


async def test_wrong_content_type_is_refused(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original")
    r = await client.put(t.url, content=b"x" * 10, headers={"Content-Type": "image/png"})
    assert r.status_code == 400 and "image/jpeg" in r.text
    r = await client.put(t.url, content=b"x" * 10)
    assert r.status_code == 400
    assert await local_store.stat(prefix + "original") is None


async def test_larger_body_is_refused_and_nothing_stored(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original")
    r = await client.put(t.url, content=b"x" * 11, headers=t.headers)  # Content-Length says too much
    assert r.status_code == 413

    async def chunked():  # no Content-Length: the stream itself is counted
        for _ in range(8):
            yield b"x" * 4

    r = await client.put(t.url, content=chunked(), headers=t.headers)
    assert r.status_code == 413
    assert await local_store.stat(prefix + "original") is None
    assert leftovers(local_store, prefix) == []  # no temp file left behind


async def test_shorter_body_is_refused_and_nothing_stored(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original")
    r = await client.put(t.url, content=b"x" * 9, headers=t.headers)
    assert r.status_code == 400 and "9" in r.text
    assert await local_store.stat(prefix + "original") is None
    assert leftovers(local_store, prefix) == []


async def test_a_ticket_cannot_replace_an_uploaded_object(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original")
    assert (await client.put(t.url, content=b"1" * 10, headers=t.headers)).status_code == 201
    r = await client.put(t.url, content=b"2" * 10, headers=t.headers)
    assert r.status_code == 409
    assert await local_store.get(prefix + "original") == b"1" * 10
    assert leftovers(local_store, prefix) == [".original.meta", ".original.spent", "original"]


async def test_a_ticket_is_spent_even_once_its_object_is_deleted(local_store, prefix, client):
    t = await ticket(local_store, prefix + "original")
    assert (await client.put(t.url, content=b"1" * 10, headers=t.headers)).status_code == 201
    await local_store.delete(prefix + "original")  # what the server does to a rejected upload
    r = await client.put(t.url, content=b"2" * 10, headers=t.headers)
    assert r.status_code == 409 and "already been used" in r.text
    assert await local_store.stat(prefix + "original") is None
    assert leftovers(local_store, prefix) == [".original.spent"]  # kept until the ticket expires


async def test_download_headers_and_missing_object(local_store, prefix, client):
    await local_store.put(prefix + "thumb.jpg", b"jpeg", content_type="image/jpeg")
    r = await client.get(await local_store.presign_download(prefix + "thumb.jpg", expires=timedelta(seconds=90)))
    assert r.status_code == 200 and r.content == b"jpeg" and r.headers["content-type"] == "image/jpeg"
    cc = r.headers["cache-control"]
    assert cc.startswith("private, max-age=") and 80 <= int(cc.split("=")[1]) <= 90
    assert r.headers["x-content-type-options"] == "nosniff" and "content-disposition" not in r.headers
    r = await client.get(await local_store.presign_download(prefix + "thumb.jpg", expires=TTL, filename='a"b.jpg'))
    assert r.headers["content-disposition"].startswith('attachment; filename="a_b.jpg"')
    r = await client.get(await local_store.presign_download(prefix + "gone", expires=TTL))
    assert r.status_code == 404
    r = await client.get(f"{local_store.public_url}/media/object?t=junk")
    assert r.status_code == 403


async def test_upload_size_is_capped(tmp_path):
    store = LocalStore(tmp_path, public_url="http://x", secret=b"s", max_upload_bytes=100)
    await ticket(store, "media/a/original", size=100)
    for size in (101, -1):
        with pytest.raises(ValueError):
            await ticket(store, "media/a/original", size=size)


async def test_keys_skip_metadata_and_temp_files_and_delete_prunes_dirs(tmp_path):
    store = LocalStore(tmp_path / "media", public_url="http://x", secret=b"s")
    await store.ensure_ready()
    await store.put("media/2026/11/25/u1/original", b"a", content_type="image/jpeg")
    await store.put("media/2026/11/25/u2/original", b"b", content_type="image/jpeg")
    (store.root / "media/2026/11/25/u1/.tmpabc").write_bytes(b"half")
    assert [k async for k in store.keys()] == ["media/2026/11/25/u1/original", "media/2026/11/25/u2/original"]
    await store.delete("media/2026/11/25/u2/original")
    assert not (store.root / "media/2026/11/25/u2").exists() and (store.root / "media/2026/11/25").is_dir()
    assert store.root.is_dir()


async def test_make_store(tmp_path):
    from server.settings import Settings

    s = make_store(kind="local", data_dir=tmp_path, public_url="http://h:1/", secret=b"s")
    assert isinstance(s, LocalStore) and s.root == tmp_path / "media" and s.public_url == "http://h:1"
    m = make_store(kind="minio", data_dir=tmp_path, public_url="", secret=b"", minio_endpoint="127.0.0.1:9",
                   minio_access_key="a", minio_secret_key="b", minio_bucket="bk")
    assert isinstance(m, MinioStore) and m.bucket == "bk"
    for bad in (dict(kind="s3"), dict(kind="minio"), dict(kind="local", secret=b"")):
        with pytest.raises(ValueError):
            make_store(**{"data_dir": tmp_path, "public_url": "http://h", "secret": b"s", **bad})
    settings = Settings(data_dir=tmp_path, public_url="http://h", secret_key="k")
    assert make_store(settings).root == settings.media_dir

