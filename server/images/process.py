"""One call for the upload path: probe, then EXIF facts and derivatives for photos, container facts for video.

Decoded memory is bounded three ways, because a 14 KB PNG can declare 49 million pixels:
- a pixel budget per format, checked from the header before any pixel is decoded. JPEG decodes through
  DCT scaling (Pillow's draft mode) at 1/2..1/8 of its size, so it may declare far more pixels than PNG
  or WebP, which always decode at full size (~4 bytes a pixel, plus the RGB copy);
- draft decoding itself (server/images/derive.py);
- a process-wide semaphore on concurrent processing: N uploads completing at once cost at most
  `concurrency` decodes of memory, the rest wait for a slot.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from server.domain.errors import UploadInvalid
from server.images.derive import Derived, derive
from server.images.exif import ExifFacts, read_exif
from server.images.probe import Probe, probe, sniff
from server.images.video import VideoFacts, read_video

# Declared pixels allowed per format. 16 MP of PNG/WebP is ~112 MB decoded (RGBA + RGB copy); a 50 MP
# JPEG decodes at 1/4 scale for a 1280 px display copy, ~10 MB. The Settings cap (max_pixels) still
# applies on top: the smaller of the two wins.
PIXEL_BUDGET = {"JPEG": 50_000_000, "PNG": 16_000_000, "WEBP": 16_000_000}
DEFAULT_CONCURRENCY = 2  # one decode per core of the reference machine

_slots = threading.BoundedSemaphore(DEFAULT_CONCURRENCY)
_slots_lock = threading.Lock()


def set_concurrency(n: int) -> None:
    """How many uploads may decode at once in this process (Settings.image_concurrency)."""
    global _slots
    if n < 1:
        raise ValueError("image concurrency must be at least 1")
    with _slots_lock:
        _slots = threading.BoundedSemaphore(n)


@dataclass(frozen=True)
class ProcessedImage:
    probe: Probe
    exif: ExifFacts | None  # None for video
    derived: Derived | None  # None for video
    video: VideoFacts | None = None  # None for photos


def budget(fmt: str, max_pixels: int) -> int:
    return min(max_pixels, PIXEL_BUDGET.get(fmt, max_pixels))


def process(
    data: bytes,
    *,
    max_pixels: int,
    display_max: int = 1280,
    thumb_max: int = 320,
    quality: int = 82,
) -> ProcessedImage:
    """Raises UploadInvalid for anything that is not a sound JPEG/PNG/WebP/MP4 within its pixel budget."""
    fmt = sniff(data[:16]) if data else None
    # The header check runs before taking a slot: a refused bomb never waits behind real work.
    facts = probe(data, max_pixels=budget(fmt, max_pixels) if fmt else max_pixels)
    slots = _slots
    with slots:
        if facts.kind != "PHOTO":
            v = read_video(data)
            return ProcessedImage(facts, None, None, v)
        return ProcessedImage(
            facts,
            read_exif(data),
            derive(data, display_max=display_max, thumb_max=thumb_max, quality=quality),
        )


__all__ = ["PIXEL_BUDGET", "ProcessedImage", "UploadInvalid", "budget", "process", "set_concurrency"]
