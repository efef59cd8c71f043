"""POST/GET /graphql and the graphql-transport-ws WebSocket on the same path.

Responses follow the GraphQL-over-HTTP specification: a request error (the document does not parse,
does not validate, or its variables do not coerce) has no `data` entry; a client that accepts
`application/graphql-response+json` gets that media type, and then a request error is HTTP 400.
`application/json` keeps HTTP 200 for every well-formed request, as the specification asks.
"""
from __future__ import annotations

import json
from contextvars import ContextVar

import orjson

from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from server.graphql.context import build_context
from server.web.auth import bearer
from server.web.routes.console import graphiql_html
from server.web.wiring import Services

GRAPHQL_RESPONSE = "application/graphql-response+json"
# (the client accepts graphql-response+json, the answer is a request error), set while processing a result
_negotiated: ContextVar[tuple[bool, bool]] = ContextVar("graphql_http_negotiated", default=(False, False))


def is_request_error(result) -> bool:
    """No data and no error from executing a field: the request failed before execution."""
    errors = getattr(result, "errors", None)
    return bool(errors) and result.data is None and all(e.path is None for e in errors or ())


class GraphQLApp(GraphQL):
    def __init__(self, schema, services: Services, **kw):
        super().__init__(schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,), **kw)
        self.services = services

    @property
    def graphql_ide_html(self) -> str:
        return graphiql_html(self.services.settings)

    def encode_json(self, data: object) -> str:
        """A response body or WebSocket message, encoded in C. Text, not bytes: WebSocket messages must
        go out as text frames. Values orjson refuses (an integer beyond 64 bits from a JSON scalar) go
        through json.dumps as before."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    async def get_context(self, request, response):
        return await build_context(self.services, request, response, bearer(request.headers))

    async def process_result(self, request, result):
        body = await super().process_result(request, result)
        request_error = is_request_error(result)
        if request_error:
            body.pop("data", None)
        _negotiated.set((GRAPHQL_RESPONSE in request.headers.get("accept", ""), request_error))
        return body

    def create_response(self, response_data, sub_response) -> Response:
        response = super().create_response(response_data, sub_response)
        wants, request_error = _negotiated.get()
        if wants:
            response.headers["content-type"] = GRAPHQL_RESPONSE + "; charset=utf-8"
            if request_error and response.status_code == 200:
                response.status_code = 400
        return response


def graphql_routes(services: Services, schema) -> list[BaseRoute]:
    gql = GraphQLApp(schema, services, graphql_ide="graphiql" if services.settings.graphiql else None)
    return [Route("/graphql", gql, methods=["GET", "POST"]), WebSocketRoute("/graphql", gql)]
