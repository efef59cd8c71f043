"""Shared by every command module (one object even when cli.py runs as __main__)."""


class CliError(Exception):
    """A failure worth one clear line and a non-zero exit."""


# name -> (help, setup(parser), func(args, settings))
COMMANDS: dict[str, tuple] = {}
