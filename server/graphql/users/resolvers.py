from __future__ import annotations

from datetime import timedelta

import strawberry

from server.domain.users import service
from server.graphql.context import Info
from server.graphql.users.types import AuthPayload, User


@strawberry.type
class UserQuery:
    @strawberry.field(description="The signed-in user; null without a token.")
    async def me(self, info: Info) -> User | None:
        actor = info.context.actor
        if actor is None:
            return None
        u = await info.context.loaders.user.load(actor.user_id)
        return await User.load(info, u) if u else None


@strawberry.type
class UserMutation:
    @strawberry.mutation(description="Sign in; returns a signed token that expires.")
    async def login(self, info: Info, username: str, password: str) -> AuthPayload:
        ctx = info.context
        client = getattr(ctx.request, "client", None)
        addr = client.host if client else None
        throttle = ctx.services.password_throttle
        await throttle.before_check(username, addr)  # counted before the check: a burst gets no more
        async with ctx.db.session() as s:
            token, exp, user = await service.login(session=s, username=username, password=password,
                                                   secret=ctx.settings.secret_key,
                                                   ttl=timedelta(hours=ctx.settings.token_ttl_hours))
        await throttle.succeeded(username, addr)
        return AuthPayload(token=token, expires_at=exp, user=await User.load(info, user))
