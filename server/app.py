"""create_app(settings) -> Starlette: the web layer's routes and middleware over one Services, plus the scheduler."""
from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware

from server.areas import JOBS
from server.graphql.schema import create_schema
from server.settings import Settings
from server.web.middleware.depth import DepthGuard
from server.web.middleware.limits import BodyLimit
from server.web.middleware.response_cache import ResponseCache
from server.web.routes import all_routes
from server.web.wiring import Services, build_services

log = logging.getLogger("outfallwatch")


def start_background_jobs(services: Services) -> asyncio.Task:
    """The in-server scheduler: every area's declared jobs (server/areas), every job_interval_s (30 s).

    Exactly one process runs it, however many workers and machines serve: the one holding the scheduler
    lock (a PostgreSQL advisory lock when the database is PostgreSQL, so machines with separate data
    folders share it; the data folder's file lock on SQLite, which is one machine anyway). The others
    try again every interval and take over within one after the holder dies (its lock goes with its
    connection or process)."""
    interval = services.settings.job_interval_s

    async def loop():
        while True:
            lock = await scheduler_lock(services.settings)
            if lock is None:  # another worker or machine runs the jobs
                await asyncio.sleep(interval)
                continue
            services.extra["scheduler"] = True
            try:
                while await lock.held():
                    await jobs()
                    await asyncio.sleep(interval)
                log.warning("scheduler lock lost; electing again")
            finally:
                services.extra["scheduler"] = False
                await lock.release()

    async def jobs():
        for job in JOBS.values():
            try:
                await job.run(services)
            except Exception:  # noqa: BLE001 - a failing job must not stop the others
                log.exception("background job %s failed", job.name)

    return asyncio.get_running_loop().create_task(loop())


# pg_advisory_lock key of the scheduler: "owsc" (a constant no other code uses)
SCHEDULER_LOCK_KEY = 0x6F77_7363


class _FileLock:
    def __init__(self, f):
        self.f = f

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        self.f.close()  # releases the flock


class _AdvisoryLock:
    """Held by a connection of its own: no pool connection is tied up, and if this process or its
    connection dies, PostgreSQL releases the lock and another server takes the jobs over."""

    def __init__(self, conn):
        self.conn = conn

    async def held(self) -> bool:
        if self.conn.is_closed():
            return False
        try:
            return bool(await self.conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND objid = $1 AND granted", SCHEDULER_LOCK_KEY))
        except Exception:  # noqa: BLE001 - a broken connection means the lock is gone with it
            return False

    async def release(self) -> None:
        if not self.conn.is_closed():
            await self.conn.close()  # ends the session, which releases its advisory locks


async def scheduler_lock(settings: Settings):
    """This process's scheduler lock, or None when another process holds it."""
    if not settings.database_url.startswith("postgresql"):
        f = _scheduler_lock(settings)
        return None if f is None else _FileLock(f)
    import asyncpg

    try:
        conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    except (OSError, asyncpg.PostgresError):
        log.warning("scheduler election: database unreachable; trying again")
        return None
    if await conn.fetchval("SELECT pg_try_advisory_lock($1)", SCHEDULER_LOCK_KEY):
        return _AdvisoryLock(conn)
    await conn.close()
    return None


def _scheduler_lock(settings: Settings):
    """One scheduler per data folder: with several workers only the one holding this lock runs the
    jobs; the lock goes with its process, and another worker takes over within 30 s."""
    import fcntl

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    f = open(settings.data_dir / "scheduler.lock", "a+")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    return f


def app_from_env() -> Starlette:
    """The factory uvicorn workers call (`outfallwatch serve --workers N`)."""
    return create_app(Settings.from_env())


def tune_gc() -> None:
    """A GraphQL response makes thousands of short-lived objects; with the default gen-0 threshold
    (700) the collector ran many times per request and scanned every long-lived object of the process
    (performance.md: GC off tripled throughput). Start-up objects are frozen out of its reach, and
    young collections happen every 20k allocations instead; reference cycles are still collected."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    services = services or build_services(settings)
    from server.images.process import set_concurrency

    set_concurrency(settings.image_concurrency)
    schema = create_schema(settings)
    routes = all_routes(services, schema)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if services.store is not None:
            await services.store.ensure_ready()
        if services.events is not None:
            await services.events.start()
        jobs = start_background_jobs(services) if settings.background_jobs else None
        if settings.tune_gc:
            tune_gc()
        yield
        if jobs is not None:
            jobs.cancel()
        if services.events is not None:
            await services.events.stop()
        if services.counters is not None:
            await services.counters.close()
        await services.db.dispose()

    # Outermost first: the size cap bounds what the depth guard reads, which runs before anything parses.
    middleware = [Middleware(BodyLimit, max_bytes=settings.max_body_bytes), Middleware(DepthGuard)]
    if settings.response_cache:
        middleware.append(Middleware(ResponseCache, services=services))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.services = services
    app.state.schema = schema
    return app
