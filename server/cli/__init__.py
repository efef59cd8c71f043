"""The `outfallwatch` command line: one module per group of commands (core, jobs, backup, register,
brief), all registered in registry.COMMANDS and parsed by main (pyproject: server.cli:main)."""
from server.cli.main import main

__all__ = ["main"]
