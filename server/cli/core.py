"""The core commands: serve, migrate, seed-demo, create-user, export-schema."""
from __future__ import annotations

import asyncio
import getpass
import os
import sys
from pathlib import Path

from server.cli.registry import COMMANDS, CliError, check_migrated, database
from server.settings import Settings


async def _migrate(settings: Settings) -> str:
    from server.migrate import prepare

    rev, nd, nr = await prepare(settings.database_url)
    return f"database at {rev}; {nd} districts, {nr} rivers loaded"


def cmd_migrate(args, settings):
    print(asyncio.run(_migrate(settings)))


def cmd_seed_demo(args, settings):
    from server.demo.seed import seed_demo
    from server.demo.stations import seed_stations

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            async with db.transaction() as s:
                made = await seed_demo(session=s, settings=settings)
            async with db.transaction() as s:
                made.update(await seed_stations(session=s, settings=settings, days=args.station_days))
            return made
        finally:
            await db.dispose()

    made = asyncio.run(go())
    if made["outfalls"]:
        print(f"seeded {made['outfalls']} demo outfalls")
    else:
        print("demo data already present; nothing seeded")
    if made["stations"]:
        print(f"seeded {made['stations']} demo stations with {made['values']} readings")
    print_demo_users()


def print_demo_users():
    from server.demo.seed import DEMO_USERS, demo_password

    print("demo users (username / password / role / district):")
    for username, role, dname, _ in DEMO_USERS:
        print(f"  {username:<11} {demo_password(username):<16} {role:<17} {dname or '全市 city-wide'}")


def cmd_create_user(args, settings):
    from server.domain.users.service import create_user

    if sys.stdin.isatty():
        pw = getpass.getpass("password: ")
        if getpass.getpass("again: ") != pw:
            raise CliError("passwords differ")
    else:
        pw = sys.stdin.readline().rstrip("\n")

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            async with db.transaction() as s:
                u = await create_user(session=s, username=args.username, password=pw, role=args.role,
                                      district_code=args.district, display_name=args.display_name)
                return u.id
        finally:
            await db.dispose()

    print(f"created user {args.username} (id {asyncio.run(go())}, {args.role})")


def cmd_export_schema(args, settings):
    from server.graphql.schema import create_schema

    sdl = create_schema(settings).as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}")


def cmd_serve(args, settings):
    import uvicorn

    from server.app import create_app

    settings = settings.with_(host=args.host or settings.host, port=args.port or settings.port)
    asyncio.run(check_migrated(settings))
    workers = args.workers or 1
    if workers < 1:
        raise CliError("--workers must be at least 1")
    print(f"Outfall Watch on http://{settings.host}:{settings.port}/graphql  (data: {settings.data_dir}, "
          f"{workers} worker{'s' if workers > 1 else ''})")
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level)
        return
    # Several processes: each builds its app from the environment, so pass on what the flags changed.
    events_in_db = settings.events == "postgres" or (settings.events == "auto" and not settings.is_sqlite)
    if not events_in_db:
        raise CliError("several workers need PostgreSQL and OUTFALLWATCH_EVENTS=postgres (or auto), so every "
                       "worker sees every task event; on SQLite run one worker")
    os.environ.update(OUTFALLWATCH_HOST=settings.host, OUTFALLWATCH_PORT=str(settings.port),
                      OUTFALLWATCH_SECRET_KEY=settings.secret_key)
    uvicorn.run("server.app:app_from_env", factory=True, host=settings.host, port=settings.port,
                log_level=args.log_level, workers=workers)


def _setup_serve(s):
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--log-level", default="info")
    s.add_argument("--workers", type=int, default=int(os.environ.get("OUTFALLWATCH_WORKERS", "1")),
                   help="processes (PostgreSQL only); the scheduler runs in one of them")


def _setup_create_user(s):
    s.add_argument("username")
    s.add_argument("--role", required=True, choices=["INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN",
                                                     "INTEGRATOR"])
    s.add_argument("--district", help="GB/T 2260 code, required for INSPECTOR and DISTRICT_OFFICER")
    s.add_argument("--display-name")


def _setup_export_schema(s):
    s.add_argument("--output", "-o", default="schema.graphql", help="file, or - for stdout")


COMMANDS["serve"] = ("serve the GraphQL API (GraphiQL on GET /graphql)", _setup_serve, cmd_serve)
COMMANDS["migrate"] = ("apply database migrations and load the reference data", lambda p: None, cmd_migrate)
def _setup_seed_demo(s):
    s.add_argument("--station-days", type=int, default=730,
                   help="days of 4-hourly readings for the demo stations (default 730: two years, so trends show)")


COMMANDS["seed-demo"] = ("create demo users and outfalls (only into an empty register)", _setup_seed_demo,
                         cmd_seed_demo)
COMMANDS["create-user"] = ("create a user; the password is read from stdin or a prompt", _setup_create_user,
                           cmd_create_user)
COMMANDS["export-schema"] = ("write the GraphQL SDL the server serves", _setup_export_schema, cmd_export_schema)
