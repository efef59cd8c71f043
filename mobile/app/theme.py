"""Colours and sizes in one place (RGBA floats, Kivy's format).

Sizes are for gloved hands outdoors: primary actions 56 dp, every other touch target at least 48 dp,
text at least 16 sp. Every text colour meets WCAG AA (4.5:1) on the background it is drawn on
(tests/mobile/ui check each screen's widget tree). Two palettes: the normal one and a high-contrast
"sunlight" one (black on white, dark saturated buttons); use() switches and the app rebuilds its
screens, as for a language switch. Screens read theme.X when they build, so a switch takes effect then.
"""
from kivy.metrics import dp, sp

PALETTES = {
    "normal": dict(
        PRIMARY=(0.04, 0.36, 0.39, 1),       # river teal: top bar, main buttons (white on it 7.5:1)
        PRIMARY_DARK=(0.03, 0.27, 0.30, 1),
        ACCENT=(0.60, 0.30, 0.00, 1),        # warnings: dark amber (white on it 5.7:1, on white 5.7:1)
        DANGER=(0.72, 0.11, 0.11, 1),        # exceedance, overdue, reject (6.4:1)
        OK=(0.10, 0.43, 0.19, 1),            # (6.5:1)
        BACKGROUND=(0.94, 0.95, 0.95, 1),
        CARD=(1, 1, 1, 1),
        TEXT=(0.10, 0.11, 0.12, 1),
        MUTED=(0.30, 0.33, 0.35, 1),         # secondary text, 8:1 on white, 7.3:1 on the background
        ON_PRIMARY=(1, 1, 1, 1),
        SECONDARY_BUTTON=(0.84, 0.88, 0.88, 1),
        NOTICE=(1.0, 0.93, 0.70, 1),         # draft / offline banners (text on it 14:1)
        PATROL=(0.05, 0.30, 0.60, 1),        # the patrol strip (white on it 7.6:1)
        MAP_WATER=(0.55, 0.75, 0.90, 1),
        MAP_LAND=(0.93, 0.92, 0.88, 1),
    ),
    "sunlight": dict(
        PRIMARY=(0.0, 0.20, 0.25, 1),
        PRIMARY_DARK=(0.0, 0.12, 0.15, 1),
        ACCENT=(0.45, 0.20, 0.0, 1),
        DANGER=(0.55, 0.0, 0.0, 1),
        OK=(0.0, 0.30, 0.10, 1),
        BACKGROUND=(1, 1, 1, 1),
        CARD=(1, 1, 1, 1),
        TEXT=(0, 0, 0, 1),
        MUTED=(0.15, 0.15, 0.15, 1),
        ON_PRIMARY=(1, 1, 1, 1),
        SECONDARY_BUTTON=(0.80, 0.80, 0.80, 1),
        NOTICE=(1.0, 0.90, 0.40, 1),
        PATROL=(0.0, 0.15, 0.45, 1),
        MAP_WATER=(0.35, 0.60, 0.85, 1),
        MAP_LAND=(1, 1, 1, 1),
    ),
}
PALETTE_NAMES = tuple(PALETTES)
current = "normal"

PRIMARY = PRIMARY_DARK = ACCENT = DANGER = OK = BACKGROUND = CARD = TEXT = MUTED = ON_PRIMARY = None
SECONDARY_BUTTON = NOTICE = PATROL = MAP_WATER = MAP_LAND = None


def use(name: str) -> None:
    """Switch palette (module globals, read by widgets as they are built)."""
    global current
    if name not in PALETTES:
        raise ValueError(f"unknown theme {name!r}; one of {PALETTE_NAMES}")
    globals().update(PALETTES[name])
    current = name


use("normal")

PAD = dp(12)
GAP = dp(8)
BUTTON_H = dp(56)   # primary actions, gloved thumbs
TARGET_H = dp(48)   # every other touch target
FIELD_H = dp(52)
BAR_H = dp(60)
FONT = sp(18)
FONT_SMALL = sp(16)  # the smallest text anywhere
FONT_TITLE = sp(20)
FONT_BIG = sp(26)
MIN_PRIMARY_DP = 56
MIN_TARGET_DP = 48
MIN_FONT_SP = 16


def hex_colour(rgba) -> str:
    """#rrggbb for Kivy markup."""
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in rgba[:3])


def luminance(rgba) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def lin(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(float(c)) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    """WCAG contrast ratio of two colours (1..21)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
