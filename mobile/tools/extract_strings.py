"""Collect every _()/N_()/ngettext() string of mobile/app and mobile/main.py into the .po catalogs.

    python mobile/tools/extract_strings.py          # update the catalogs, keeping translations
    python mobile/tools/extract_strings.py --check  # exit 1 if a msgid is missing from a catalog

New msgids are added untranslated (the English catalog keeps msgstr empty on purpose: gettext
then shows the msgid); strings no longer in the code are dropped.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

MOBILE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(MOBILE.parent))

from mobile.tools.compile_catalogs import LOCALE_DIR, catalogs  # noqa: E402

HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: outfallwatch-mobile\\n"\n"Language: {lang}\\n"\n'
          '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Content-Transfer-Encoding: 8bit\\n"\n"Plural-Forms: {plural}\\n"\n')
PLURALS = {"zh_CN": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}


def sources() -> list[Path]:
    return sorted((MOBILE / "app").rglob("*.py")) + [MOBILE / "main.py"]


def extract(paths: list[Path]) -> dict[tuple[str, str | None], list[str]]:
    """(msgid, msgid_plural) -> [file, ...] in order of first appearance. Files, not lines: the
    catalogs then change only when strings do, so --check does not trip over every edit."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for path in paths:
        if not path.is_file():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):  # source order
            args = node.args
            where = str(path.relative_to(MOBILE.parent))
            if node.func.id in ("_", "N_") and args and _lit(args[0]):
                key = (args[0].value, None)
            elif node.func.id == "ngettext" and len(args) >= 2 and _lit(args[0]) and _lit(args[1]):
                key = (args[0].value, args[1].value)
            else:
                continue
            files = found.setdefault(key, [])
            if where not in files:
                files.append(where)
    return found


def _lit(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def read_translations(po: Path) -> dict[str, list[str]]:
    """msgid -> msgstr list (one per plural form) from an existing catalog."""
    from mobile.tools.compile_catalogs import parse_po

    out = {}
    if po.is_file():
        for k, v in parse_po(po.read_text(encoding="utf-8")).items():
            if k:
                out[k.decode().split("\0")[0]] = v.decode().split("\0")
    return out


def q(s: str) -> str:
    body = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'


def render(lang: str, strings, translations: dict[str, list[str]]) -> str:
    parts = [HEADER.format(lang=lang, plural=PLURALS.get(lang, PLURALS["en"]))]
    for (msgid, plural), where in strings.items():
        tr = translations.get(msgid, [])
        lines = [f"#: {' '.join(where[:3])}", f"msgid {q(msgid)}"]
        if plural is None:
            lines.append(f"msgstr {q(tr[0] if tr else '')}")
        else:
            lines.append(f"msgid_plural {q(plural)}")
            n = 1 if lang == "zh_CN" else 2
            lines += [f"msgstr[{i}] {q(tr[i] if i < len(tr) else '')}" for i in range(n)]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    strings = extract(sources())
    pos = catalogs() or [LOCALE_DIR / lang / "LC_MESSAGES" / "outfallwatch.po" for lang in PLURALS]
    missing = 0
    for po in pos:
        lang = po.parts[-3]
        text = render(lang, strings, read_translations(po))
        if args.check:
            have = po.read_text(encoding="utf-8") if po.is_file() else ""
            if have != text:
                missing += 1
                print(f"{po} is out of date with the code")
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            po.write_text(text, encoding="utf-8")
            print(f"{po.relative_to(MOBILE.parent)}: {len(strings)} strings")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
