"""Task events to live subscribers: in-process for one server, PostgreSQL LISTEN/NOTIFY across many."""
from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger("outfallwatch.events")
CHANNEL = "outfallwatch_task_events"


def event_dict(ev) -> dict:
    return {"id": ev.id, "task_id": ev.task_id, "type": ev.type, "district_code": ev.district_code,
            "at": ev.at.isoformat()}


class MemoryBroker:
    def __init__(self):
        self._subs: set[asyncio.Queue] = set()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, ev) -> None:
        self._fanout(event_dict(ev) if not isinstance(ev, dict) else ev)

    def _fanout(self, d: dict) -> None:
        for q in list(self._subs):
            if q.qsize() < 1000:  # a stalled subscriber loses events rather than the server's memory
                q.put_nowait(d)

    @asynccontextmanager
    async def subscribe(self):
        q: asyncio.Queue = asyncio.Queue()
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
