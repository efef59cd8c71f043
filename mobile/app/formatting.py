"""How numbers, times and distances read on screen (translated; no rules, only wording)."""
from __future__ import annotations

from datetime import UTC, datetime

from mobile.app.i18n import _, language


def parse_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        t = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def local_time(iso: str | None) -> str:
    """A UTC ISO time as the phone's local 'MM-DD HH:MM'."""
    t = parse_time(iso)
    return t.astimezone().strftime("%m-%d %H:%M") if t else _("never")


def distance(m: float) -> str:
    return f"{m:.0f} m" if m < 1000 else f"{m / 1000:.1f} km"


def duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def compass(item) -> str:
    """The bearing of a NearbyOutfall in the interface language, with degrees."""
    word = item.compass_zh if language().startswith("zh") else item.compass_en
    return f"{word} {item.bearing_deg:.0f}°"


def countdown(deadline_iso: str | None, now: datetime | None = None) -> tuple[str, bool]:
    """('2 days 3 h left' | 'overdue by 5 h', overdue?) for a task deadline."""
    t = parse_time(deadline_iso)
    if t is None:
        return _("no deadline"), False
    now = now or datetime.now(UTC)
    secs = (t - now).total_seconds()
    overdue = secs < 0
    secs = abs(secs)
    days, hours = int(secs // 86400), int(secs % 86400 // 3600)
    span = (_("{d} d {h} h").format(d=days, h=hours) if days else
            _("{h} h {m} min").format(h=hours, m=int(secs % 3600 // 60)))
    return (_("overdue by {span}") if overdue else _("{span} left")).format(span=span), overdue


def place(district: dict | None) -> str:
    if not district:
        return "—"
    if language().startswith("zh"):
        return district.get("name") or district.get("code") or "—"
    return district.get("nameEn") or district.get("name") or district.get("code") or "—"


def error_text(exc: BaseException) -> str:
    """A sentence for the user from a core exception (its message is written for people)."""
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


def times_over(multiple: float | None) -> str:
    """超标倍数 as the bureaus write it, (C − limit)/limit: " 超标1.50倍"; empty when there is none."""
    if multiple is None:
        return ""
    return " " + _("{n} times over").format(n=f"{multiple:.2f}")
