"""Async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""
from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, AsyncIterator, Protocol

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import Insert as PgInsert, insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert, insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


WRITE = "outfallwatch_write"  # execution option: this connection's transaction will write


def make_engine(url: str, *, statement_timeout_ms: int | None = None, **kw) -> AsyncEngine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            from pathlib import Path

            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kw)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):  # foreign keys are off by default in SQLite
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # pysqlite's own transaction handling emits BEGIN only before INSERT/UPDATE/DELETE, so a
            # SAVEPOINT (begin_nested) opened the transaction and its RELEASE committed it: half a
            # mutation survived a later failure. Take that job away from the driver (SQLAlchemy's
            # documented recipe) and begin every transaction ourselves, in _begin below.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):
            # A write transaction takes the write lock up front: a deferred one that read first could
            # not upgrade after another writer committed (SQLITE_BUSY at once, busy_timeout or not).
            # On the driver's cursor, not exec_driver_sql: BEGIN is no statement of ours to count or log.
            cur = conn.connection.dbapi_connection.cursor()
            cur.execute("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")
            cur.close()

        return engine
    kw.setdefault("pool_size", 10)
    kw.setdefault("max_overflow", 10)
    kw.setdefault("pool_pre_ping", True)
    if statement_timeout_ms:
        # PostgreSQL cancels any statement running longer, so no query can hold a connection (and
        # the locks it took) for minutes; the server answers the cancellation as a clear error.
        kw["connect_args"] = {**kw.get("connect_args", {}),
                              "server_settings": {"statement_timeout": str(int(statement_timeout_ms))}}
    return create_async_engine(url, **kw)


class Sessions(Protocol):
    """What hands out sessions: the process's Database, or one request's RequestDatabase (which caps how
    many it holds at once). Code that only opens sessions takes this, so a request's cap applies to it."""

    @property
    def url(self) -> str: ...

    def session(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    def read_session(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class Database:
    """Owns the engine; hands out sessions. One per process."""

    def __init__(self, url: str, **kw):
        self.url = url
        self.engine = make_engine(url, **kw)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self._writer = async_sessionmaker(self.engine.execution_options(**{WRITE: True}),
                                          expire_on_commit=False, class_=AsyncSession)
        # One SELECT needs no transaction around it: on PostgreSQL, BEGIN and ROLLBACK would be two of
        # its three round trips (the third is the statement itself, beside the pool's ping).
        self._reader = async_sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                          expire_on_commit=False, class_=AsyncSession) \
            if self.engine.dialect.name == "postgresql" else self.sessionmaker

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as s:
            yield s

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for a single read statement (the DataLoaders' batches): no transaction around it
        on PostgreSQL. Never for writes, nor for reads that must see one snapshot together."""
        async with self._reader() as s:
            yield s

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error,
        savepoints (begin_nested) included, on SQLite as on PostgreSQL."""
        async with self._writer() as s:
            async with s.begin():
                yield s

    async def dispose(self) -> None:
        await self.engine.dispose()

    def for_request(self, max_sessions: int) -> "RequestDatabase":
        return RequestDatabase(self, max_sessions)

    @classmethod
    def from_settings(cls, settings) -> "Database":
        """The server's database: PostgreSQL gets the pool bounds and statement timeout of the settings."""
        if make_url(settings.database_url).get_backend_name() == "sqlite":
            return cls(settings.database_url)
        return cls(settings.database_url, pool_size=settings.pool_size, max_overflow=settings.pool_overflow,
                   pool_timeout=settings.pool_timeout_s, statement_timeout_ms=settings.statement_timeout_ms)


class RequestDatabase:
    """The process's Database as one request sees it: at most `max_sessions` sessions at once.

    GraphQL runs sibling fields concurrently, so thirty aliases would otherwise take thirty pooled
    connections and starve every other request (issue 12). Extra sessions wait for this request's
    own turn instead; a session opened inside another in the same task is not counted again, so a
    nested open cannot deadlock the request against itself.
    """

    def __init__(self, db: Database, max_sessions: int):
        self.db = db
        self._slots = asyncio.Semaphore(max(1, max_sessions))
        self._held: dict[asyncio.Task | None, int] = {}

    def __getattr__(self, name):  # engine, dialect, sessionmaker: the process's own
        return getattr(self.db, name)

    @property
    def url(self) -> str:
        return self.db.url

    @asynccontextmanager
    async def _slot(self):
        task = asyncio.current_task()
        nested = self._held.get(task, 0) > 0
        if not nested:
            await self._slots.acquire()
        self._held[task] = self._held.get(task, 0) + 1
        try:
            yield
        finally:
            self._held[task] -= 1
            if not self._held[task]:
                del self._held[task]
                self._slots.release()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._slot(), self.db.session() as s:
            yield s

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self._slot(), self.db.read_session() as s:
            yield s

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._slot(), self.db.transaction() as s:
            yield s


def dialect_of(session: AsyncSession) -> str:
    """The session's database: "postgresql" or "sqlite"."""
    return session.get_bind().dialect.name


def upsert(session: AsyncSession, table: Any) -> PgInsert | SqliteInsert:
    """An INSERT for `table` that takes ON CONFLICT clauses (`on_conflict_do_nothing`/`_do_update`,
    `excluded`): the two dialects spell them alike, but each has its own construct."""
    return (pg_insert if dialect_of(session) == "postgresql" else sqlite_insert)(table)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. Session.execute is typed to return a Result; for a
    DML statement it is a CursorResult, the one that counts rows."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"rowcount of a {type(result).__name__}: only an UPDATE or DELETE result has one")
    return result.rowcount
