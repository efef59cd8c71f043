"""Password-guessing throttles and per-token rate limits, shared by every worker and machine.

Sign-in (and every other password check) follows OWASP's guidance instead of a hard lock that any
stranger could trigger against any user:
- the attempt is counted atomically BEFORE the password is verified, so a burst of concurrent
  guesses gets no more checks than the budget (issue 12: 143 of 200 were checked with limit 5);
- it is counted per (username, client address) and per client address: a stranger guessing from
  elsewhere slows down only himself, and the owner signing in from his own address is not held;
- past a free budget each further attempt waits a delay that doubles (1 s, 2 s, 4 s ... 15 min);
- a success clears the (username, address) counter and gives the address its attempt back;
  counters lapse after `window_s` of quiet.

The counters live in the database (a `rate_counters` row per key, updated by compare-and-set, the
same on SQLite and PostgreSQL) or in Redis when configured; never in process memory.
"""
from __future__ import annotations

import math
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Column, Float, Integer, String, delete, select, update
from server.db import upsert
from sqlmodel import Field, SQLModel, col

from server.domain.errors import RateLimited


class RateCounter(SQLModel, table=True):
    """One throttle or rate-limit counter. Times are epoch seconds (one meaning on every dialect)."""

    __tablename__ = "rate_counters"
    key: str = Field(sa_column=Column(String(200), primary_key=True))
    n: int = Field(sa_column=Column(Integer, nullable=False))
    first_at: float = Field(sa_column=Column(Float, nullable=False))
    last_at: float = Field(sa_column=Column(Float, nullable=False))
    next_at: float = Field(sa_column=Column(Float, nullable=False))


@dataclass(frozen=True)
class Rule:
    """`free` attempts per key, then a delay doubling from `base_s` up to `cap_s` between attempts."""

    prefix: str
    free: int
    base_s: float = 1.0
    cap_s: float = 900.0

    def next_at(self, n: int, now: float) -> float:
        if n < self.free:
            return now
        return now + min(self.cap_s, self.base_s * 2 ** min(n - self.free, 30))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class CounterStore(Protocol):
    async def attempt(self, keys: list[tuple[Rule, str]], now: float, window_s: float) -> Verdict: ...
    async def clear(self, key: str) -> None: ...
    async def refund(self, rule: Rule, key: str) -> None: ...
    async def hit(self, key: str, window_s: float, now: float) -> int: ...
    async def close(self) -> None: ...


class SqlCounters:
    """Counters in the `rate_counters` table, updated by compare-and-set: no row lock is held while a
    password is verified, and SQLite (one writer) and PostgreSQL behave alike."""

    def __init__(self, db, retries: int = 50):
        self.db, self.retries = db, retries

    async def attempt(self, keys, now, window_s):
        for _ in range(self.retries):
            async with self.db.session() as s:
                rows = {r.key: r for r in (await s.execute(
                    select(RateCounter).where(col(RateCounter.key).in_([k for _, k in keys])))).scalars()}
            wait = 0.0
            for _, key in keys:
                row = rows.get(key)
                if row is not None and now - row.last_at <= window_s and now < row.next_at:
                    wait = max(wait, row.next_at - now)
            if wait:
                return Verdict(False, max(1, math.ceil(wait)))
            try:
                async with self.db.transaction() as s:
                    for rule, key in keys:
                        row = rows.get(key)
                        n = 1 if row is None or now - row.last_at > window_s else row.n + 1
                        await _set(s, row, key=key, n=n, first_at=now if n == 1 else row.first_at, last_at=now,
                                   next_at=rule.next_at(n, now))
                return Verdict(True)
            except _Lost:
                continue  # a concurrent attempt counted first: judge again on the new values
        return Verdict(False, 1)  # lost the race this often: a burst is under way, so wait

    async def clear(self, key):
        async with self.db.transaction() as s:
            await s.execute(delete(RateCounter).where(col(RateCounter.key) == key))

    async def refund(self, rule, key):
        """Take back one counted attempt (it turned out to be a good password)."""
        for _ in range(self.retries):
            async with self.db.session() as s:
                row = (await s.execute(select(RateCounter).where(col(RateCounter.key) == key))).scalar_one_or_none()
            if row is None or row.n <= 0:
                return
            try:
                async with self.db.transaction() as s:
                    n = row.n - 1
                    await _set(s, row, key=key, n=n, first_at=row.first_at, last_at=row.last_at,
                               next_at=rule.next_at(n, row.last_at))
                return
            except _Lost:
                continue

    async def hit(self, key, window_s, now):
        """Requests in the current fixed window of `window_s`, this one included."""
        start = math.floor(now / window_s) * window_s
        for _ in range(self.retries):
            async with self.db.session() as s:
                row = (await s.execute(select(RateCounter).where(col(RateCounter.key) == key))).scalar_one_or_none()
            n = 1 if row is None or row.first_at < start else row.n + 1
            try:
                async with self.db.transaction() as s:
                    await _set(s, row, key=key, n=n, first_at=start, last_at=now, next_at=now)
                return n
            except _Lost:
                continue
        return 10**9  # endless contention on one token: treat as over the limit

    async def close(self):
        return None


class _Lost(Exception):
    """A compare-and-set found the row changed since it was read."""


async def _set(s, row, **values) -> None:
    """Write the counter if it is still as read (`row`, or absent); else raise _Lost."""
    if row is None:
        res = await s.execute(upsert(s, RateCounter).values(**values).on_conflict_do_nothing())
    else:
        res = await s.execute(update(RateCounter).where(
            col(RateCounter.key) == row.key, col(RateCounter.n) == row.n, col(RateCounter.last_at) == row.last_at).values(**values))
    if res.rowcount != 1:
        raise _Lost


