"""`outfallwatch backup DEST` and `outfallwatch restore SRC`."""
from __future__ import annotations

import asyncio
from pathlib import Path

from server.cli.registry import COMMANDS, check_migrated, database


def _go(fn, args, settings, path_attr):
    from server.storage import make_store

    async def go():
        await check_migrated(settings)
        db = database(settings)
        store = make_store(settings)
        await store.ensure_ready()
        try:
            return await fn(db=db, store=store, **{path_attr: Path(getattr(args, path_attr))})
        finally:
            await db.dispose()

    return asyncio.run(go())


def _backup(args, settings):
    from server.ops.backup import backup

    m = _go(backup, args, settings, "dest")
    print(f"backed up {sum(t['rows'] for t in m['tables'].values())} rows of {len(m['tables'])} tables and "
          f"{len(m['objects'])} objects to {args.dest}")


def _restore(args, settings):
    from server.ops.backup import restore

    r = _go(restore, args, settings, "src")
    print(f"restored and verified {r['rows']} rows of {r['tables']} tables and {r['objects']} objects")


COMMANDS["backup"] = ("write every table and object, with a manifest of hashes, to DEST",
                      lambda p: p.add_argument("dest"), _backup)
COMMANDS["restore"] = ("load a backup into a freshly migrated, empty database and verify every hash",
                       lambda p: p.add_argument("src"), _restore)
