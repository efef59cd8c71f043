"""`outfallwatch import-outfalls FILE [--dry-run] [--skip-bad] [--report FILE]`."""
from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path

from server.cli.registry import COMMANDS, CliError, check_migrated, database


def _setup(p):
    p.add_argument("file", help="census sheet: .csv (UTF-8, UTF-8 with BOM or GBK), .xlsx or .geojson")
    p.add_argument("--dry-run", action="store_true", help="check every row and report; write nothing")
    p.add_argument("--skip-bad", action="store_true",
                   help="import the good rows and skip the bad ones (default: any bad row imports nothing)")
    p.add_argument("--report", metavar="CSV", help="write every bad row (line, code, reason) to this CSV file")
    p.add_argument("--sheet", help="the .xlsx sheet to read (default: the first)")


def _import(args, settings):
    from server.register_io.importer import ImportFailed, import_outfalls

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            return await import_outfalls(db=db, path=Path(args.file), dry_run=args.dry_run, skip_bad=args.skip_bad,
                                         sheet=args.sheet, actor_name=f"cli:{getpass.getuser()}",
                                         progress=sys.stderr.isatty())
        except ImportFailed as e:
            raise CliError(str(e)) from None
        finally:
            await db.dispose()

    report = asyncio.run(go())
    if report.ignored_columns:
        print(f"ignored columns: {', '.join(report.ignored_columns)}")
    for b in report.bad:
        print(f"line {b.line}: {b.code or '-'}: {b.reason}")
    if args.report:
        report.write_report(Path(args.report))
        print(f"wrote {len(report.bad)} bad rows to {args.report}")
    print(report.summary())
    if report.bad and not args.skip_bad:
        raise CliError(f"{len(report.bad)} bad rows; nothing imported "
                       f"(fix them, or use --skip-bad to import the other {report.rows - len(report.bad)})")


COMMANDS["import-outfalls"] = ("import a census sheet (CSV, XLSX, GeoJSON) into the register, by official code",
                               _setup, _import)
