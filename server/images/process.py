"""One call for the upload path: probe, then EXIF facts and derivatives for photos."""
from __future__ import annotations

from dataclasses import dataclass

from server.images.derive import Derived, derive
from server.images.exif import ExifFacts, read_exif
from server.images.probe import Probe, probe


@dataclass(frozen=True)
class ProcessedImage:
    probe: Probe
    exif: ExifFacts | None  # None for video
    derived: Derived | None  # None for video


def process(
    data: bytes,
    *,
    max_pixels: int,
    display_max: int = 1280,
    thumb_max: int = 320,
    quality: int = 82,
) -> ProcessedImage:
    """Raises UploadInvalid for anything that is not a sound JPEG/PNG/WebP/MP4 within the pixel cap."""
    facts = probe(data, max_pixels=max_pixels)
    if facts.kind != "PHOTO":
        return ProcessedImage(facts, None, None)
    return ProcessedImage(
        facts,
        read_exif(data),
        derive(data, display_max=display_max, thumb_max=thumb_max, quality=quality),
    )
