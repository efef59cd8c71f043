"""Scheduler commands for cron (the server runs the same jobs itself every 30 s)."""
from __future__ import annotations

import asyncio

from server.cli.registry import COMMANDS, check_migrated, database
from server.domain.users.tokens import SCOPES


async def run_jobs(settings, which: set[str]) -> dict:
    from server.domain.media.service import expire_stale_uploads
    from server.domain.notify.channels import build_channels
    from server.domain.notify.service import dispatch
    from server.domain.tasks.service import sweep_deadlines
    from server.events.broker import make_broker
    from server.storage import make_store

    await check_migrated(settings)
    db = database(settings)
    out = {}
    broker = make_broker(settings)
    await broker.start()
    try:
        if "deadlines" in which:
            out.update(await sweep_deadlines(db=db, settings=settings, broker=broker))
        if "notify" in which:
            out["sent"] = await dispatch(db=db, channels=build_channels(settings))
        if "uploads" in which:
            out["expired_uploads"] = await expire_stale_uploads(db=db, store=make_store(settings))
    finally:
        await broker.stop()
        await db.dispose()
    return out


def _tick(args, settings):
    which = {"deadlines", "notify", "uploads"} if not args.only else set(args.only)
    res = asyncio.run(run_jobs(settings, which))
    print(", ".join(f"{k}: {v}" for k, v in res.items()))


def _setup_tick(p):
    p.add_argument("--only", action="append", choices=["deadlines", "notify", "uploads"],
                   help="run only this job (repeatable)")


def _cleanup(args, settings):
    print(f"expired uploads removed: {asyncio.run(run_jobs(settings, {'uploads'}))['expired_uploads']}")


COMMANDS["tick"] = ("run the scheduled jobs once: overdue/reminders, notifications, expired uploads", _setup_tick,
                    _tick)
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
