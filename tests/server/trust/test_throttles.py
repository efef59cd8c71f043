"""Issue 12 item 3: password throttles that hold under a race and cannot be used against users.

Counted before the check, per (username, address) and per address, with growing delays; shared
counters in the database or in Redis (the real one on 127.0.0.1:6379), never process memory.
"""
from __future__ import annotations

import asyncio
import os
import uuid

import httpx
import pytest

from server.app import create_app
from server.domain.users import service
from server.domain.users.throttle import PasswordThrottle, Rule, SqlCounters, TokenRateLimit
from server.events.broker import MemoryBroker
from server.web.wiring import Services

LOGIN = "mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}"
CHANGE = "mutation($o:String!,$n:String!){changePassword(oldPassword:$o,newPassword:$n){token}}"
REDIS_URL = os.environ.get("OUTFALLWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def redis_counters():
    import redis

    from server.domain.users.throttle import RedisCounters

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return RedisCounters(REDIS_URL, prefix=f"outfallwatch-test:{uuid.uuid4().hex}:")


@pytest.fixture(params=["sql", "redis"])
def counters(request, db):
    return SqlCounters(db) if request.param == "sql" else redis_counters()


@pytest.fixture
def checks(monkeypatch):
    """Counts real password verifications."""
    seen = []
    real = service._verify

    async def counted(hash_, password):
        seen.append(password)
        return await real(hash_, password)

    monkeypatch.setattr(service, "_verify", counted)
    return seen


def client_at(app, addr: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(addr, 4000)), base_url="http://t")


async def login(c: httpx.AsyncClient, username: str, password: str) -> dict:
    r = await c.post("/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}})
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_burst_of_wrong_passwords_gets_only_the_budget_checked(settings, db, users, counters, checks):
    # The clock stands still during the burst: past the budget, delays grow (1 s, 2 s, ...), and a
    # slow machine would otherwise see a legitimate extra attempt after the first second.
    frozen = PasswordThrottle(counters, clock=lambda: 1_500_000.0)
    app = create_app(settings, services=Services(settings=settings, db=db, events=MemoryBroker(),
                                                 counters=counters, throttle=frozen))
    try:
        async with client_at(app, "203.0.113.9") as attacker:
            answers = await asyncio.gather(*(login(attacker, "supervisor", f"guess-{i}") for i in range(200)))
        codes = [a["errors"][0]["extensions"]["code"] for a in answers]
        assert set(codes) <= {"UNAUTHENTICATED", "RATE_LIMITED"}, set(codes)
        assert len(checks) <= 5 and codes.count("UNAUTHENTICATED") == len(checks)
        # The owner, from his own address, is not held by the stranger's burst.
        async with client_at(app, "198.51.100.7") as owner:
            assert (await login(owner, "supervisor", "supervisor-demo"))["data"]["login"]["token"]
    finally:
        await counters.close()


async def test_strangers_cannot_lock_out_a_service_account(settings, db, users, checks):
    app = create_app(settings, services=Services(settings=settings, db=db, events=MemoryBroker()))
    for k in range(12):  # twelve addresses, ten wrong guesses each
        async with client_at(app, f"192.0.2.{k + 1}") as stranger:
            for i in range(10):
                body = await login(stranger, "integrator", f"nope-{i}")
                assert body["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "RATE_LIMITED")
    async with client_at(app, "10.8.0.5") as itself:
        assert (await login(itself, "integrator", "integrator-demo"))["data"]["login"]["token"]


async def test_change_password_is_throttled_like_a_sign_in(settings, db, users, checks):
    frozen = PasswordThrottle(SqlCounters(db), clock=lambda: 1_600_000.0)
    app = create_app(settings, services=Services(settings=settings, db=db, events=MemoryBroker(),
                                                 throttle=frozen))
    async with client_at(app, "198.51.100.20") as c:
        token = (await login(c, "inspector", "inspector-demo"))["data"]["login"]["token"]
        checks.clear()
        codes = []
        for i in range(10):
            r = await c.post("/graphql", json={"query": CHANGE, "variables": {"o": f"wrong-{i}", "n": "new-password-1"}},
                             headers={"Authorization": f"Bearer {token}"})
            codes.append(r.json()["errors"][0]["extensions"]["code"])
    assert codes[:5] == ["UNAUTHENTICATED"] * 5 and set(codes[5:]) == {"RATE_LIMITED"}
    assert len(checks) == 5


async def test_delays_grow_then_lapse_and_a_success_clears(counters):
    now = [1_000_000.0]
    t = PasswordThrottle(counters, per_user_addr=3, per_addr=100, window_s=900, clock=lambda: now[0])
    try:
        for _ in range(3):
            await t.before_check("someone", "203.0.113.1")
        waits = []
        for _ in range(4):  # each refusal names the wait; after it, one more attempt is let through
            with pytest.raises(Exception) as refused:
                await t.before_check("someone", "203.0.113.1")
            waits.append(refused.value.extensions["retryAfter"])
            now[0] += waits[-1]
            await t.before_check("someone", "203.0.113.1")
        assert waits == [1, 2, 4, 8]
        await t.before_check("someone", "203.0.113.2")  # another address is not held
        now[0] += 901 + 16  # quiet for longer than the window: the counter lapses
        for _ in range(3):
            await t.before_check("someone", "203.0.113.1")
        await t.succeeded("someone", "203.0.113.1")
        for _ in range(3):
            await t.before_check("someone", "203.0.113.1")
    finally:
        await counters.close()


async def test_the_address_budget_holds_across_usernames(counters):
    now = [2_000_000.0]
    t = PasswordThrottle(counters, per_user_addr=5, per_addr=8, clock=lambda: now[0])
    try:
        for i in range(8):
            await t.before_check(f"user{i}", "203.0.113.50")
        with pytest.raises(Exception) as refused:
            await t.before_check("user99", "203.0.113.50")
        assert refused.value.extensions["code"] == "RATE_LIMITED"
    finally:
        await counters.close()


async def test_good_passwords_do_not_use_up_the_address_budget(counters):
    now = [2_500_000.0]
    t = PasswordThrottle(counters, per_user_addr=5, per_addr=3, clock=lambda: now[0])
    try:
        for i in range(10):  # an office behind one address, everyone signing in
            await t.before_check(f"user{i}", "203.0.113.60")
            await t.succeeded(f"user{i}", "203.0.113.60")
        for i in range(3):
            await t.before_check(f"wrong{i}", "203.0.113.60")
        with pytest.raises(Exception):
            await t.before_check("wrong9", "203.0.113.60")
    finally:
        await counters.close()


async def test_token_rate_limit_is_counted_once_across_two_servers(counters):
    now = [3_000_000.0]
    a, b = TokenRateLimit(counters, limit=4, clock=lambda: now[0]), TokenRateLimit(counters, limit=4,
                                                                                   clock=lambda: now[0])
    try:
        await asyncio.gather(*(srv.hit(7) for srv in (a, b, a, b)))
        with pytest.raises(Exception) as refused:
            await b.hit(7)
        assert refused.value.extensions["code"] == "RATE_LIMITED"
        now[0] += 60
        await a.hit(7)  # the next minute starts afresh
    finally:
        await counters.close()


def test_rule_delays_double_up_to_the_cap():
    r = Rule("x", free=2, base_s=1, cap_s=10)
    assert [r.next_at(n, 0) for n in range(7)] == [0, 0, 1, 2, 4, 8, 10]
