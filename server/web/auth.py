"""Who is asking: the Bearer token of any door (HTTP header, WebSocket connection_init) to an Actor."""
from __future__ import annotations

from typing import TYPE_CHECKING

from server.domain.actor import Actor
from server.domain.users.service import actor_from_token
from server.domain.users.tokens import actor_from_api_token, is_api_token

if TYPE_CHECKING:
    from server.web.wiring import Services


def bearer(headers) -> str | None:
    """The token of an `Authorization: Bearer …` header (any mapping with lower-case keys)."""
    h = headers.get("authorization") or ""
    scheme, _, token = h.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def revalidate(services: Services, session, token: str) -> None:
    """UNAUTHENTICATED if a token accepted earlier has since expired or been revoked (its user signed
    out, changed password, was disabled): a long-lived connection must not outlive its sign-in."""
    if is_api_token(token):
        await actor_from_api_token(session=session, token=token)
    else:
        await actor_from_token(session=session, token=token, secret=services.settings.secret_key)


async def authenticate(services: Services, session, token: str, addr: str | None) -> Actor:
    """A Bearer token (sign-in JWT or integrator API token) to an Actor, with the token's rate limit."""
    if is_api_token(token):
        actor = await actor_from_api_token(session=session, token=token, client_addr=addr)
        if actor.token_id is not None:
            await services.token_limit.hit(actor.token_id)
        return actor
    return await actor_from_token(session=session, token=token, secret=services.settings.secret_key,
                                  client_addr=addr)
