"""Find a CJK font and make it Kivy's default, so Chinese renders as characters instead of boxes.

Kivy's bundled Roboto has no CJK glyphs. We look in the packaged assets first (what the APK ships,
see mobile/tools/fetch_font.py), then in the usual Linux and Android system locations.
"""
from __future__ import annotations

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


def find_cjk_font(asset_dir: Path = ASSET_DIR, system: tuple[str, ...] = SYSTEM_CANDIDATES) -> Path | None:
    """The first usable CJK font file: packaged assets (sorted by name) before system paths."""
    if asset_dir.is_dir():
        for p in sorted(asset_dir.iterdir()):
            if p.suffix.lower() in FONT_SUFFIXES and p.stat().st_size > 0:
                return p
    for s in system:
        p = Path(s)
        if p.is_file():
            return p
    return None


def register_default_font() -> Path | None:
    """Register the CJK font under Kivy's DEFAULT_FONT name; returns the file used (None: Roboto stays)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase
    from kivy.logger import Logger

    font = find_cjk_font()
    if font is None:
        Logger.warning("OutfallWatch: no CJK font found; Chinese text will show as boxes "
                       "(run python mobile/tools/fetch_font.py or install fonts-wqy-microhei)")
        return None
    # One file for all four styles: bold is synthesised by the text provider.
    LabelBase.register(DEFAULT_FONT, str(font), str(font), str(font), str(font))
    return font
