"""Integrator API tokens: `owk_<prefix>_<secret>`; only the SHA-256 of the whole token is stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, NotFound, Unauthenticated
from server.domain.permissions import require
from server.domain.sqltypes import pk, utcnow
from server.domain.users.models import ApiToken, User

SCOPES = ("read", "tasks:create", "readings:write")
PREFIX = "owk_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_api_token(token: str) -> bool:
    return token.startswith(PREFIX)


async def create_api_token(*, session: AsyncSession, actor: Actor | None, name: str, scopes: list[str],
                           username: str) -> tuple[ApiToken, str]:
    """Create a token for an INTEGRATOR user; returns the row and the token, which is never shown again."""
    if actor is not None:
        require(actor, "token.manage")
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise BadInput("name must be 1-100 characters", field="name")
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise BadInput(f"scopes must be among {', '.join(SCOPES)}", field="scopes")
    user = (await session.execute(select(User).where(col(User.username) == username))).scalar_one_or_none()
    if user is None or user.role != "INTEGRATOR":
        raise BadInput(f"{username!r} is not an INTEGRATOR user", field="username")
    prefix = secrets.token_hex(6)
    token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(name=name, prefix=prefix, token_hash=_hash(token), scopes=" ".join(sorted(set(scopes))),
                   user_id=pk(user), created_by_id=actor.user_id if actor else None)
    session.add(row)
    await session.flush()
    return row, token


async def revoke_api_token(*, session: AsyncSession, actor: Actor | None, token_id: int) -> ApiToken:
    if actor is not None:
        require(actor, "token.manage")
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    await session.flush()
    return row


async def list_api_tokens(*, session: AsyncSession, actor: Actor) -> list[ApiToken]:
    require(actor, "token.manage")
    return list((await session.execute(select(ApiToken).order_by(col(ApiToken.id)))).scalars())


async def actor_from_api_token(*, session: AsyncSession, token: str, client_addr: str | None = None) -> Actor:
    try:
        _, prefix, _secret = token.split("_", 2)
    except ValueError:
        raise Unauthenticated("invalid API token") from None
    row = (await session.execute(select(ApiToken).where(col(ApiToken.prefix) == prefix))).scalar_one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, _hash(token)):
        raise Unauthenticated("invalid API token")
    if row.revoked_at is not None:
        raise Unauthenticated("API token revoked")
    user = await session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthenticated("API token's user is disabled")
    actor = Actor(user_id=pk(user), username=user.username, role=user.role, district_code=None,
                  display_name=row.name, scopes=frozenset(row.scopes.split()), client_addr=client_addr,
                  token_id=row.id)
    # Last use is kept to the minute: one write per token per minute, not per request.
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        # End the read first: on SQLite a read transaction cannot become a write one once another
        # writer has committed, while a transaction that starts with the write waits its turn.
        await session.rollback()
        await session.execute(update(ApiToken).where(col(ApiToken.id) == actor.token_id).values(last_used_at=now))
        await session.commit()
    return actor
