"""Image processing: bytes in, facts out. Pure synchronous functions (run them in a worker thread)."""
from __future__ import annotations

from server.images.derive import Derived, derive
from server.images.exif import ExifFacts, read_exif
from server.images.probe import Probe, probe, sniff
from server.images.process import ProcessedImage, process

__all__ = [
    "Derived",
    "ExifFacts",
    "ProcessedImage",
    "Probe",
    "derive",
    "hamming",
    "phash_bands",
    "probe",
    "process",
    "read_exif",
    "sniff",
]


def hamming(a_hex: str, b_hex: str) -> int:
    """Number of differing bits between two equal-length hex hashes."""
    if len(a_hex) != len(b_hex):
        raise ValueError(f"hash lengths differ: {len(a_hex)} vs {len(b_hex)} hex chars")
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def phash_bands(hex16: str) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit hash, most significant first.

    Pigeonhole: hashes within Hamming distance 3 differ in at most 3 bands, so they
    share at least one band exactly; an index on each band finds all candidates.
    """
    if len(hex16) != 16:
        raise ValueError(f"expected a 16-hex-char hash, got {len(hex16)} chars")
    v = int(hex16, 16)
    return (v >> 48) & 0xFFFF, (v >> 32) & 0xFFFF, (v >> 16) & 0xFFFF, v & 0xFFFF
