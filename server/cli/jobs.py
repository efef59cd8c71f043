"""Scheduler commands for cron (the server runs the same jobs itself every 30 s)."""
from __future__ import annotations

import asyncio

from server.areas import JOBS
from server.cli.registry import COMMANDS, check_migrated, database
from server.events.broker import make_broker
from server.storage import make_store
from server.web.wiring import Services
from server.domain.users.tokens import SCOPES


async def run_jobs(settings, which: set[str]) -> dict[str, int]:
    """Run the named jobs (the areas' declarations, server/areas) once, in their declared order."""
    await check_migrated(settings)
    services = Services(settings=settings, db=database(settings), store=make_store(settings),
                        events=make_broker(settings))
    out: dict[str, int] = {}
    await services.events.start()
    try:
        for job in JOBS.values():
            if job.name in which:
                out.update(await job.run(services))
    finally:
        await services.events.stop()
        await services.counters.close()
        await services.db.dispose()
    return out


def _tick(args, settings):
    res = asyncio.run(run_jobs(settings, set(args.only or JOBS)))
    print(", ".join(f"{k}: {v}" for k, v in res.items()))


def _setup_tick(p):
    p.add_argument("--only", action="append", choices=list(JOBS), help="run only this job (repeatable)")


def _cleanup(args, settings):
    print(f"expired uploads removed: {asyncio.run(run_jobs(settings, {'uploads'}))['expired_uploads']}")


COMMANDS["tick"] = ("run the scheduled jobs once: " + ", ".join(j.help for j in JOBS.values()), _setup_tick, _tick)
COMMANDS["cleanup-uploads"] = ("reject uploads whose ticket expired and delete their objects", lambda p: None,
                               _cleanup)


def _create_token(args, settings):
    from server.domain.users.tokens import create_api_token

    async def go():
        await check_migrated(settings)
        db = database(settings)
        try:
            async with db.transaction() as s:
                row, token = await create_api_token(session=s, actor=None, name=args.name, scopes=args.scope,
                                                    username=args.username)
                return row.id, token
        finally:
            await db.dispose()

    tid, token = asyncio.run(go())
    print(f"API token {tid} for {args.username} ({' '.join(args.scope)}); shown once, store it now:\n{token}")


def _setup_token(p):
    p.add_argument("username", help="the INTEGRATOR user the token acts as")
    p.add_argument("--name", required=True, help="what uses it, e.g. 视频AI平台")
    p.add_argument("--scope", action="append", required=True, choices=list(SCOPES))


COMMANDS["create-token"] = ("create an integrator API token (shown once)", _setup_token, _create_token)
