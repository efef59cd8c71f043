"""Object stores behind one protocol: MinIO in production, a local directory by default."""
from __future__ import annotations

from pathlib import Path

from server.storage.base import ObjectInfo, ObjectStore, UploadTicket, check_key
from server.storage.local import LocalStore
from server.storage.minio_store import MinioStore


def make_store(settings=None, /, *, kind: str | None = None, data_dir: Path | None = None,
               public_url: str | None = None, secret: bytes | None = None, minio_endpoint: str | None = None,
               minio_access_key: str | None = None, minio_secret_key: str | None = None,
               minio_bucket: str = "outfallwatch", minio_secure: bool = False) -> ObjectStore:
    """The configured store: kind "local" keeps objects under `data_dir`/media, "minio" uses the bucket.

    `make_store(settings)` reads the same values from a Settings object (storage, data_dir, ...).
    """
    if settings is not None:
        return make_store(kind=settings.storage, data_dir=settings.data_dir, public_url=settings.public_url,
                          secret=settings.secret_key.encode(), minio_endpoint=settings.minio_endpoint,
                          minio_access_key=settings.minio_access_key, minio_secret_key=settings.minio_secret_key,
                          minio_bucket=settings.minio_bucket, minio_secure=settings.minio_secure)
    if kind == "minio":
        if not minio_endpoint:
            raise ValueError("the minio store needs OUTFALLWATCH_MINIO_ENDPOINT")
        return MinioStore(minio_endpoint, access_key=minio_access_key or "", secret_key=minio_secret_key or "",
                          bucket=minio_bucket, secure=minio_secure)
    if kind != "local":
        raise ValueError(f"OUTFALLWATCH_STORAGE must be local or minio, not {kind!r}")
    if data_dir is None or not public_url or not secret:
        raise ValueError("the local store needs data_dir, public_url and secret")
    # Its own subdirectory: keys() must never walk into the database or the secret key beside it.
    return LocalStore(Path(data_dir) / "media", public_url=public_url, secret=secret)


__all__ = ["LocalStore", "MinioStore", "ObjectInfo", "ObjectStore", "UploadTicket", "check_key", "make_store"]
