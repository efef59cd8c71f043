"""The outbox and its dispatcher: retries with backoff, a crash mid-batch loses nothing and sends nothing
twice per channel, webhooks are signed, the SMS gateway is spoken to over HTTP."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from server.domain.notify.channels import LogChannel, SmsGatewayChannel, WebhookChannel, sign
from server.domain.notify.models import Notification
from server.domain.notify.service import dispatch


async def queue(db, n: int, channel: str = "log"):
    async with db.transaction() as s:
        for i in range(n):
            s.add(Notification(event_key=f"test:{i}", channel=channel, recipient=f"user{i}",
                               payload={"type": "CREATED", "text": f"任务 {i}"}))


async def rows(db):
    async with db.session() as s:
        return list((await s.execute(select(Notification).order_by(Notification.id))).scalars())


class Flaky:
    """Fails the first `fail` sends, then records deliveries keyed by idempotency key."""

    def __init__(self, fail: int = 0, crash_after: int | None = None):
        self.fail, self.crash_after = fail, crash_after
        self.delivered: dict[str, int] = {}

    async def send(self, *, recipient, payload, idempotency_key):
        if self.fail:
            self.fail -= 1
            raise RuntimeError("gateway timeout")
        self.delivered[idempotency_key] = self.delivered.get(idempotency_key, 0) + 1
        if self.crash_after is not None and len(self.delivered) >= self.crash_after:
            raise KeyboardInterrupt  # the process dies after delivering, before recording it


async def test_retries_with_backoff_then_sends(db):
    await queue(db, 1)
    ch = Flaky(fail=2)
    now = datetime.now(timezone.utc)
    assert await dispatch(db=db, channels={"log": ch}, now=now) == 0
    (n,) = await rows(db)
    assert (n.status, n.attempts, n.last_error) == ("PENDING", 1, "gateway timeout")
    assert n.next_attempt_at > now + timedelta(seconds=5)
    assert await dispatch(db=db, channels={"log": ch}, now=now) == 0  # not due yet
    for _ in range(3):
        await dispatch(db=db, channels={"log": ch}, now=now + timedelta(hours=2))
    (n,) = await rows(db)
    assert n.status == "SENT" and list(ch.delivered.values()) == [1]


async def test_crash_mid_batch_loses_nothing_and_duplicates_nothing(db):
    await queue(db, 10)
    ch = Flaky(crash_after=4)
    with pytest.raises(KeyboardInterrupt):
        await dispatch(db=db, channels={"log": ch})
    states = [n.status for n in await rows(db)]
    assert states.count("SENT") == 3 and states.count("SENDING") == 7  # leased, not lost
    ch.crash_after = None
    later = datetime.now(timezone.utc) + timedelta(minutes=5)  # the lease lapsed
    assert await dispatch(db=db, channels={"log": ch}, now=later) == 7
    assert all(n.status == "SENT" for n in await rows(db))
    # Every notification reached the channel; the one in flight at the crash was re-sent with the
    # same idempotency key, which is how the gateway drops the repeat.
    assert len(ch.delivered) == 10 and sorted(ch.delivered.values()) == [1] * 9 + [2]


async def test_two_dispatchers_never_send_the_same_row(db):
    import asyncio

    await queue(db, 20)
    ch = Flaky()
    a, b = await asyncio.gather(dispatch(db=db, channels={"log": ch}), dispatch(db=db, channels={"log": ch}))
    assert a + b == 20 and all(v == 1 for v in ch.delivered.values()) and len(ch.delivered) == 20


async def test_webhook_is_signed_and_sms_goes_over_http(db):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(handler)  # a local twin of the receiver; the client code is the real one
    web = WebhookChannel("http://hooks.example/ow", "s3cret", client=httpx.AsyncClient(transport=transport))
    sms = SmsGatewayChannel("http://sms.example/send", client=httpx.AsyncClient(transport=transport))
    await queue(db, 1, "webhook")
    await queue(db, 1, "sms")
    assert await dispatch(db=db, channels={"webhook": web, "sms": sms, "log": LogChannel()}) == 2
    hook, text = seen
    assert hook.headers["X-OutfallWatch-Signature"] == sign("s3cret", hook.content)
    assert hook.headers["Idempotency-Key"].startswith("ow-")
    assert json.loads(hook.content)["recipient"] == "user0"
    assert json.loads(text.content) == {"to": "user0", "text": "任务 0"}


async def test_unknown_channel_fails_after_retries(db):
    await queue(db, 1, "pager")
    t = datetime.now(timezone.utc)
    for i in range(9):
        await dispatch(db=db, channels={}, now=t + timedelta(days=i))
    (n,) = await rows(db)
    assert n.status == "FAILED" and "no channel" in n.last_error and n.attempts == 8
