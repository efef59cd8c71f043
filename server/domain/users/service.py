"""Users, passwords (argon2) and signed, expiring tokens (JWT HS256)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import anyio
import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, Conflict, Unauthenticated
from server.domain.geo.service import check_district
from server.domain.users.models import DISTRICT_ROLES, ROLES, User
from server.domain.sqltypes import pk

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_ALG = "HS256"


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow: keep it off the event loop.
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def _verify(hash_: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(hash_, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


def validate_password(password: str) -> None:
    if len(password) < 8:
        raise BadInput("password must have at least 8 characters", field="password")
    if len(password) > 256:
        raise BadInput("password is longer than 256 characters", field="password")


async def create_user(
    *, session: AsyncSession, username: str, password: str, role: str,
    district_code: str | None = None, display_name: str | None = None,
) -> User:
    """Create a user; district roles must name an existing district."""
    username = (username or "").strip()
    if not (1 <= len(username) <= 64) or any(c.isspace() for c in username):
        raise BadInput("username must be 1-64 characters without spaces", field="username")
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
    if role in DISTRICT_ROLES and not district_code:
        raise BadInput(f"role {role} needs a district", field="district")
    await check_district(session, district_code or None, "district")
    validate_password(password)
    user = User(
        username=username, display_name=(display_name or username)[:64], role=role,
        district_code=district_code, password_hash=await hash_password(password),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"username {username!r} is taken", field="username") from None
    return user


def issue_token(*, user: User, secret: str, ttl: timedelta, now: datetime | None = None) -> tuple[str, datetime]:
    now = now or datetime.now(timezone.utc)
    exp = now + ttl
    claims = {"sub": str(user.id), "tv": user.token_version, "iat": int(now.timestamp()),
              "exp": int(exp.timestamp()), "jti": secrets.token_hex(8)}
    return jwt.encode(claims, secret, algorithm=TOKEN_ALG), exp.replace(microsecond=0)


async def login(*, session: AsyncSession, username: str, password: str, secret: str, ttl: timedelta) -> tuple[str, datetime, User]:
    """Check the password; the same error for an unknown user and a wrong password."""
    user = (await session.execute(select(User).where(col(User.username) == username))).scalar_one_or_none()
    ok = await _verify(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and ok and user.active):
        raise Unauthenticated("wrong username or password")
    token, exp = issue_token(user=user, secret=secret, ttl=ttl)
    return token, exp, user


def decode_token(token: str, *, secret: str) -> dict:
    try:
        return jwt.decode(token, secret, algorithms=[TOKEN_ALG], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("token expired; sign in again") from None
    except jwt.PyJWTError:
        raise Unauthenticated("invalid token") from None


async def actor_from_token(*, session: AsyncSession, token: str, secret: str, client_addr: str | None = None) -> Actor:
    """Resolve a Bearer token to an Actor; revoked (token_version moved) or inactive users fail."""
    claims = decode_token(token, secret=secret)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError):
        raise Unauthenticated("invalid token") from None
    user = await session.get(User, user_id)
    if user is None or not user.active or user.token_version != claims.get("tv"):
        raise Unauthenticated("token revoked; sign in again")
    return actor_of(user, client_addr=client_addr)


def actor_of(user: User, *, client_addr: str | None = None) -> Actor:
    return Actor(user_id=pk(user), username=user.username, role=user.role, district_code=user.district_code,
                 display_name=user.display_name, client_addr=client_addr)
