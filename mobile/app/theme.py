"""Colours and sizes in one place (RGBA floats, Kivy's format)."""
from kivy.metrics import dp, sp

PRIMARY = (0.05, 0.42, 0.45, 1)      # river teal: top bar, main buttons
PRIMARY_DARK = (0.03, 0.30, 0.33, 1)
ACCENT = (0.93, 0.55, 0.10, 1)       # badge, warnings
DANGER = (0.80, 0.16, 0.16, 1)       # exceedance, overdue, reject
OK = (0.16, 0.55, 0.25, 1)
BACKGROUND = (0.94, 0.95, 0.95, 1)
CARD = (1, 1, 1, 1)
TEXT = (0.12, 0.13, 0.14, 1)
MUTED = (0.42, 0.45, 0.47, 1)
ON_PRIMARY = (1, 1, 1, 1)
SECONDARY_BUTTON = (0.85, 0.89, 0.89, 1)

PAD = dp(10)
GAP = dp(8)
BUTTON_H = dp(56)   # primary actions, gloved thumbs
TARGET_H = dp(48)   # every other touch target
FIELD_H = dp(42)
BAR_H = dp(54)
FONT = sp(15)
FONT_SMALL = sp(13)
FONT_TITLE = sp(18)
FONT_BIG = sp(22)
