"""Delivery channels behind one small protocol: log, a signed webhook, an SMS gateway over HTTP."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Protocol

import httpx


class DeliveryError(Exception):
    pass


class Channel(Protocol):
    async def send(self, *, recipient: str, payload: dict, idempotency_key: str) -> None: ...


class LogChannel:
    def __init__(self, logger: logging.Logger | None = None):
        self.log = logger or logging.getLogger("outfallwatch.notify.log")
        self.sent: list[tuple[str, dict]] = []

    async def send(self, *, recipient: str, payload: dict, idempotency_key: str) -> None:
        self.sent.append((recipient, payload))
        self.log.info("notify %s: %s", recipient, payload.get("text"))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    """POSTs JSON with an X-OutfallWatch-Signature (HMAC-SHA256 of the body) and an Idempotency-Key."""

    def __init__(self, url: str, secret: str, *, client: httpx.AsyncClient | None = None, timeout: float = 10):
        self.url, self.secret = url, secret
        self.client = client or httpx.AsyncClient(timeout=timeout)

    async def send(self, *, recipient: str, payload: dict, idempotency_key: str) -> None:
        body = json.dumps({"recipient": recipient, **payload}, ensure_ascii=False, sort_keys=True).encode()
        r = await self.client.post(self.url, content=body, headers={
            "Content-Type": "application/json", "Idempotency-Key": idempotency_key,
            "X-OutfallWatch-Signature": sign(self.secret, body)})
        if r.status_code >= 300:
            raise DeliveryError(f"webhook answered {r.status_code}")


class SmsGatewayChannel:
    """A generic HTTP SMS gateway: POST {to, text} with an Idempotency-Key; 2xx means accepted."""

    def __init__(self, url: str, *, client: httpx.AsyncClient | None = None, timeout: float = 10):
        self.url = url
        self.client = client or httpx.AsyncClient(timeout=timeout)

    async def send(self, *, recipient: str, payload: dict, idempotency_key: str) -> None:
        r = await self.client.post(self.url, json={"to": recipient, "text": payload.get("text", "")[:300]},
                                   headers={"Idempotency-Key": idempotency_key})
        if r.status_code >= 300:
            raise DeliveryError(f"SMS gateway answered {r.status_code}")


def build_channels(settings) -> dict[str, Channel]:
    out: dict[str, Channel] = {"log": LogChannel()}
    if settings.webhook_url:
        out["webhook"] = WebhookChannel(settings.webhook_url, settings.webhook_secret or settings.secret_key)
    if settings.sms_gateway_url:
        out["sms"] = SmsGatewayChannel(settings.sms_gateway_url)
    return out
