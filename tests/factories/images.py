"""Image factories with real EXIF blocks, for tests and benchmarks.

Content is a seeded scene (gradient + large shapes + mild noise): different seeds
give very different perceptual hashes, while a re-encode of the same seed stays close.
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import datetime
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw
from PIL.TiffImagePlugin import IFDRational

EXIF_IFD = 0x8769
GPS_IFD = 0x8825


def make_scene(width: int, height: int, *, seed: int = 0, noise: float = 6.0) -> Image.Image:
    """An RGB scene whose low-frequency structure is fixed by `seed`."""
    rnd = random.Random(seed)
    # Draw at a small fixed resolution then scale: same structure at any output size.
    base_w = 256
    base_h = max(1, round(base_w * height / width))
    c0 = [rnd.randrange(256) for _ in range(3)]
    c1 = [rnd.randrange(256) for _ in range(3)]
    grad = Image.linear_gradient("L").resize((base_w, base_h)).rotate(rnd.uniform(0, 360), expand=False)
    img = Image.composite(Image.new("RGB", (base_w, base_h), tuple(c1)),
                          Image.new("RGB", (base_w, base_h), tuple(c0)), grad)
    draw = ImageDraw.Draw(img)
    for _ in range(rnd.randint(6, 10)):
        colour = tuple(rnd.randrange(256) for _ in range(3))
        x, y = rnd.uniform(-0.2, 1.0) * base_w, rnd.uniform(-0.2, 1.0) * base_h
        w, h = rnd.uniform(0.15, 0.6) * base_w, rnd.uniform(0.15, 0.6) * base_h
        shape = rnd.choice(("ellipse", "rectangle", "polygon"))
        if shape == "ellipse":
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        else:
            pts = [(x + rnd.uniform(0, w), y + rnd.uniform(0, h)) for _ in range(rnd.randint(3, 6))]
            draw.polygon(pts, fill=colour)
    img = img.resize((width, height), Image.Resampling.BICUBIC)
    if noise > 0:
        # Fine grain so file sizes and decode costs look like a real photo.
        # effect_noise is centred on 128; offset -128 turns it into signed grain.
        grain = Image.effect_noise((width, height), noise).convert("RGB")
        img = ImageChops.add(img, grain, scale=1.0, offset=-128)
    return img


def _rational(value: float, den: int = 10_000) -> IFDRational:
    return IFDRational(round(value * den), den)


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    deg = int(value)
    minutes_f = (value - deg) * 60
    minutes = int(minutes_f)
    seconds = (minutes_f - minutes) * 60
    return IFDRational(deg, 1), IFDRational(minutes, 1), _rational(seconds)


def _format_offset(dt: datetime) -> str | None:
    off = dt.utcoffset()
    if off is None:
        return None
    total = int(off.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def make_exif(
    *,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = None,
    altitude: float | None = None,
    software: str | None = None,
    make: str | None = "Xiaomi",
    model: str | None = "Redmi Note 12",
    orientation: int | None = None,
) -> Image.Exif:
    """A real EXIF block: IFD0 + Exif IFD (0x8769) + GPS IFD (0x8825)."""
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    if software:
        exif[0x0131] = software
    if orientation is not None:
        exif[0x0112] = orientation
    if taken_at is not None:
        ifd = exif.get_ifd(EXIF_IFD)
        ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        if (offset := _format_offset(taken_at)) is not None:
            ifd[0x9011] = offset
    if gps is not None or altitude is not None:
        g = exif.get_ifd(GPS_IFD)
        g[0x0000] = b"\x02\x03\x00\x00"
        if gps is not None:
            lat, lon = gps
            g[0x0001] = "S" if lat < 0 else "N"
            g[0x0002] = _dms(lat)
            g[0x0003] = "W" if lon < 0 else "E"
            g[0x0004] = _dms(lon)
        if altitude is not None:
            g[0x0005] = 1 if altitude < 0 else 0
            g[0x0006] = _rational(abs(altitude), 100)
    return exif


def _encode(img: Image.Image, fmt: str, exif: Image.Exif | None, **params) -> bytes:
    buf = io.BytesIO()
    if exif is not None and len(exif) > 0:
        params["exif"] = exif.tobytes()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def make_jpeg(
    width: int = 640,
    height: int = 480,
    *,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = None,
    altitude: float | None = None,
    software: str | None = None,
    make: str | None = "Xiaomi",
    model: str | None = "Redmi Note 12",
    orientation: int | None = None,
    seed: int = 0,
    quality: int = 90,
    noise: float = 6.0,
    exif: bool = True,
) -> bytes:
    """A JPEG with a real EXIF APP1 block (pass exif=False for none at all)."""
    block = make_exif(taken_at=taken_at, gps=gps, altitude=altitude, software=software,
                      make=make, model=model, orientation=orientation) if exif else None
    return _encode(make_scene(width, height, seed=seed, noise=noise), "JPEG", block, quality=quality)


def make_png(
    width: int = 640,
    height: int = 480,
    *,
    seed: int = 0,
    alpha: bool = False,
    noise: float = 0.0,
    **exif_fields,
) -> bytes:
    """A PNG; EXIF (eXIf chunk) only when exif fields are given, e.g. taken_at=..."""
    img = make_scene(width, height, seed=seed, noise=noise)
    if alpha:
        img.putalpha(Image.linear_gradient("L").resize((width, height)))
    block = make_exif(**exif_fields) if exif_fields else None
    return _encode(img, "PNG", block)


def make_webp(
    width: int = 640,
    height: int = 480,
    *,
    seed: int = 0,
    quality: int = 85,
    noise: float = 0.0,
    **exif_fields,
) -> bytes:
    """A lossy WebP; EXIF chunk only when exif fields are given."""
    block = make_exif(**exif_fields) if exif_fields else None
    return _encode(make_scene(width, height, seed=seed, noise=noise), "WEBP", block, quality=quality)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def make_mp4_bytes(brand: bytes = b"isom", compatible: tuple[bytes, ...] = (b"isom", b"iso2", b"avc1", b"mp41")) -> bytes:
    """ftyp + moov(mvhd) + empty mdat: structurally valid ISO BMFF, no media samples."""
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200) + b"".join(compatible))
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(b"mvhd", struct.pack(">I4I", 0, 0, 0, 1000, 0)  # version/flags, times, timescale, duration
                + struct.pack(">IH", 0x10000, 0x100) + bytes(10) + matrix + bytes(24) + struct.pack(">I", 2))
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"")


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


@lru_cache(maxsize=4)
def pixel_bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A small, fully valid 1-bit PNG whose header declares width x height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits, all black
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


@lru_cache(maxsize=8)
def make_video(seconds: float = 1.0, *, width: int = 64, height: int = 48, created_at: str | None = None,
               location: str | None = None, seed: int = 0) -> bytes:
    """A real MP4 (MPEG-4 Part 2 at 10 fps) encoded by FFmpeg through PyAV, with the metadata a phone writes:
    `created_at` as mvhd creation_time (ISO, UTC) and `location` as the ISO 6709 ©xyz atom."""
    import av
    import numpy as np

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as c:
        if created_at:
            c.metadata["creation_time"] = created_at
        if location:
            c.metadata["location"] = location
        s = c.add_stream("mpeg4", rate=10)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        rnd = np.random.default_rng(seed)
        for _ in range(max(1, round(seconds * 10))):
            f = av.VideoFrame.from_ndarray(rnd.integers(0, 255, (height, width, 3), dtype=np.uint8), format="rgb24")
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return buf.getvalue()
