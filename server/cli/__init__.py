"""The `outfallwatch` command line: one module per group of commands, all registered in registry.COMMANDS
and parsed by main (pyproject: server.cli:main). The CLI's own groups (core, jobs, backup) are listed in
main; an area's (register, brief, stations) are declared with the area (server/areas, `cli=`)."""
from server.cli.main import main

__all__ = ["main"]
