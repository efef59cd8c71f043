"""Facts from an image's EXIF block. Uploads are hostile: bad EXIF yields empty facts, never an error."""
from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image

from server.domain.timebounds import in_bounds

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
MAKE, MODEL, SOFTWARE, ORIENTATION = 0x010F, 0x0110, 0x0131, 0x0112
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL, SUBSEC_TIME_ORIGINAL = 0x9003, 0x9011, 0x9291


@dataclass(frozen=True)
class ExifFacts:
    taken_at: datetime | None = None  # aware iff OffsetTimeOriginal was present
    taken_at_has_offset: bool = False
    lat: float | None = None
    lon: float | None = None
    altitude_m: float | None = None
    make: str | None = None
    model: str | None = None
    software: str | None = None
    orientation: int | None = None


EMPTY = ExifFacts()


def read_exif(data: bytes) -> ExifFacts:
    try:
        exif = load_exif(data)
    except Exception:  # noqa: BLE001 - hostile input; absence of facts is the answer
        return EMPTY
    if exif is None:
        return EMPTY
    return facts_from(exif)


def load_exif(data: bytes) -> Image.Exif | None:
    """Parse the raw EXIF block without decoding pixels (PNG's getexif() would decode)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        raw = _png_exif_chunk(data)
    else:
        with Image.open(io.BytesIO(data)) as img:
            raw = img.info.get("exif")
    if not raw:
        return None
    exif = Image.Exif()
    exif.load(raw)
    return exif


def _png_exif_chunk(data: bytes) -> bytes | None:
    # eXIf may sit after IDAT, so walk the chunk headers (lengths only, no inflate).
    pos, n = 8, len(data)
    while pos + 8 <= n:
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind == b"eXIf":
            return data[pos + 8 : pos + 8 + length]
        if kind == b"IEND":
            break
        pos += 12 + length
    return None


def facts_from(exif: Image.Exif) -> ExifFacts:
    # Each field is parsed on its own so one malformed tag doesn't hide the others.
    sub = _safe(lambda: exif.get_ifd(EXIF_IFD)) or {}
    gps = _safe(lambda: exif.get_ifd(GPS_IFD)) or {}
    taken = _safe(lambda: _taken_at(sub))
    if taken is not None and not in_bounds(taken):
        taken = None  # year 1 or 9999: no capture time at all, which the evidence checks flag
    lat = _safe(lambda: _coord(gps.get(2), gps.get(1), b"S", 90))
    lon = _safe(lambda: _coord(gps.get(4), gps.get(3), b"W", 180))
    if lat is None or lon is None:
        lat = lon = None
    orientation = _safe(lambda: int(exif[ORIENTATION]))
    return ExifFacts(
        taken_at=taken,
        taken_at_has_offset=taken is not None and taken.tzinfo is not None,
        lat=lat,
        lon=lon,
        altitude_m=_safe(lambda: _altitude(gps.get(6), gps.get(5))),
        make=_safe(lambda: _text(exif.get(MAKE))),
        model=_safe(lambda: _text(exif.get(MODEL))),
        software=_safe(lambda: _text(exif.get(SOFTWARE))),
        orientation=orientation if orientation in range(1, 9) else None,
    )


def _safe(fn):
    try:
        return fn()
    except Exception:  # noqa: BLE001
        return None


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _taken_at(sub: dict) -> datetime | None:
    stamp = _text(sub.get(DATETIME_ORIGINAL))
    if not stamp:
        return None
    dt = datetime.strptime(stamp[:19], "%Y:%m:%d %H:%M:%S")
    subsec = _text(sub.get(SUBSEC_TIME_ORIGINAL))
    if subsec and subsec.isdigit():
        dt = dt.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    offset = _text(sub.get(OFFSET_TIME_ORIGINAL))
    if offset and len(offset) >= 6 and offset[0] in "+-" and offset[3] == ":":
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        dt = dt.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta))
    return dt


def _ref(value) -> bytes:
    if isinstance(value, str):
        value = value.encode("ascii", "replace")
    return bytes(value or b"").strip(b"\x00 ").upper()[:1]


def _coord(dms, ref, negative_ref: bytes, limit: float) -> float | None:
    if dms is None:
        return None
    parts = [float(x) for x in (dms if isinstance(dms, (tuple, list)) else (dms,))]
    parts += [0.0] * (3 - len(parts))
    value = parts[0] + parts[1] / 60 + parts[2] / 3600
    if not math.isfinite(value) or not 0 <= value <= limit:
        return None
    return -value if _ref(ref) == negative_ref else value


def _altitude(alt, ref) -> float | None:
    if alt is None:
        return None
    value = float(alt)
    if not math.isfinite(value):
        return None
    return -value if _byte(ref) == 1 else value  # AltitudeRef 1 = below sea level


def _byte(value) -> int:
    if isinstance(value, (bytes, bytearray, tuple)):
        return int(value[0]) if value else 0
    if isinstance(value, str):
        return ord(value[0]) if value else 0
    return int(value or 0)
