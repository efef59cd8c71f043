"""The routes of every door, each built from the process's Services."""
from __future__ import annotations

from starlette.routing import BaseRoute

from server.storage import LocalStore
from server.web.routes.exports import export_routes
from server.web.routes.graphql import graphql_routes
from server.web.routes.health import health_routes
from server.web.routes.media import media_routes
from server.web.routes.public import public_routes
from server.web.routes.console import console_routes
from server.web.wiring import Services


def all_routes(services: Services, schema) -> list[BaseRoute]:
    """/healthz, /graphql (HTTP and graphql-transport-ws), /export/…, /media/… for the local store, and the
    console's files (/console/, /screen/, GraphiQL's assets)."""
    routes: list[BaseRoute] = [*health_routes(services), *graphql_routes(services, schema), *export_routes(services),
                               *public_routes(services)]
    if isinstance(services.store, LocalStore):
        routes += media_routes(services.store)
    routes += console_routes(services.settings)
    return routes
