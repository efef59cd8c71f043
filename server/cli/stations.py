"""`outfallwatch import-stations SHEET` and `outfallwatch import-readings CSV`."""
from __future__ import annotations

import asyncio
from pathlib import Path

from server.cli.registry import COMMANDS, check_migrated, database


def _import_stations(args, settings):
    from server.domain.actor import Actor
    from server.domain.stations.service import import_sheet

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            async with db.transaction() as s:
                # The operator at the console acts as the system administrator.
                return await import_sheet(session=s, actor=Actor(0, "cli", "ADMIN", None), path=Path(args.file))
        finally:
            await db.dispose()

    r = asyncio.run(go())
    for line, field, msg in r.errors:
        print(f"line {line}: {field}: {msg}")
    if r.errors:
        raise SystemExit(1)
    print(f"stations: {r.created} created, {r.updated} updated")


def _import_readings(args, settings):
    from server.domain.stations.csv_import import import_csv

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            return await import_csv(db=db, settings=settings, path=Path(args.file))
        finally:
            await db.dispose()

    r = asyncio.run(go())
    x = r.result
    print(f"{r.rows} values: {x.inserted} new, {x.updated} corrected, {x.unchanged} unchanged, {x.suspect} suspect")


COMMANDS["import-stations"] = ("create or update stations from a .csv/.xlsx sheet (by code)",
                               lambda p: p.add_argument("file"), _import_stations)
COMMANDS["import-readings"] = ("import 4-hourly station readings from a long-form CSV "
                               "(station_code, observed_at, parameter, value[, flag]); idempotent",
                               lambda p: p.add_argument("file"), _import_readings)
