"""Compile mobile/locale/*/LC_MESSAGES/*.po into .mo files (what msgfmt does, stdlib only).

    python mobile/tools/compile_catalogs.py          # compile every catalog
    python mobile/tools/compile_catalogs.py --check  # exit 1 if a committed .mo differs from its .po

Follows CPython's Tools/i18n/msgfmt.py: msgctxt, plurals, fuzzy entries skipped, keys sorted.
"""
from __future__ import annotations

import argparse
import ast
import struct
import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def parse_po(text: str) -> dict[bytes, bytes]:
    """Map msgid (context and plural joined as .mo stores them) -> msgstr, both UTF-8.

    Untranslated and fuzzy entries are left out so gettext falls back to the msgid.
    """
    messages: dict[bytes, bytes] = {}
    ID, STR, CTXT = 1, 2, 3
    section = ctxt = None
    msgid = msgstr = b""
    fuzzy = False

    def add():
        if not fuzzy and msgstr:
            messages[(ctxt + b"\x04" + msgid) if ctxt is not None else msgid] = msgstr

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#") and section == STR:
            add()
            section, ctxt, fuzzy = None, None, False
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if line.startswith("#"):
            continue
        if line.startswith("msgctxt"):
            if section == STR:
                add()
                fuzzy = False
            section, ctxt, line = CTXT, b"", line[7:]
        elif line.startswith("msgid_plural"):
            section, line = ID, line[12:]
            msgid += b"\0"
        elif line.startswith("msgid"):
            if section == STR:
                add()
                ctxt, fuzzy = None, False
            section, line = ID, line[5:]
            msgid = msgstr = b""
        elif line.startswith("msgstr"):
            section = STR
            if line.startswith("msgstr["):
                line = line.split("]", 1)[1]
                if msgstr:
                    msgstr += b"\0"
            else:
                line = line[6:]
        line = line.strip()
        if not line:
            continue
        if not (line.startswith('"') and line.endswith('"')):
            raise ValueError(f"line {lineno}: cannot parse {raw!r}")
        value = ast.literal_eval(line).encode()
        if section == CTXT:
            ctxt += value
        elif section == ID:
            msgid += value
        elif section == STR:
            msgstr += value
        else:
            raise ValueError(f"line {lineno}: string outside an entry")
    if section == STR:
        add()
    return messages


def build_mo(messages: dict[bytes, bytes]) -> bytes:
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(messages[k])))
        ids += k + b"\0"
        strs += messages[k] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return header + struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(
        f"{len(voffsets)}i", *voffsets) + ids + strs


def catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a .mo is missing or stale")
    args = ap.parse_args(argv)
    stale = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        data = build_mo(parse_po(po.read_text(encoding="utf-8")))
        if args.check:
            if not mo.is_file() or mo.read_bytes() != data:
                stale.append(mo)
        else:
            mo.write_bytes(data)
            print(f"compiled {po.relative_to(LOCALE_DIR.parent)}")
    if stale:
        print("stale catalogs (run python mobile/tools/compile_catalogs.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
