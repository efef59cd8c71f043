"""Gettext for the app: Chinese by default, English on request, switchable while running.

Every visible string goes through `_()`; msgids are English. Screens call `_()` when they build
their widgets, so switching language means rebuilding the screens (OutfallWatchApp.set_language).
"""
from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "outfallwatch"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(lang: str) -> None:
    """Load the compiled catalog for lang; an unknown language or missing .mo falls back to English."""
    global _current, _language
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; one of {LANGUAGES}")
    _current = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)
    _language = lang


def language() -> str:
    return _language


def _(msgid: str) -> str:
    return _current.gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(msgid: str) -> str:
    """Mark a string for extraction where it is defined; translate it with _() where it is shown."""
    return msgid


set_language(DEFAULT_LANGUAGE)
