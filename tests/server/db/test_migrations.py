"""Migrations: empty -> head matches the models exactly; head -> base leaves nothing."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from server.db import Database
from server.migrate import current_revision, downgrade, head_revision, upgrade
from server.models import metadata
from tests.conftest import PG_SKIP, PG_URL


def _diff(sync_conn):
    ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
    return compare_metadata(ctx, metadata)


async def _roundtrip(url: str):
    db = Database(url)
    try:
        await upgrade(db)
        assert await current_revision(db) == head_revision()
        async with db.engine.connect() as c:
            assert await c.run_sync(_diff) == []
        await downgrade(db, "base")
        async with db.engine.connect() as c:
            left = await c.run_sync(lambda sc: [t for t in inspect(sc).get_table_names() if t != "alembic_version"])
        assert left == []
        await upgrade(db)  # and back up again: downgrades leave an upgradable database
        assert await current_revision(db) == head_revision()
    finally:
        await db.dispose()


async def test_sqlite_roundtrip(tmp_path):
    await _roundtrip(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


@pytest.mark.skipif(not PG_URL, reason=PG_SKIP)
async def test_postgres_roundtrip():
    name = f"ow_mig_{uuid.uuid4().hex[:8]}"
    admin = Database(str(make_url(PG_URL).set(database="postgres")), isolation_level="AUTOCOMMIT")
    async with admin.engine.connect() as c:
        await c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        await _roundtrip(str(make_url(PG_URL).set(database=name)))
    finally:
        async with admin.engine.connect() as c:
            await c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