# KEYS: the counters; ARGV: now, window, then free, base, cap per key. All keys are judged first
# and then all counted, in one script: Redis runs it atomically.
_ATTEMPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'n', 'last', 'next')
  if v[1] and now - tonumber(v[2]) <= window and now < tonumber(v[3]) then
    wait = math.max(wait, tonumber(v[3]) - now)
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local free, base, cap = tonumber(ARGV[3*i]), tonumber(ARGV[3*i+1]), tonumber(ARGV[3*i+2])
  local v = redis.call('HMGET', key, 'n', 'last')
  local n = 1
  if v[1] and now - tonumber(v[2]) <= window then n = tonumber(v[1]) + 1 end
  local nxt = now
  if n >= free then nxt = now + math.min(cap, base * 2 ^ math.min(n - free, 30)) end
  redis.call('HSET', key, 'n', n, 'last', now, 'next', nxt)
  redis.call('EXPIRE', key, math.ceil(window + cap))
end
return '0'
"""


_REFUND = """
local v = redis.call('HMGET', KEYS[1], 'n', 'last')
if not v[1] or tonumber(v[1]) <= 0 then return 0 end
local n, last = tonumber(v[1]) - 1, tonumber(v[2])
local free, base, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local nxt = last
if n >= free then nxt = last + math.min(cap, base * 2 ^ math.min(n - free, 30)) end
redis.call('HSET', KEYS[1], 'n', n, 'next', nxt)
return n
"""


class RedisCounters:
    """Counters in Redis: the judging and counting of an attempt is one Lua script, so atomic."""

    def __init__(self, url: str, prefix: str = "outfallwatch:", max_connections: int = 20):
        import redis.asyncio as redis

        # A bounded pool that waits for a free connection (the default one fails at once when full).
        self.r = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=5))
        self.prefix = prefix
        self._attempt = self.r.register_script(_ATTEMPT)
        self._refund = self.r.register_script(_REFUND)

    async def attempt(self, keys, now, window_s):
        args = [now, window_s]
        for rule, _ in keys:
            args += [rule.free, rule.base_s, rule.cap_s]
        async with _unavailable_is_busy():
            wait = float(await self._attempt(keys=[self.prefix + k for _, k in keys], args=args))
        return Verdict(True) if wait <= 0 else Verdict(False, max(1, math.ceil(wait)))

    async def clear(self, key):
        async with _unavailable_is_busy():
            await self.r.delete(self.prefix + key)

    async def refund(self, rule, key):
        async with _unavailable_is_busy():
            await self._refund(keys=[self.prefix + key], args=[rule.free, rule.base_s, rule.cap_s])

    async def hit(self, key, window_s, now):
        k = f"{self.prefix}{key}:{math.floor(now / window_s)}"
        async with _unavailable_is_busy():
            async with self.r.pipeline(transaction=True) as p:
                n, _ = await p.incr(k).expire(k, math.ceil(window_s) + 1).execute()
        return int(n)

    async def close(self):
        await self.r.aclose()


@asynccontextmanager
async def _unavailable_is_busy():
    """Without its counters a password check cannot be judged: refuse it, clearly and retryably."""
    from redis.exceptions import RedisError

    try:
        yield
    except RedisError as e:
        raise RateLimited(f"the throttle store is unavailable ({type(e).__name__}); try again shortly",
                          retryAfter=5, reason="BUSY") from None


def make_counters(settings, db) -> CounterStore:
    if settings.throttle_store == "redis":
        return RedisCounters(settings.redis_url)
    return SqlCounters(db)


class PasswordThrottle:
    """Every password check goes through `check`: sign-in and password change alike."""

    def __init__(self, store: CounterStore, *, per_user_addr: int = 5, per_addr: int = 20,
                 window_s: float = 900.0, cap_s: float = 900.0, clock=time.time):
        self.store, self.window_s, self.clock = store, window_s, clock
        self.user_addr = Rule("pw:ua", per_user_addr, cap_s=cap_s)
        self.addr = Rule("pw:a", per_addr, cap_s=cap_s)

    def _keys(self, username: str, addr: str | None) -> list[tuple[Rule, str]]:
        a = addr or "-"
        return [(self.user_addr, f"pw:ua:{username.strip().lower()}|{a}"), (self.addr, f"pw:a:{a}")]

    async def before_check(self, username: str, addr: str | None) -> None:
        """Count this attempt, or refuse it with RATE_LIMITED and the seconds to wait."""
        v = await self.store.attempt(self._keys(username, addr), self.clock(), self.window_s)
        if not v.allowed:
            raise RateLimited(f"too many password attempts from this address; try again in {v.retry_after} s",
                              retryAfter=v.retry_after)

    async def succeeded(self, username: str, addr: str | None) -> None:
        """A good password: the pair starts afresh, and the address gets its attempt back (an office
        behind one NAT address signs in all morning without using up the address's budget)."""
        (_, pair), (rule, address) = self._keys(username, addr)
        await self.store.clear(pair)
        await self.store.refund(rule, address)


class TokenRateLimit:
    """Requests per API token per fixed window (one minute by default), counted across machines."""

    def __init__(self, store: CounterStore, limit: int = 600, window_s: float = 60.0, clock=time.time):
        self.store, self.limit, self.window_s, self.clock = store, limit, window_s, clock

    async def hit(self, token_id: int) -> None:
        now = self.clock()
        n = await self.store.hit(f"tok:{token_id}", self.window_s, now)
        if n > self.limit:
            retry = max(1, math.ceil(self.window_s - now % self.window_s))
            raise RateLimited(f"too many requests for this API token; try again in {retry} s", retryAfter=retry)
