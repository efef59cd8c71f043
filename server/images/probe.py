"""Identify an upload from its bytes (never its name or declared type) and vet it cheaply."""
from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from server.domain.errors import UploadInvalid

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Major brands of the MP4 family; HEIF/AVIF ("heic", "mif1", "avif") and QuickTime ("qt  ") are not MP4.
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
     b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"dash", b"3gp4", b"3gp5", b"3gp6", b"3gp7",
     b"3gp8", b"3gp9", b"3g2a", b"3g2b", b"3g2c"}
)
_TYPES = {
    "JPEG": ("image/jpeg", "PHOTO"),
    "PNG": ("image/png", "PHOTO"),
    "WEBP": ("image/webp", "PHOTO"),
    "MP4": ("video/mp4", "VIDEO"),
}
NOT_ALLOWED = "file content is not a JPEG, PNG, WebP or MP4"
CORRUPT = "image is truncated or corrupt"


@dataclass(frozen=True)
class Probe:
    format: str  # "JPEG" | "PNG" | "WEBP" | "MP4"
    content_type: str
    kind: str  # "PHOTO" | "VIDEO"
    width: int | None  # as stored, before any EXIF rotation; None for video
    height: int | None


def sniff(head: bytes) -> str | None:
    """Format from the first bytes (16 are enough), or None when not an allowed type."""
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:8] == PNG_MAGIC:
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "MP4"
    return None


def probe(data: bytes, *, max_pixels: int = 50_000_000) -> Probe:
    if not data:
        raise UploadInvalid("file is empty")
    fmt = sniff(data[:16])
    if fmt is None:
        raise UploadInvalid(NOT_ALLOWED)
    content_type, kind = _TYPES[fmt]
    if fmt == "MP4":
        _check_bmff(data)
        return Probe(fmt, content_type, kind, None, None)
    width, height = _image_size(data, fmt, max_pixels)
    _check_integrity(data, fmt)
    return Probe(fmt, content_type, kind, width, height)


def _too_many(pixels: int | str, max_pixels: int) -> UploadInvalid:
    count = f"{pixels:,}" if isinstance(pixels, int) else pixels
    return UploadInvalid(f"image has {count} pixels, over the cap of {max_pixels:,} pixels")


def _image_size(data: bytes, fmt: str, max_pixels: int) -> tuple[int, int]:
    # Image.open only parses the header. Pillow's own bomb guard may fire first on huge
    # headers; we map it to the same refusal rather than let it surface as a 500.
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as img:
            width, height = img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's limit wins when the caller's cap is above it; report the one applied.
        pixels, limit = re.search(r"\((\d+) pixels\)", str(exc)), re.search(r"limit of (\d+)", str(exc))
        cap = min(max_pixels, int(limit.group(1))) if limit else max_pixels
        raise _too_many(int(pixels.group(1)) if pixels else "too many", cap) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise UploadInvalid(CORRUPT) from None
    if width <= 0 or height <= 0:
        raise UploadInvalid(f"image has invalid dimensions {width}x{height}")
    if width * height > max_pixels:
        raise _too_many(width * height, max_pixels)
    return width, height


def _check_integrity(data: bytes, fmt: str) -> None:
    ok = {"JPEG": _jpeg_complete, "PNG": _png_complete, "WEBP": _webp_complete}[fmt](data)
    if not ok:
        raise UploadInvalid(CORRUPT)


def _jpeg_complete(data: bytes) -> bool:
    """Walk marker segments to the first scan, then require an EOI after it.

    Skipping segments by length ignores the EXIF thumbnail's own EOI; accepting any EOI
    after the scan (not only at the very end) tolerates trailers such as motion-photo videos.
    Entropy-coded data never contains FF D9 (FF is byte-stuffed), so the last EOI decides;
    rfind makes the common case (EOI at the end) O(1).
    """
    pos, n = 2, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length field
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2:
            return False
        if marker == 0xDA:  # SOS: entropy-coded data follows; FF inside it is stuffed
            return data.rfind(b"\xff\xd9") >= pos + 2 + length
        pos += 2 + length
    return False


def _png_complete(data: bytes) -> bool:
    # verify() checks every chunk's CRC up to IEND without inflating the pixels.
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            img.verify()
    except Exception:  # noqa: BLE001 - any failure here means a broken file
        return False
    return True


def _webp_complete(data: bytes) -> bool:
    # The RIFF header states the payload size; a short file was cut off.
    if len(data) < 20:
        return False
    (riff_size,) = struct.unpack_from("<I", data, 4)
    return len(data) >= riff_size + 8


def _check_bmff(data: bytes) -> None:
    """Top-level boxes must tile the file; a box running past the end means truncation."""
    pos, n = 0, len(data)
    while pos < n:
        if pos + 8 > n:
            raise UploadInvalid("video is truncated or corrupt")
        (size,) = struct.unpack_from(">I", data, pos)
        if size == 1:  # 64-bit size follows the type
            if pos + 16 > n:
                raise UploadInvalid("video is truncated or corrupt")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            if size < 16:
                raise UploadInvalid("video is truncated or corrupt")
        elif size == 0:  # box extends to end of file
            return
        elif size < 8:
            raise UploadInvalid("video is truncated or corrupt")
        if pos + size > n:
            raise UploadInvalid("video is truncated or corrupt")
        pos += size
