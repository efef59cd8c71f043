"""The command line's groups: its own (core, jobs, backup) in server/cli/main.py, every other one declared by
its area (server/areas, `cli=`). A command module nobody declares would silently vanish from `outfallwatch`."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

from server import areas
from server.cli.registry import COMMANDS

# the module (the package's `main` attribute is the function of the same name)
cli_main = importlib.import_module("server.cli.main")
CLI_DIR = Path(cli_main.__file__).parent


def command_modules() -> dict[str, set[str]]:
    """server.cli.<module> -> the commands it adds, read from the source."""
    out = {}
    for path in sorted(CLI_DIR.glob("*.py")):
        names = set(re.findall(r'^COMMANDS\["([^"]+)"\]', path.read_text(encoding="utf-8"), re.M))
        if names:
            out[f"server.cli.{path.stem}"] = names
    return out


def undeclared(modules: dict[str, set[str]], own: set[str], declared: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m not in own and m not in declared)


def test_every_command_module_is_the_clis_own_or_declared_by_one_area():
    own = {m.__name__ for m in cli_main.OWN_GROUPS}
    modules = command_modules()
    assert undeclared(modules, own, areas.CLI) == []
    assert not own & set(areas.CLI), "a group is either the CLI's own or an area's, not both"
    assert set(areas.CLI) <= set(modules), "an area declares a module that adds no command"
    # and what they add is what the parser offers
    assert set(COMMANDS) == set().union(*modules.values())
    parser_commands = set(cli_main.build_parser()._subparsers._group_actions[0].choices)
    assert parser_commands == set(COMMANDS)


def test_a_forgotten_declaration_is_named():
    own = {m.__name__ for m in cli_main.OWN_GROUPS}
    without_stations = tuple(m for m in areas.CLI if m != "server.cli.stations")
    assert undeclared(command_modules(), own, without_stations) == ["server.cli.stations"]


def test_each_area_declares_its_own_commands():
    by_area = {a.name: a.cli for a in areas.AREAS if a.cli}
    assert by_area == {"outfalls": ("server.cli.register",), "tasks": ("server.cli.brief",),
                       "stations": ("server.cli.stations",)}
    for names in by_area.values():
        for name in names:
            assert importlib.import_module(name)
