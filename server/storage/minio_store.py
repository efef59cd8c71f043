"""MinIO (or any S3) through the official `minio` client; its blocking calls run in threads.

The POST policy pins key, Content-Type and exact size, and MinIO/S3 enforce it. Not every S3 does
(moto enforces nothing), so the server still verifies each object itself after upload.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from functools import partial

import anyio
from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error

from server.storage.base import ObjectInfo, UploadTicket, check_key, check_prefix, content_disposition

_MISSING = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}
_LIST_BATCH = 1000


class MinioStore:
    def __init__(self, endpoint: str, *, access_key: str, secret_key: str, bucket: str, secure: bool = False,
                 region: str = "us-east-1"):
        self.bucket = bucket
        # An explicit region spares a GetBucketLocation round trip before every first call.
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.base = f"{'https' if secure else 'http'}://{endpoint}"

    async def _run(self, fn, *a, **kw):
        return await anyio.to_thread.run_sync(partial(fn, *a, **kw))

    async def ensure_ready(self) -> None:
        if await self._run(self.client.bucket_exists, self.bucket):
            return
        try:
            await self._run(self.client.make_bucket, self.bucket)
        except S3Error as e:  # a concurrent worker made it first
            if e.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    async def presign_upload(self, key: str, *, content_type: str, size: int, expires: timedelta) -> UploadTicket:
        check_key(key)
        if size < 0:
            raise ValueError(f"upload size {size} is negative")
        exp = (datetime.now(timezone.utc) + expires).replace(microsecond=0)
        policy = PostPolicy(self.bucket, exp)
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(size, size)
        form = await self._run(self.client.presigned_post_policy, policy)
        # Every condition's field must be in the form; the client appends only `file` (which S3 wants last).
        fields = {"key": key, "Content-Type": content_type, **{k: str(v) for k, v in form.items()}}
        return UploadTicket(url=f"{self.base}/{self.bucket}", method="POST", headers={}, fields=fields,
                            expires_at=exp)

    async def presign_download(self, key: str, *, expires: timedelta, filename: str | None = None) -> str:
        extra = {"response-content-disposition": content_disposition(filename)} if filename else None
        return await self._run(self.client.presigned_get_object, self.bucket, check_key(key), expires=expires,
                               response_headers=extra)

    async def stat(self, key: str) -> ObjectInfo | None:
        try:
            st = await self._run(self.client.stat_object, self.bucket, check_key(key))
        except S3Error as e:
            if e.code in _MISSING:
                return None
            raise
        return ObjectInfo(key, st.size, st.content_type)

    async def get(self, key: str, *, max_bytes: int | None = None) -> bytes:
        check_key(key)
        if max_bytes is not None:
            info = await self.stat(key)
            if info is None:
                raise FileNotFoundError(key)
            if info.size > max_bytes:
                raise ValueError(f"object {key} is larger than {max_bytes} bytes")

        def go() -> bytes:
            try:
                resp = self.client.get_object(self.bucket, key)
            except S3Error as e:
                if e.code in _MISSING:
                    raise FileNotFoundError(key) from e
                raise
            try:
                if max_bytes is None:
                    return resp.read()
                # The object may have grown since stat: read no more than the limit allows.
                buf = bytearray()
                for chunk in resp.stream(64 * 1024):
                    buf += chunk
                    if len(buf) > max_bytes:
                        raise ValueError(f"object {key} is larger than {max_bytes} bytes")
                return bytes(buf)
            finally:
                resp.close()
                resp.release_conn()

        return await anyio.to_thread.run_sync(go)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await self._run(self.client.put_object, self.bucket, check_key(key), io.BytesIO(data), len(data),
                        content_type=content_type)

    async def delete(self, key: str) -> None:
        await self._run(self.client.remove_object, self.bucket, check_key(key))  # S3 deletes are idempotent

    async def keys(self, prefix: str = ""):
        # Pages are pulled in a thread a batch at a time, so a backup of a big bucket never sits in memory.
        it = iter(self.client.list_objects(self.bucket, prefix=check_prefix(prefix) or None, recursive=True))

        def batch() -> list[str]:
            out = []
            for o in it:
                if not o.is_dir:
                    out.append(o.object_name)
                if len(out) >= _LIST_BATCH:
                    break
            return out

        while names := await anyio.to_thread.run_sync(batch):
            for k in names:
                yield k
