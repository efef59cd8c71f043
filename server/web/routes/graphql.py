"""POST/GET /graphql and the graphql-transport-ws WebSocket on the same path."""
from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from server.graphql.context import build_context
from server.web.auth import bearer
from server.web.wiring import Services
from server.web.routes.console import graphiql_html


class GraphQLApp(GraphQL):
    def __init__(self, schema, services: Services, **kw):
        super().__init__(schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,), **kw)
        self.services = services

    @property
    def graphql_ide_html(self) -> str:
        return graphiql_html(self.services.settings)

    async def get_context(self, request, response):
        return await build_context(self.services, request, response, bearer(request.headers))


def graphql_routes(services: Services, schema) -> list[BaseRoute]:
    gql = GraphQLApp(schema, services, graphql_ide="graphiql" if services.settings.graphiql else None)
    return [Route("/graphql", gql, methods=["GET", "POST"]), WebSocketRoute("/graphql", gql)]
