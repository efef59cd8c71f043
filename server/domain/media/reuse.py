"""Reuse detection over every stored photo: candidates from two indexes, then local-feature verification.

Candidates (both indexed, neither scans the table):
- photos taken in the same or a neighbouring map cell (~250 m) as this photo's position or its site:
  a reused photo is nearly always one of the same place, and the cell index finds those whatever was
  done to the copy;
- photos anywhere in the city whose perceptual hash shares a 16-bit band with the hash of one of this
  photo's 8 turns and mirrors, and is within MAX_BAND_HAMMING bits of it: turned, mirrored, rescaled,
  recompressed or re-lit copies from elsewhere.
At most MAX_CANDIDATES (those copies first, then this place's photos newest first) get a first look: their strongest features, kept apart in
`probe`, matched against the query in one go; the VERIFY best-voted are compared in full by
server/images/reuse.py (ORB + one similarity transform + pixel agreement), in a worker thread.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import anyio
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.evidence import phash_bands
from server.domain.media.models import Media, MediaPrint

CELL_DEG = 0.0025  # ~280 m north-south, ~240 m east-west at Chongqing's latitude
MAX_CANDIDATES = 256  # looked at (their strongest features only, in one match)
BAND_ROWS = 4096  # hash-band collisions read at most (about 1,000 a query among 2,000,000 photos)
# A whole-picture copy (turned, mirrored, rescaled, recompressed, re-lit, written on) hashes within 10
# bits of its original in the made corpus. A chance band collision leaves the other 48 bits random (24
# differ on average; 12 or fewer ~0.03 %), so about one in 3,000 collisions gets through.
MAX_BAND_HAMMING = 12
VERIFY = 8  # compared in full, the best-voted of those


def cell_of(lat: float | None, lon: float | None) -> int | None:
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)) or (lat, lon) == (0.0, 0.0):
        return None
    return (math.floor(lat / CELL_DEG) + 100_000) * 1_000_000 + math.floor(lon / CELL_DEG) + 100_000


def cells_around(lat: float, lon: float) -> list[int]:
    out = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            c = cell_of(lat + dy * CELL_DEG, lon + dx * CELL_DEG)
            if c is not None:
                out.append(c)
    return out


@dataclass(frozen=True)
class Reuse:
    media_id: int
    inliers: int
    agree_share: float
    overlap: float
    mirrored: bool
    rotation_deg: float
    scale: float


def position_of(m: Media) -> tuple[float, float] | None:
    if m.att_status == "ATTESTED" and m.attestation and (st := m.attestation.get("statement")):
        return st["lat"], st["lon"]
    if m.exif_lat is not None and m.exif_lon is not None and cell_of(m.exif_lat, m.exif_lon) is not None:
        return m.exif_lat, m.exif_lon
    return None


async def save_print(session: AsyncSession, m: Media, data: bytes) -> None:
    from server.images.reuse import Features, probe_bytes

    assert m.id is not None
    pos = position_of(m)
    session.add(MediaPrint(media_id=m.id, cell=cell_of(*pos) if pos else None, data=data,
                           probe=probe_bytes(Features.from_bytes(data))))


async def load_print(session: AsyncSession, media_id: int | None):
    from server.images.reuse import Features

    data = (await session.execute(select(col(MediaPrint.data)).where(col(MediaPrint.media_id) == media_id))).scalar()
    return Features.from_bytes(data) if data is not None else None


async def find_reuse(session: AsyncSession, m: Media, *, places: list[tuple[float, float]] | None = None) -> list[Reuse]:
    """Stored photos (READY, another file) that this photo is an edited copy of, oldest first."""
    from server.images import reuse as R

    query = await load_print(session, m.id)
    if query is None:
        return []
    own = position_of(m)
    cells = sorted({c for lat, lon in [*([own] if own else []), *(places or [])] for c in cells_around(lat, lon)})
    turned = await anyio.to_thread.run_sync(R.orientation_phashes, query.gray)
    bands: list[set[int]] = [set() for _ in range(4)]
    for h in turned:
        for i, b in enumerate(phash_bands(h)):
            bands[i].add(b)
    near = or_(col(Media.ph0).in_(bands[0]), col(Media.ph1).in_(bands[1]), col(Media.ph2).in_(bands[2]),
               col(Media.ph3).in_(bands[3]))
    # A 16-bit band is shared by chance with ~1 photo in 65,536 (about 1,000 collisions a query among 2
    # million photos): only those whose whole hash is near one of the turned hashes are candidates, so
    # chance collisions never crowd the photos of this place out of the candidates.
    hashes = [int(h, 16) for h in turned]
    near_ids = [i for i, ph in (await session.execute(
        select(col(Media.id), col(Media.phash)).where(near, col(Media.id) != m.id)
        .order_by(col(Media.id).desc()).limit(BAND_ROWS))).all()
        if ph and min((int(ph, 16) ^ h).bit_count() for h in hashes) <= MAX_BAND_HAMMING]
    found = [col(MediaPrint.media_id).in_(near_ids)] if near_ids else []
    if cells:
        found.append(col(MediaPrint.cell).in_(cells))
    if not found:
        return []
    # One read for both kinds, whole-picture copies first, then this place's photos newest first.
    order = [col(MediaPrint.media_id).in_(near_ids).desc()] if near_ids else []
    probes = (await session.execute(select(col(MediaPrint.media_id), col(MediaPrint.probe)).join(
        Media, col(Media.id) == col(MediaPrint.media_id)).where(
        or_(*found), col(MediaPrint.media_id) != m.id, col(Media.status) == "READY", col(Media.sha256) != m.sha256)
        .order_by(*order, col(MediaPrint.media_id).desc()).limit(MAX_CANDIDATES))).all()
    mirror = R.mirrored(query)
    best = await anyio.to_thread.run_sync(lambda: R.rank(query, mirror, [(int(i), bytes(b)) for i, b in probes],
                                                         VERIFY))
    if not best:
        return []
    sides = dict(best)
    rows = (await session.execute(select(col(MediaPrint.media_id), col(MediaPrint.data), col(Media.width),
                                         col(Media.height)).join(Media, col(Media.id) == col(MediaPrint.media_id))
                                  .where(col(MediaPrint.media_id).in_(sides)))).all()

    def compare_all() -> list[Reuse]:
        out = []
        for mid, data, w, h in rows:
            stored = R.Features.from_bytes(data)
            hit = R.compare(query, stored, mirror, sides[mid])
            if hit is not None and hit.is_reuse:
                scale = hit.scale * _file_per_work(m.width, m.height, query) / _file_per_work(w, h, stored)
                out.append(Reuse(mid, hit.inliers, hit.agree_share, hit.overlap, hit.mirrored, hit.rotation_deg,
                                 scale))
        return sorted(out, key=lambda r: r.media_id)  # the oldest first: the original, then earlier copies

    return await anyio.to_thread.run_sync(compare_all)


def _file_per_work(width: int | None, height: int | None, f) -> float:
    """File pixels per working pixel: the match measures scale between working images (both shrunk to
    about 640 px), while the reviewer is told how the copy's file was rescaled against the original's."""
    if not width or not height or not max(f.size):
        return 1.0
    return max(width, height) / max(f.size)


async def same_view(session: AsyncSession, a: Media, b: Media):
    """The match between two photos (None when no similarity transform links them)."""
    from server.images import reuse as R

    fa, fb = await load_print(session, a.id), await load_print(session, b.id)
    if fa is None or fb is None:
        return None
    return await anyio.to_thread.run_sync(R.compare, fa, fb)


async def submission_checks(session: AsyncSession, *, findings: list[Media], before: list[Media],
                            after: list[Media]) -> list:
    """The before photos against the task's finding photos (same place, same view), and the after photos
    of one submission against each other (one photo presented twice, edited or not)."""
    from server.domain.evidence import before_view_check, duplicate_in_submission_check
    from server.images import reuse as R

    out = []
    photos = [m for m in findings if m.kind == "PHOTO"]
    if photos:
        for n, b in enumerate(before, 1):
            if b.kind != "PHOTO":
                continue
            best = None
            for f in photos:
                hit = await same_view(session, b, f)
                if hit is not None and hit.inliers >= R.MIN_INLIERS and (best is None or hit.inliers > best[1]):
                    best = (str(f.id), hit.inliers)
            out.append(before_view_check(n, str(b.id), [str(f.id) for f in photos], best and best[0],
                                         best[1] if best else 0))
    for i, a in enumerate(after, 1):
        for j in range(i + 1, len(after) + 1):
            c = after[j - 1]
            same = a.sha256 == c.sha256
            if not same and a.kind == c.kind == "PHOTO":
                hit = await same_view(session, c, a)
                same = hit is not None and hit.is_reuse
            if same:
                out.append(duplicate_in_submission_check("整改后", "After", i, j, (str(a.id), str(c.id))))
    return out
