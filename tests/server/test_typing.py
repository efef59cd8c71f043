"""mypy checks every module of server/ as configured: no module is let off.

`make test` runs mypy; these checks keep its configuration from quietly growing exceptions again (issue 13
removed a list of 36 modules whose errors were ignored).
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What switches checking off for a module, a file or an error code wholesale.
LOOSENING = ("ignore_errors", "disable_error_code", "follow_imports", "exclude")
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def _mypy_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def loosened(config: dict) -> list[str]:
    """What in a [tool.mypy] table lets code go unchecked."""
    found = [f"[tool.mypy] {k}" for k in LOOSENING if k in config]
    for o in config.get("overrides", []):
        for k in LOOSENING:
            if k in o:
                found.append(f"override of {o.get('module')}: {k} = {o[k]!r}")
    return found


def unexplained_ignores(text: str) -> list[tuple[int, str]]:
    """`# type: ignore` lines without an error code, or without a reason (after it, or on the line above)."""
    out = []
    lines = text.splitlines()
    for n, line in enumerate(lines, start=1):
        m = IGNORE.search(line)
        if m is None:
            continue
        reason = m.group("rest").strip().startswith("#") or (n > 1 and lines[n - 2].strip().startswith("#"))
        if not m.group("codes") or not reason:
            out.append((n, line.strip()))
    return out


def test_mypy_checks_every_server_module():
    config = _mypy_config()
    assert config["packages"] == ["server"]
    assert loosened(config) == [], "mypy must check all of server/: fix the module's errors instead"


def test_every_type_ignore_names_its_code_and_why():
    bad = []
    for path in sorted((ROOT / "server").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"#\s*mypy:\s*ignore-errors", text):
            bad.append(f"{path.relative_to(ROOT)}: # mypy: ignore-errors")
        bad += [f"{path.relative_to(ROOT)}:{n}: {line}" for n, line in unexplained_ignores(text)]
    assert bad == []


def test_the_checks_catch_what_they_look_for():
    # The override list this replaced, in the shape it had, is caught; so are bare and unexplained ignores.
    old = tomllib.loads('[tool.mypy]\npackages = ["server"]\n[[tool.mypy.overrides]]\nmodule = ["server.x"]\n'
                        'ignore_errors = true\n')["tool"]["mypy"]
    assert loosened(old) == ["override of ['server.x']: ignore_errors = True"]
    assert unexplained_ignores("x = 1  # type: ignore\n") == [(1, "x = 1  # type: ignore")]
    assert unexplained_ignores("x = 1  # type: ignore[assignment]\n") == [(1, "x = 1  # type: ignore[assignment]")]
    assert unexplained_ignores("x = 1  # type: ignore[assignment]  # because\n") == []
    assert unexplained_ignores("# because\nx = 1  # type: ignore[assignment]\n") == []
