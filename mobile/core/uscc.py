"""统一社会信用代码 (GB 32100-2015) checked offline, the way the server checks it (python-stdnum's cn.uscc):
18 characters, the first 8 digits, the rest from the standard's 31-character set (no I, O, S, V, Z), and
the 18th the check character of the first 17. A typo is caught on the phone, before the record waits in
the outbox. tests/mobile/test_tracing.py holds this to python-stdnum on the same codes."""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def compact(value: str) -> str:
    return "".join(value.split()).replace("-", "").upper()


def check_character(first17: str) -> str:
    return ALPHABET[(31 - sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))) % 31]


def uscc_error(value: str | None) -> str | None:
    """None when `value` is empty or a valid code, else what is wrong with it (English msgid)."""
    v = compact(value or "")
    if not v:
        return None
    if len(v) != 18:
        return "a unified social credit code has 18 characters"
    if not v[:8].isdigit() or any(c not in ALPHABET for c in v[8:]):
        return "not a unified social credit code (digits and capitals without I, O, S, V, Z)"
    if v[17] != check_character(v[:17]):
        return "the check character (18th) does not match"
    return None
