"""Apply Alembic migrations from inside the app (same connection, no second event loop)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations

from server.db import Database


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return cfg


async def _run(db: Database, step, revision: str) -> None:
    def go(conn):
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        step(cfg, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(go)


async def upgrade(db: Database, revision: str = "head") -> None:
    await _run(db, command.upgrade, revision)


async def downgrade(db: Database, revision: str = "base") -> None:
    await _run(db, command.downgrade, revision)


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration in migrations/versions")
    return head


async def prepare(url: str) -> tuple[str | None, int, int]:
    """Migrate the database at `url` to head and load the reference data (districts, rivers):
    what `outfallwatch migrate`, the test fixtures and the benchmarks all start from.
    Returns (revision, districts, rivers)."""
    from server.domain.geo.service import load_reference_data

    db = Database(url)
    try:
        await upgrade(db)
        async with db.transaction() as s:
            nd, nr = await load_reference_data(session=s)
        return await current_revision(db), nd, nr
    finally:
        await db.dispose()
