"""Shared fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL, and the app."""
from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from server.db import Database
from server.settings import Settings

PG_URL = os.environ.get("OUTFALLWATCH_TEST_DATABASE_URL")
PG_SKIP = "PostgreSQL tests skipped: set OUTFALLWATCH_TEST_DATABASE_URL (see .ci/run)"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP))]


async def _migrate_and_load(url: str) -> None:
    from server.migrate import prepare

    await prepare(url)


async def _reset_pg(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as c:
            await c.execute(text("DROP SCHEMA public CASCADE"))
            await c.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


def run_in_thread(coro_fn, *args):
    """Run a coroutine to completion on its own loop (session fixtures may be built inside a running one)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, coro_fn(*args)).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    run_in_thread(_migrate_and_load, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    run_in_thread(_reset_pg, PG_URL)
    run_in_thread(_migrate_and_load, PG_URL)
    return PG_URL


async def truncate_pg(db: Database) -> None:
    async with db.engine.begin() as c:
        tables = [r[0] for r in await c.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename NOT IN ('alembic_version','districts','rivers','data_version')"))]
        if tables:
            await c.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        # A test may delete the version rows (no caching without them); put them back.
        await c.execute(text("INSERT INTO data_version (id, v) VALUES (1, 0), (2, 0) ON CONFLICT (id) DO NOTHING"))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
async def settings(backend, tmp_path, request) -> Settings:
    if backend == "sqlite":
        db_path = tmp_path / "outfallwatch.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), db_path)
        url = f"sqlite+aiosqlite:///{db_path}"
    else:
        url = request.getfixturevalue("pg_migrated")
    return Settings(data_dir=tmp_path, database_url=url, secret_key="test-secret-" + "x" * 32,
                    public_url="http://testserver", background_jobs=False).resolved()


@pytest.fixture
async def db(settings) -> Database:
    d = Database(settings.database_url)
    if d.dialect == "postgresql":
        await truncate_pg(d)
    yield d
    await d.dispose()
