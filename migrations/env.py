"""Alembic environment: runs on a connection handed in by server.migrate, or on its own."""
from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from server.models import metadata

config = context.config


def render_item(type_, obj, autogen_context):
    # Our UTCDateTime is a TypeDecorator over DateTime(timezone=True): migrations need only the latter.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_item=render_item,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        run(conn)
        return
    from server.settings import Settings

    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url

    async def go():
        engine = create_async_engine(url)
        async with engine.begin() as c:
            await c.run_sync(run)
        await engine.dispose()

    asyncio.run(go())


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported; run `outfallwatch migrate`")
main()
