"""Our presigned URLs and POST policies as a store that enforces them judges them (issue 12, "S3 for real"):
SeaweedFS's S3 gateway from PyPI (or the MinIO named by OUTFALLWATCH_TEST_MINIO_*). A valid ticket works;
a tampered, forged, expired or oversized one is refused, so what the server signs is what MinIO would let
through. (moto accepts all of these; completeUpload still re-checks every object itself.)"""
from __future__ import annotations

import asyncio
import os
from datetime import timedelta

import httpx
import pytest

from server.storage import MinioStore
from tests.server.storage.test_stores import TTL, fetch, send


@pytest.fixture
async def s3(enforcing_s3, prefix):
    env = dict(enforcing_s3)
    s = MinioStore(env.pop("endpoint"), **env)
    await s.ensure_ready()
    yield s
    async for k in s.keys(prefix):
        await s.delete(k)


async def test_a_valid_ticket_is_accepted_and_a_forged_one_refused(s3, prefix):
    data = os.urandom(2_000)
    t = await s3.presign_upload(prefix + "a", content_type="image/jpeg", size=len(data), expires=TTL)
    assert t.method == "POST"
    forged = t.__class__(**{**t.__dict__, "fields": {**t.fields, "x-amz-signature": "0" * 64}})
    assert (await send(forged, data, "image/jpeg")).status_code == 403
    other_key = t.__class__(**{**t.__dict__, "fields": {**t.fields, "key": prefix + "elsewhere"}})
    assert (await send(other_key, data, "image/jpeg")).status_code == 403
    assert (await send(t, data + b"more", "image/jpeg")).status_code in (400, 403)  # not the size signed
    assert await s3.stat(prefix + "a") is None and await s3.stat(prefix + "elsewhere") is None
    assert (await send(t, data, "image/jpeg")).status_code in (200, 201, 204)
    assert await s3.get(prefix + "a") == data


async def test_an_expired_ticket_is_refused(s3, prefix):
    data = os.urandom(500)
    t = await s3.presign_upload(prefix + "late", content_type="image/jpeg", size=len(data),
                                expires=timedelta(seconds=1))
    await asyncio.sleep(2.5)
    assert (await send(t, data, "image/jpeg")).status_code == 403
    assert await s3.stat(prefix + "late") is None


async def test_download_urls_are_checked(s3, prefix):
    await s3.put(prefix + "d.jpg", b"photo", content_type="image/jpeg")
    url = await s3.presign_download(prefix + "d.jpg", expires=TTL)
    assert (await fetch(url)).status_code == 200
    assert (await fetch(url.replace("d.jpg", "e.jpg"))).status_code == 403  # another object, same signature
    sig = url.split("X-Amz-Signature=")[1][:64]
    assert (await fetch(url.replace(sig, "0" * 64))).status_code == 403
    assert (await fetch(url.split("?")[0])).status_code == 403  # anonymous
    short = await s3.presign_download(prefix + "d.jpg", expires=timedelta(seconds=1))
    await asyncio.sleep(2.5)
    assert (await fetch(short)).status_code == 403
    async with httpx.AsyncClient() as c:  # and no anonymous writes
        assert (await c.put(url.split("?")[0], content=b"x")).status_code == 403
