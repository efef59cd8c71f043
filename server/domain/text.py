"""What a stored text may contain: the one rule, applied where text enters (every GraphQL mutation
argument through graphql/text_rules.py; the register import through the outfall service).

Per field:
- free text (MULTILINE: description, note, reason): any character but control characters; line
  breaks and tabs are allowed;
- everything else (names, titles, codes, labels, units, file names, keys): one line, no control
  characters at all;
- secrets being checked (EXEMPT: login's password, changePassword's oldPassword) are compared, never
  stored or shown, so an existing password always works;
- in every field: no lone surrogates (not text; PostgreSQL refuses them) and no bidirectional
  embedding/override/isolate controls (U+202A-E, U+2066-9: they make a name display as another).
Lengths stay with each field's service (e.g. name 100, title 200, note 2000).

Why at write time: a control character in a name was accepted and then broke `/export/outfalls.xlsx`
for everyone (XML cannot carry it); NUL cannot be stored in PostgreSQL at all.
"""
from __future__ import annotations

import re

from server.domain.errors import BadInput

MULTILINE = frozenset({"description", "note", "reason"})
EXEMPT = frozenset({"password", "oldPassword"})

_ALWAYS = "\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_SINGLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_ALWAYS}]")
_MULTI = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_ALWAYS}]")


def _describe(ch: str) -> str:
    return {"\n": "a line break", "\r": "a line break", "\t": "a tab"}.get(ch, f"the character U+{ord(ch):04X}")


def check_text(value: str, field: str, *, multiline: bool | None = None) -> str:
    """The value itself, or BAD_USER_INPUT naming the field and the first character refused."""
    leaf = re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])
    if leaf in EXEMPT:
        return value
    if multiline is None:
        multiline = leaf in MULTILINE
    bad = (_MULTI if multiline else _SINGLE).search(value)
    if bad:
        where = "" if multiline else " (one line, no control characters)"
        raise BadInput(f"{field} may not contain {_describe(bad.group())}{where}", field=field)
    return value
