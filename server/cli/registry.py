"""Shared by every command module: the command table, the one error type, the database helpers."""
from __future__ import annotations

from server.db import Database
from server.settings import Settings


class CliError(Exception):
    """A failure worth one clear line and a non-zero exit."""


# name -> (help, setup(parser), func(args, settings)); each module of server/cli/ adds its own.
COMMANDS: dict[str, tuple] = {}


def database(settings: Settings) -> Database:
    """A Database for one command run (the caller disposes of it)."""
    return Database(settings.database_url)


async def check_migrated(settings: Settings) -> None:
    """Refuse to work on a database that is not at the code's migration head."""
    from server.migrate import current_revision, head_revision

    db = database(settings)
    try:
        cur = await current_revision(db)
    finally:
        await db.dispose()
    if cur != head_revision():
        raise CliError(f"database is at {cur or 'no revision'}, code expects {head_revision()}: "
                       "run `outfallwatch migrate` first")
