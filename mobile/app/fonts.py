"""Find a CJK font and make it Kivy's default, so Chinese renders as characters instead of boxes.

Kivy's bundled Roboto has no CJK glyphs. The app brings its own: the PyPI package noto-cjk-sans-otc
(Google's Noto Sans CJK, SIL Open Font License 1.1; a dependency of the project's `mobile` extra),
so nothing depends on a system font. That file is a collection whose first face is the Japanese
one; Kivy's SDL2 text provider always opens face 0, so the Simplified Chinese face (SC) is copied
out once into a plain OpenType file in a cache folder (extract_face: the tables of one face, as
the OpenType collection format lays them out). Order: packaged assets (what an APK ships, see
mobile/tools/fetch_font.py), the package's SC face, then the usual system locations.
"""
from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

ASSET_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT_SUFFIXES = (".ttf", ".ttc", ".otf")
SYSTEM_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/system/fonts/NotoSansCJK-Regular.ttc",  # Android
    "/system/fonts/DroidSansFallback.ttf",  # older Android
    "/System/Library/Fonts/PingFang.ttc",  # macOS
    "C:/Windows/Fonts/msyh.ttc",
)


SC_FACE = "Noto Sans CJK SC"


def _faces(data: bytes) -> list[int]:
    """Offsets of the faces' table directories in an OpenType collection ('ttcf')."""
    if data[:4] != b"ttcf":
        raise ValueError("not an OpenType collection")
    n = struct.unpack(">I", data[8:12])[0]
    return list(struct.unpack(f">{n}I", data[12:12 + 4 * n]))


def _tables(data: bytes, offset: int) -> list[tuple[bytes, int, int, int]]:
    count = struct.unpack(">H", data[offset + 4:offset + 6])[0]
    return [struct.unpack(">4sIII", data[offset + 12 + 16 * i:offset + 28 + 16 * i]) for i in range(count)]


def face_name(data: bytes, offset: int) -> str | None:
    """The face's full name (name ID 4, Windows English), e.g. "Noto Sans CJK SC"."""
    for tag, _sum, off, _len in _tables(data, offset):
        if tag != b"name":
            continue
        _fmt, count, strings = struct.unpack(">HHH", data[off:off + 6])
        for i in range(count):
            pid, _eid, lang, nid, length, at = struct.unpack(">6H", data[off + 6 + 12 * i:off + 18 + 12 * i])
            if nid == 4 and pid == 3 and lang == 0x409:
                return data[off + strings + at:off + strings + at + length].decode("utf-16-be")
    return None


def extract_face(collection: Path, name: str, out: Path) -> Path:
    """Write face `name` of an OpenType collection as a standalone font file (written to a temporary
    name and renamed, so a half-written file is never used)."""
    data = collection.read_bytes()
    for face in _faces(data):
        if face_name(data, face) == name:
            break
    else:
        raise ValueError(f"{collection} has no face {name!r}")
    tables = _tables(data, face)
    head = bytearray(data[face:face + 12])  # sfnt version, numTables, searchRange, entrySelector, rangeShift
    pos = 12 + 16 * len(tables)
    directory, body = bytearray(), bytearray()
    for tag, checksum, off, length in tables:
        directory += struct.pack(">4sIII", tag, checksum, pos + len(body), length)
        body += data[off:off + length] + b"\0" * (-length % 4)  # tables start on 4-byte boundaries
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(bytes(head) + bytes(directory) + bytes(body))
    os.replace(tmp, out)
    return out


def packaged_font(cache_dir: Path | None = None) -> Path | None:
    """The SC face of the noto-cjk-sans-otc package, extracted once into `cache_dir`."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    src = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not src.is_file():
        return None
    cache = cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "outfallwatch"
    out = cache / f"NotoSansCJKsc-Regular-{src.stat().st_size}.otf"
    if out.is_file() and out.stat().st_size > 0:
        return out
    try:
        return extract_face(src, SC_FACE, out)
    except (OSError, ValueError):
        return src  # face 0 (JP) still has every CJK glyph; better than boxes


def find_cjk_font(asset_dir: Path = ASSET_DIR, system: tuple[str, ...] = SYSTEM_CANDIDATES,
                  package: bool = True, cache_dir: Path | None = None) -> Path | None:
    """The first usable CJK font file: packaged assets (sorted by name), the PyPI font package, then
    system paths."""
    if asset_dir.is_dir():
        for p in sorted(asset_dir.iterdir()):
            if p.suffix.lower() in FONT_SUFFIXES and p.stat().st_size > 0:
                return p
    if package:
        found = packaged_font(cache_dir)
        if found is not None:
            return found
    for s in system:
        p = Path(s)
        if p.is_file():
            return p
    return None


def register_default_font(cache_dir: Path | None = None) -> Path | None:
    """Register the CJK font under Kivy's DEFAULT_FONT name; returns the file used (None: Roboto stays)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase
    from kivy.logger import Logger

    font = find_cjk_font(cache_dir=cache_dir)
    if font is None:
        Logger.warning("OutfallWatch: no CJK font found; Chinese text will show as boxes "
                       "(pip install -e '.[mobile]' brings noto-cjk-sans-otc)")
        return None
    # One file for all four styles: bold is synthesised by the text provider.
    LabelBase.register(DEFAULT_FONT, str(font), str(font), str(font), str(font))
    return font
