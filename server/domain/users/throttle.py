"""Sign-in throttling and per-token rate limits: sliding windows in process memory.

Per worker process: with N workers an attacker gets at most N times the budget, which still
turns a password-guessing run from seconds into years. (Redis would make it global.)
"""
from __future__ import annotations

import math
import time
from collections import defaultdict, deque

from server.domain.errors import RateLimited


class Window:
    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self.hits: dict[str, deque] = defaultdict(deque)

    def _trim(self, key: str, now: float) -> deque:
        q = self.hits[key]
        while q and q[0] <= now - self.seconds:
            q.popleft()
        return q

    def check(self, key: str, what: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        q = self._trim(key, now)
        if len(q) >= self.limit:
            retry = max(1, math.ceil(q[0] + self.seconds - now))
            raise RateLimited(f"too many {what}; try again in {retry} s", retryAfter=retry)

    def hit(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._trim(key, now).append(now)

    def clear(self, key: str) -> None:
        self.hits.pop(key, None)


class LoginThrottle:
    """Failed sign-ins: 5 per username and 20 per client address per 15 minutes."""

    def __init__(self, per_user: int = 5, per_addr: int = 20, seconds: float = 900):
        self.user, self.addr = Window(per_user, seconds), Window(per_addr, seconds)

    def check(self, username: str, addr: str | None) -> None:
        self.user.check(username.lower(), "failed sign-ins for this user")
        if addr:
            self.addr.check(addr, "failed sign-ins from this address")

    def failed(self, username: str, addr: str | None) -> None:
        self.user.hit(username.lower())
        if addr:
            self.addr.hit(addr)

    def succeeded(self, username: str) -> None:
        self.user.clear(username.lower())
