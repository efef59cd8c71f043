"""Data-versioned response cache for the hot read queries (the map, stats, reference lists).

performance.md: executing 500 nodes x 15 fields costs ~120 ms of Python per request. The map
changes far less often than it is read, so its serialized response is kept per (document,
variables, the caller's visibility, data version). A hit still authenticates the caller (revoked
tokens and rate limits apply) and reads the version: two primary-key lookups, then bytes.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict
from functools import lru_cache

from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode,
                     parse)
from graphql.error import GraphQLError
from sqlalchemy.exc import SQLAlchemyError

from server.areas import CACHED_ROOTS, READS, UNCACHEABLE, WATCHED
from server.areas.area import MEDIA
from server.domain import data_version
from server.domain.errors import DomainError
from server.web.auth import authenticate, bearer

# All three from the areas' declarations (server/areas); tests/server/api/test_cache_declarations.py
# fails when a field the cache may serve reads a table the data version does not watch.
ROOTS = CACHED_ROOTS
# By name, wherever it appears: anything time-dependent, signed, or drawn from unwatched tables.
UNCACHEABLE_FIELDS = frozenset(f.rsplit(".", 1)[1] for f in UNCACHEABLE)
# Fields that read the tables of data-version row 2 (media, measurements): their answers are keyed by it too.
MEDIA_FIELDS = frozenset(k.rsplit(".", 1)[1] for k, tables in READS.items()
                         if "." in k and any(WATCHED.get(t) == MEDIA for t in tables))


def cacheable(query: str, operation_name: str | None) -> bool:
    return plan(query, operation_name) is not None


@lru_cache(maxsize=512)
def plan(query: str, operation_name: str | None) -> bool | None:
    """None when the query may not be cached; else whether it reads media or measurements."""
    try:
        doc = parse(query, max_tokens=4000)
    except GraphQLError:
        return None
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    frags = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    if len(ops) != 1 or ops[0].operation.value != "query":
        return None
    roots = [s for s in ops[0].selection_set.selections]
    if not all(isinstance(s, FieldNode) and s.name.value in ROOTS for s in roots):
        return None
    seen: set[str] = set()
    reads_media = False

    def ok(selection_set) -> bool:
        nonlocal reads_media
        for s in selection_set.selections if selection_set else ():
            if isinstance(s, FieldNode):
                reads_media = reads_media or s.name.value in MEDIA_FIELDS
                if s.name.value in UNCACHEABLE_FIELDS or s.name.value.startswith("__") or not ok(s.selection_set):
                    return False
            elif isinstance(s, InlineFragmentNode):
                if not ok(s.selection_set):
                    return False
            elif isinstance(s, FragmentSpreadNode):
                name = s.name.value
                if name not in frags:
                    return False
                if name not in seen:
                    seen.add(name)
                    if not ok(frags[name].selection_set):
                        return False
        return True

    return reads_media if ok(ops[0].selection_set) else None


class ResponseCache:
    """Least recently used answers, at most `max_bytes` of them in all; one larger than `max_entry_bytes`
    is served and not kept (it would push out hundreds of ordinary map pages for one rare request)."""

    def __init__(self, app, services, *, max_bytes: int | None = None, max_entry_bytes: int | None = None):
        s = services.settings
        self.app, self.services = app, services
        self.max_bytes = s.response_cache_bytes if max_bytes is None else max_bytes
        self.max_entry_bytes = min(self.max_bytes, s.response_cache_entry_bytes if max_entry_bytes is None
                                   else max_entry_bytes)
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0  # bytes held in entries
        # Single flight: identical misses wait for the one computation in progress instead of each
        # executing the query. Under steady writes every version change is a miss; without this,
        # sixteen screens asking for the same map all pay the ~80 ms execution at once.
        self.inflight: dict[str, asyncio.Future] = {}
        self.hits = self.misses = self.shared = self.oversized = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/graphql":
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            msg = await receive()
            body += msg.get("body", b"")
            more = msg.get("more_body", False)

        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()  # only a disconnect can come after the body
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        key, actor = await self._key(scope, body)
        if actor is not None:  # the inner app need not authenticate the same token again
            scope.setdefault("state", {})["actor"] = actor
        if key is not None and key in self.entries:
            self.entries.move_to_end(key)
            self.hits += 1
            return await _send_json(send, self.entries[key])
        if key is None:
            return await self.app(scope, replay, send)
        leader = self.inflight.get(key)
        if leader is not None:
            payload = await asyncio.shield(leader)
            if payload is not None:
                self.shared += 1
                return await _send_json(send, payload, b"shared")
            return await self.app(scope, replay, send)  # the leader's answer was not cacheable
        self.misses += 1
        mine = self.inflight[key] = asyncio.get_running_loop().create_future()
        captured: list[dict] = []

        async def capture(msg):
            captured.append(msg)
            await send(msg)

        payload = None
        try:
            await self.app(scope, replay, capture)
            start = next((m for m in captured if m["type"] == "http.response.start"), None)
            body_ = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
            if start and start["status"] == 200 and b'"errors"' not in body_:
                payload = body_
                self._keep(key, payload)
        finally:
            del self.inflight[key]
            mine.set_result(payload)

    def _keep(self, key: str, payload: bytes) -> None:
        if len(payload) > self.max_entry_bytes:
            self.oversized += 1
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old)
        self.entries[key] = payload
        self.size += len(payload)
        while self.size > self.max_bytes:
            self.size -= len(self.entries.popitem(last=False)[1])

    async def _key(self, scope, body: bytes):
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers") or []}
        if not headers.get("content-type", "").startswith("application/json"):
            return None, None
        try:
            req = json.loads(body)
            query, variables, op = req["query"], req.get("variables") or {}, req.get("operationName")
        except (ValueError, KeyError, TypeError):
            return None, None
        if not isinstance(query, str):
            return None, None
        reads_media = plan(query, op)
        if reads_media is None:
            return None, None
        token = bearer(headers)
        if not token:
            return None, None
        client = scope.get("client")
        try:
            async with self.services.db.session() as s:
                actor = await authenticate(self.services, s, token, client[0] if client else None)
                version = await data_version.current(s, with_media=reads_media)
        except (DomainError, SQLAlchemyError):
            return None, None  # let the real path answer with the error (a busy pool included)
        if version is None:
            return None, actor
        # What the caller may see: district roles see their own district's inspections.
        visibility = actor.district_code if actor.role in ("INSPECTOR", "DISTRICT_OFFICER") else "city"
        raw = json.dumps([query, variables, op, visibility, version], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest(), actor


async def _send_json(send, payload: bytes, how: bytes = b"hit") -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"x-cache", how)]})
    await send({"type": "http.response.body", "body": payload})
