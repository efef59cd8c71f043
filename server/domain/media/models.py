"""Evidence media: what was declared, what the server verified, what was read from the bytes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from server.domain.sqltypes import UTCDateTime, utcnow

KINDS = ("PHOTO", "VIDEO")
ROLES = ("GENERAL", "BEFORE", "AFTER", "SIGNBOARD", "SAMPLE")
STATUSES = ("PENDING", "READY", "REJECTED")


class Media(SQLModel, table=True):
    __tablename__ = "media"
    __table_args__ = (
        Index("ix_media_sha256", "sha256"),
        Index("ix_media_owner", "owner_type", "owner_id"),
        Index("ix_media_status_expires", "status", "expires_at"),
        # Four 16-bit bands of the perceptual hash: two photos within Hamming distance 3 share a band,
        # so near-duplicates are found through these indexes, never by scanning every photo.
        Index("ix_media_ph0", "ph0"), Index("ix_media_ph1", "ph1"),
        Index("ix_media_ph2", "ph2"), Index("ix_media_ph3", "ph3"),
        Index("ux_media_att_counter", "att_device_id", "att_counter", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    request_hash: str = Field(max_length=64)
    uploader_id: int = Field(foreign_key="users.id", index=True)
    district_code: str | None = Field(default=None, foreign_key="districts.code", max_length=6)
    kind: str = Field(max_length=8)
    role: str = Field(default="GENERAL", max_length=10)
    status: str = Field(default="PENDING", max_length=10)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=40)
    size_bytes: int
    sha256: str = Field(max_length=64)
    key: str = Field(max_length=200)
    display_key: str | None = Field(default=None, max_length=200)
    thumb_key: str | None = Field(default=None, max_length=200)
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    taken_at_naive: bool = False  # EXIF had no offset: interpreted as China Standard Time
    exif_lat: float | None = None
    exif_lon: float | None = None
    exif_alt: float | None = None
    make: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    software: str | None = Field(default=None, max_length=200)
    orientation: int | None = None
    phash: str | None = Field(default=None, max_length=16)
    ph0: int | None = None
    ph1: int | None = None
    ph2: int | None = None
    ph3: int | None = None
    duration_s: float | None = None  # video only, from the container
    reject_reason: str | None = Field(default=None, max_length=500)
    # Attested capture (server/domain/attestation): the verdict, and the device counter an ATTESTED one used.
    att_status: str | None = Field(default=None, max_length=12)
    att_device_id: int | None = None
    att_counter: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    attestation: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    object_swept: bool = False  # REJECTED: the key was deleted again after the ticket expired
    checks: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The record it is evidence for (one only: reusing a photo elsewhere is what DUPLICATE_FILE catches).
    owner_type: str | None = Field(default=None, max_length=12)
    owner_id: int | None = None
    slot: str | None = Field(default=None, max_length=10)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, onupdate=utcnow))


class MediaPrint(SQLModel, table=True):
    """A photo's local features (server/images/reuse.py), found by the map cell it was taken in."""
    __tablename__ = "media_prints"
    media_id: int = Field(foreign_key="media.id", primary_key=True)
    cell: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    probe: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # the strongest descriptors (first look)
