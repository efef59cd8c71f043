"""The `outfallwatch` command: one parser over the commands every module of server/cli/ registers."""
from __future__ import annotations

import argparse
import importlib
import sys

# Each command module adds its commands to COMMANDS when imported. The CLI's own groups, which serve
# every area, are here; an area's own commands are declared with the area (server/areas, `cli=`).
from server.cli import backup, core, jobs  # noqa: F401
from server.areas import CLI as AREA_COMMAND_MODULES
from server.cli.registry import COMMANDS, CliError
from server.domain.errors import DomainError
from server.settings import Settings

CORE_FIRST = ("serve", "migrate", "seed-demo", "create-user", "export-schema")
OWN_GROUPS = (backup, core, jobs)
for _name in AREA_COMMAND_MODULES:
    importlib.import_module(_name)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="outfallwatch", description="Outfall Watch (入河排污口巡查整治) server.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = [*CORE_FIRST, *(n for n in COMMANDS if n not in CORE_FIRST)]
    for name in names:
        help_, setup, func = COMMANDS[name]
        s = sub.add_parser(name, help=help_)
        setup(s)
        s.set_defaults(func=func)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args, Settings.from_env())
    except (CliError, DomainError) as e:
        print(f"error: {getattr(e, 'message', None) or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - one clear line, not a traceback, for the operator
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0
