"""The server's layering, read from the source (as tests/mobile guards the phone's):

- the domain imports no transport (web, graphql), no CLI, not the app and not the area declarations;
- no private name (`_x`) is imported from another package;
- module-level imports have no cycles;
- an import inside a function does not close a cycle the module-level imports would make
  (the ones that still do are listed in HIDDEN_CYCLES, to be taken apart; none may be added).
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
# server.areas declares each area once and imports its GraphQL roots, so it is above the domain too.
TRANSPORTS = ("server.web", "server.graphql", "server.cli", "server.app", "server.areas")
# Function-level imports that still close a cycle: (importing module, imported module). Shrink only.
HIDDEN_CYCLES = {
    ("server.graphql.stations.types", "server.graphql.stations.tracing"),  # types <-> tracing resolvers
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in SERVER.rglob("*.py")}


def _target(node: ast.ImportFrom | ast.Import, importer: str) -> list[tuple[str, list[str]]]:
    """(module, imported names) for an import statement, submodules resolved."""
    if isinstance(node, ast.Import):
        return [(a.name, []) for a in node.names]
    base = node.module or ""
    if node.level:
        pkg = importer.split(".")
        pkg = pkg[: len(pkg) - node.level + (1 if modules().get(importer, Path()).name == "__init__.py" else 0)]
        base = ".".join([*pkg, *([base] if base else [])])
    out = []
    for a in node.names:
        sub = f"{base}.{a.name}"
        out.append((sub, []) if sub in modules() else (base, [a.name]))
    return out


@cache
def imports(mod: str) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
    """(module-level imports, imports inside functions) of a server module, server targets only."""
    tree = ast.parse(modules()[mod].read_text(encoding="utf-8"))
    top, inner = [], []

    def walk(node, in_function: bool, in_type_checking: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                if not in_type_checking:
                    for t in _target(child, mod):
                        if t[0].startswith("server"):
                            (inner if in_function else top).append(t)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                walk(child, in_function, True)
            else:
                walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)),
                     in_type_checking)

    walk(tree, False, False)
    return top, inner


def graph() -> dict[str, set[str]]:
    return {m: {t for t, _ in imports(m)[0] if t in modules()} for m in modules()}


def reaches(g: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m == goal:
            return True
        if m not in seen:
            seen.add(m)
            todo += g.get(m, ())
    return False


def test_the_domain_imports_no_transport_and_no_cli():
    bad = [(m, t) for m in modules() if m.startswith("server.domain")
           for t, _ in imports(m)[0] + imports(m)[1] if t.startswith(TRANSPORTS)]
    assert not bad, f"the domain must not import a door: {bad}"


def test_no_private_names_cross_packages():
    bad = []
    for m in modules():
        pkg = m.rsplit(".", 1)[0]
        for t, names in imports(m)[0] + imports(m)[1]:
            if not t.startswith(pkg) and any(n.startswith("_") and not n.startswith("__") for n in names):
                bad.append((m, t, names))
    assert not bad, f"private names imported from another package: {bad}"


def test_module_level_imports_have_no_cycles():
    g = graph()
    cycles = sorted({tuple(sorted((m, t))) for m, ts in g.items() for t in ts if t != m and reaches(g, t, m)
                     and not t.startswith(m + ".") and not m.startswith(t + ".")})
    assert not cycles, f"import cycles: {cycles}"


def test_no_function_level_import_hides_a_cycle():
    g = graph()
    hidden = {(m, t) for m in modules() for t, _ in imports(m)[1] if t in modules() and reaches(g, t, m)}
    assert hidden <= HIDDEN_CYCLES, f"new imports inside functions that close a cycle: {hidden - HIDDEN_CYCLES}"
    assert HIDDEN_CYCLES <= hidden, f"taken apart, so strike from HIDDEN_CYCLES: {HIDDEN_CYCLES - hidden}"


def test_the_checker_sees_a_cycle_and_a_private_import():
    """The checks above can fail: a made-up graph with a cycle is caught."""
    assert reaches({"a": {"b"}, "b": {"a"}}, "b", "a")
    assert not reaches({"a": {"b"}, "b": set()}, "b", "a")
