"""Task events to live subscribers: in-process for one server, PostgreSQL LISTEN/NOTIFY across many."""
from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator
from typing import Any

log = logging.getLogger("outfallwatch.events")
CHANNEL = "outfallwatch_task_events"


def event_dict(ev) -> dict:
    return {"id": ev.id, "task_id": ev.task_id, "type": ev.type, "district_code": ev.district_code,
            "at": ev.at.isoformat()}


class Subscription:
    """One subscriber's announcements of events, newest last. Bounded: past `limit` pending it keeps
    only the fact that it missed some, so a stalled subscriber costs no memory. That loses nothing:
    subscribers read the events themselves from the durable log, from the last one they delivered;
    an announcement only says when to look (and whose district it concerns)."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)  # a full queue is never empty, so a dropped announcement still wakes it
        self._q: asyncio.Queue[dict] = asyncio.Queue()
        self.missed = False

    def push(self, d: dict) -> None:
        if self._q.qsize() < self.limit:
            self._q.put_nowait(d)
        else:
            self.missed = True

    async def get(self) -> dict:
        return await self._q.get()

    def qsize(self) -> int:
        return self._q.qsize()

    async def wait(self, timeout: float) -> tuple[list[dict], bool]:
        """Wait up to `timeout` for an announcement, then take all that are pending; with them, whether
        any were dropped since the last call (then every event may concern the subscriber)."""
        got: list[dict] = []
        try:
            got.append(await asyncio.wait_for(self._q.get(), timeout))
        except asyncio.TimeoutError:
            pass
        while not self._q.empty():
            got.append(self._q.get_nowait())
        missed, self.missed = self.missed, False
        return got, missed


class MemoryBroker:
    def __init__(self, queue_limit: int = 1000):
        self.queue_limit = queue_limit
        self._subs: set[Subscription] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, ev) -> None:
        self._fanout(event_dict(ev) if not isinstance(ev, dict) else ev)

    def _fanout(self, d: dict) -> None:
        for q in list(self._subs):
            q.push(d)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        q = Subscription(self.queue_limit)
        self._subs.add(q)
        try:
            yield q
        finally:
            self._subs.discard(q)


class PostgresBroker(MemoryBroker):
    """Every process LISTENs; publishing is a NOTIFY, so every worker's subscribers see every event."""

    def __init__(self, dsn: str):
        super().__init__()
        self.dsn = dsn.replace("postgresql+asyncpg://", "postgresql://")
        # asyncpg connections (asyncpg ships no type information), opened by start()
        self._listen: Any = None
        self._send: Any = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        import asyncpg

        self._listen = await asyncpg.connect(self.dsn)
        await self._listen.add_listener(CHANNEL, self._on_notify)
        self._send = await asyncpg.connect(self.dsn)

    async def stop(self) -> None:
        for c in (self._listen, self._send):
            if c is not None:
                await c.close()

    def _on_notify(self, conn, pid, channel, payload: str) -> None:
        try:
            self._fanout(json.loads(payload))
        except ValueError:
            log.warning("ignored a malformed task event notification")

    async def publish(self, ev) -> None:
        d = event_dict(ev) if not isinstance(ev, dict) else ev
        async with self._lock:
            await self._send.execute("SELECT pg_notify($1, $2)", CHANNEL, json.dumps(d))


def make_broker(settings):
    if settings.events == "postgres" or (settings.events == "auto" and settings.database_url.startswith("postgresql")):
        return PostgresBroker(settings.database_url)
    return MemoryBroker()
