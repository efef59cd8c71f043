"""MinIO (or any S3) through the official `minio` client; its blocking calls run in threads."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import anyio
from minio import Minio
from minio.datatypes import PostPolicy
from minio.error import S3Error

from server.storage.base import ObjectInfo, UploadTicket, check_key


class MinioStore:
    def __init__(self, endpoint: str, *, access_key: str, secret_key: str, bucket: str, secure: bool = False,
                 region: str = "us-east-1"):
        self.bucket = bucket
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.base = f"{'https' if secure else 'http'}://{endpoint}"

    async def _run(self, fn, *a, **kw):
        return await anyio.to_thread.run_sync(lambda: fn(*a, **kw))

    async def ensure_ready(self) -> None:
        if not await self._run(self.client.bucket_exists, self.bucket):
            try:
                await self._run(self.client.make_bucket, self.bucket)
            except S3Error as e:  # a concurrent worker made it first
                if e.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    async def presign_upload(self, key: str, *, content_type: str, size: int, expires: timedelta) -> UploadTicket:
        exp = datetime.now(timezone.utc) + expires
        policy = PostPolicy(self.bucket, exp)
        policy.add_equals_condition("key", check_key(key))
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(size, size)
        form = await self._run(self.client.presigned_post_policy, policy)
        fields = {"key": key, "Content-Type": content_type, **{k: str(v) for k, v in form.items()}}
        return UploadTicket(url=f"{self.base}/{self.bucket}", method="POST", headers={}, fields=fields,
                            expires_at=exp.replace(microsecond=0))

    async def presign_download(self, key: str, *, expires: timedelta, filename: str | None = None) -> str:
        extra = {"response-content-disposition": f'attachment; filename="{filename}"'} if filename else None
        return await self._run(self.client.presigned_get_object, self.bucket, check_key(key), expires=expires,
                               response_headers=extra)

    async def stat(self, key: str) -> ObjectInfo | None:
        try:
            st = await self._run(self.client.stat_object, self.bucket, check_key(key))
        except S3Error as e:
            if e.code in ("NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"):
                return None
            raise
        return ObjectInfo(key, st.size, st.content_type)

    async def get(self, key: str, *, max_bytes: int | None = None) -> bytes:
        if max_bytes is not None:
            info = await self.stat(key)
            if info is None:
                raise FileNotFoundError(key)
            if info.size > max_bytes:
                raise ValueError(f"object {key} is larger than {max_bytes} bytes")

        def go():
            resp = self.client.get_object(self.bucket, check_key(key))
            try:
                return resp.read(max_bytes + 1 if max_bytes is not None else None) if max_bytes else resp.read()
            finally:
                resp.close()
                resp.release_conn()

        data = await anyio.to_thread.run_sync(go)
        if max_bytes is not None and len(data) > max_bytes:
            raise ValueError(f"object {key} is larger than {max_bytes} bytes")
        return data

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        await self._run(self.client.put_object, self.bucket, check_key(key), io.BytesIO(data), len(data),
                        content_type=content_type)

    async def delete(self, key: str) -> None:
        await self._run(self.client.remove_object, self.bucket, check_key(key))

    async def keys(self, prefix: str = ""):
        objs = await self._run(lambda: [o.object_name for o in self.client.list_objects(
            self.bucket, prefix=prefix or None, recursive=True)])
        for k in objs:
            yield k
