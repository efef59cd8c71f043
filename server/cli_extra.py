"""Commands of later areas register here: COMMANDS[name] = (help, setup(parser), func(args, settings))."""
import importlib

from server.cli import COMMANDS  # noqa: F401  (the modules below add to it)

for _name in ("server.jobs_cli", "server.brief.cli", "server.register_io.cli"):
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as e:  # an area not built yet
        if e.name != _name:
            raise
