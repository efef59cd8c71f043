"""Commands of later areas register here: COMMANDS[name] = (help, setup(parser), func(args, settings))."""
import importlib


for _name in ("server.jobs_cli", "server.domain.brief.cli", "server.ops.backup_cli", "server.register_io.cli", "server.domain.stations.cli",
              "server.backup.cli"):
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as e:  # an area not built yet
        if not _name.startswith(e.name or "?"):
            raise
