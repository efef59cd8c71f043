"""The typed per-request context: who is asking, and the means to answer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from server.db import RequestDatabase, Sessions
from server.domain.actor import Actor
from server.domain.errors import DomainError, RateLimited, Unauthenticated
from server.domain.permissions import signed_in
from server.graphql.dataloaders import Loaders
from server.graphql.errors import overload
from server.settings import Settings
from server.web.auth import authenticate, bearer, revalidate
from server.web.wiring import Services


@dataclass
class Context:
    request: Any
    response: Any
    services: Services
    loaders: Loaders
    _actor: Actor | None = None
    _auth_error: DomainError | None = None
    # graphql-transport-ws connection_init payload: browsers cannot set headers on a WebSocket,
    # so subscribers may send {"Authorization": "Bearer …"} here instead.
    connection_params: dict | None = None
    # This request's view of the database (a cap on its concurrent sessions); see RequestDatabase.
    request_db: RequestDatabase | None = None
    token: str | None = None  # the Bearer token the actor came from, to ask again on long-lived connections

    async def actor_from_connection(self) -> Actor | None:
        if self._actor is None and self._auth_error is None and isinstance(self.connection_params, dict):
            params = {k.lower(): v for k, v in self.connection_params.items() if isinstance(v, str)}
            token = bearer(params) or params.get("token")
            if token:
                self.token = token
                try:
                    async with self.db.session() as s:
                        self._actor = await authenticate(self.services, s, token, None)
                except (Unauthenticated, RateLimited) as e:
                    self._auth_error = e
        return self.actor

    async def recheck_actor(self) -> None:
        """Raise UNAUTHENTICATED when this connection's token no longer holds."""
        if self.token is not None:
            async with self.db.session() as s:
                await revalidate(self.services, s, self.token)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def db(self) -> Sessions:
        return self.request_db if self.request_db is not None else self.services.db

    @property
    def actor(self) -> Actor | None:
        """The signed-in actor; a bad or expired token fails here with its reason, not silently."""
        if self._auth_error is not None:
            raise self._auth_error
        return self._actor

    @property
    def signed_in(self) -> Actor:
        """The signed-in actor, or UNAUTHENTICATED: what resolvers hand to services, which take an Actor.
        The service still checks what this actor may do."""
        return signed_in(self.actor)

    @property
    def actor_or_none(self) -> Actor | None:
        return None if self._auth_error is not None else self._actor


Info = strawberry.Info[Context, None]


async def build_context(services: Services, request, response, token: str | None) -> Context:
    db = services.db.for_request(services.settings.db_sessions_per_request)
    ctx = Context(request=request, response=response, services=services, loaders=Loaders.create(db), request_db=db,
                  token=token)
    pre = getattr(getattr(request, "state", None), "actor", None) if token else None
    if pre is not None:  # authenticated a moment ago by the response cache, for this very request
        ctx._actor = pre
    elif token:
        client = getattr(request, "client", None)
        try:
            async with db.session() as s:
                ctx._actor = await authenticate(services, s, token, client.host if client else None)
        except (Unauthenticated, RateLimited) as e:
            ctx._actor, ctx._auth_error = None, e
        except Exception as e:
            busy = overload(e)  # no connection free: the request is answered "busy", not a 500
            if busy is None:
                raise
            ctx._actor, ctx._auth_error = None, busy
    return ctx
