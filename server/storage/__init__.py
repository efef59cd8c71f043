"""Object stores behind one protocol: MinIO in production, a local directory by default."""
from __future__ import annotations

from server.storage.base import ObjectInfo, ObjectStore, UploadTicket, check_key
from server.storage.local import LocalStore


def make_store(settings) -> ObjectStore:
    if settings.storage == "minio":
        from server.storage.minio_store import MinioStore

        return MinioStore(settings.minio_endpoint, access_key=settings.minio_access_key or "",
                          secret_key=settings.minio_secret_key or "", bucket=settings.minio_bucket,
                          secure=settings.minio_secure)
    if settings.storage != "local":
        raise ValueError(f"OUTFALLWATCH_STORAGE must be local or minio, not {settings.storage!r}")
    return LocalStore(settings.media_dir, public_url=settings.public_url, secret=settings.secret_key.encode())


__all__ = ["LocalStore", "ObjectInfo", "ObjectStore", "UploadTicket", "check_key", "make_store"]
