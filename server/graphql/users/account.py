"""Sign-out, password change, integrator tokens, audit trail: thin resolvers over the user services."""
from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from server.domain.audit import service as audit
from server.domain.errors import BadInput, Unauthenticated
from server.domain.permissions import require
from server.domain.users import service, tokens
from server.domain.users.models import User as UserRow
from server.graphql.common import UPDATED_AT, PageInfo, connection, parse_id
from server.graphql.context import Info
from server.graphql.enums import Scope
from server.graphql.users.types import AuthPayload, User
from server.graphql.writes import write

JSON = strawberry.scalars.JSON


@strawberry.type
class ApiToken:
    id: strawberry.ID
    name: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @classmethod
    def from_model(cls, t) -> "ApiToken":
        return cls(id=strawberry.ID(str(t.id)), name=t.name, scopes=[Scope(x) for x in t.scopes.split()], created_at=t.created_at,
                   last_used_at=t.last_used_at, revoked_at=t.revoked_at, updated_at=t.updated_at)


@strawberry.type
class NewApiToken:
    token: str = strawberry.field(description="Shown once; only its hash is stored.")
    api_token: ApiToken


@strawberry.type
class AuditEvent:
    id: strawberry.ID
    at: datetime
    actor_id: strawberry.ID | None
    actor_name: str | None
    client_addr: str | None
    action: str
    object_type: str
    object_id: str
    change: str
    before: JSON
    after: JSON


@strawberry.type
class AuditEventEdge:
    node: AuditEvent
    cursor: str


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    nodes: list[AuditEvent] = strawberry.field(description="The nodes of `edges`, without their cursors.")
    page_info: PageInfo


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Integrator tokens (ADMIN).")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        async with info.context.db.session() as s:
            return [ApiToken.from_model(t) for t in await tokens.list_api_tokens(session=s, actor=info.context.signed_in)]

    @strawberry.field(description="The append-only audit trail, newest first (SUPERVISOR, ADMIN).")
    async def audit_events(self, info: Info, object_type: str | None = None, object_id: str | None = None,
                           actor_id: strawberry.ID | None = None, since: datetime | None = None,
                           until: datetime | None = None, first: int | None = None, after: str | None = None,
                           last: int | None = None, before: str | None = None) -> AuditEventConnection:
        ctx = info.context
        f = audit.AuditFilter(object_type=object_type, object_id=object_id, since=since, until=until,
                              actor_id=parse_id(actor_id, "actorId") if actor_id else None)
        async with ctx.db.session() as s:
            page = await audit.list_audit_events(session=s, actor=ctx.signed_in, filter=f, first=first, after=after,
                                                 last=last, before=before, cap=ctx.settings.max_page)
        nodes = [AuditEvent(
            id=strawberry.ID(str(r.id)), at=r.at, actor_id=strawberry.ID(str(r.actor_id)) if r.actor_id else None,
            actor_name=r.actor_name, client_addr=r.client_addr, action=r.action, object_type=r.object_type,
            object_id=r.object_id, change=r.change, before=JSON(r.before), after=JSON(r.after)) for r in page.items]
        return connection(AuditEventConnection, AuditEventEdge, nodes, page)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Sign out everywhere: every token issued so far stops working.")
    async def logout(self, info: Info) -> bool:
        actor = require(info.context.actor, "account.logout")
        async with write(info) as s:
            u = await s.get(UserRow, actor.user_id)
            u.token_version += 1
        return True

    @strawberry.mutation(description="Change your password; older tokens stop working, a new one is returned.")
    async def change_password(self, info: Info, old_password: str, new_password: str) -> AuthPayload:
        ctx = info.context
        actor = ctx.actor
        if actor is None or actor.token_id is not None:
            raise Unauthenticated("sign in with a password first")
        # The old password is a password check like a sign-in: the same throttle, counted first.
        await ctx.services.password_throttle.before_check(actor.username, actor.client_addr)
        async with write(info) as s:
            u = await s.get(UserRow, actor.user_id)
            await service.login(session=s, username=u.username, password=old_password, secret=ctx.settings.secret_key,
                                ttl=timedelta(minutes=1))
            service.validate_password(new_password)
            if new_password == old_password:
                raise BadInput("the new password must differ from the old one", field="newPassword")
            u.password_hash = await service.hash_password(new_password)
            u.token_version += 1
            await s.flush()
            token, exp = service.issue_token(user=u, secret=ctx.settings.secret_key,
                                             ttl=timedelta(hours=ctx.settings.token_ttl_hours))
        await ctx.services.password_throttle.succeeded(actor.username, actor.client_addr)
        return AuthPayload(token=token, expires_at=exp, user=await User.load(info, u))

    @strawberry.mutation(description="Create an integrator token (ADMIN); the token is shown once.")
    async def create_api_token(self, info: Info, name: str, username: str, scopes: list[Scope]) -> NewApiToken:
        async with write(info) as s:
            row, tok = await tokens.create_api_token(session=s, actor=info.context.actor, name=name,
                                                     scopes=[x.value for x in scopes], username=username)
        return NewApiToken(token=tok, api_token=ApiToken.from_model(row))

    @strawberry.mutation(description="Revoke an integrator token (ADMIN).")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> ApiToken:
        async with write(info) as s:
            row = await tokens.revoke_api_token(session=s, actor=info.context.actor, token_id=parse_id(id))
        return ApiToken.from_model(row)
