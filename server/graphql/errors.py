"""Error shaping: contract codes on every error; unexpected ones masked, request errors shown."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from server.domain.errors import DomainError

log = logging.getLogger("outfallwatch.graphql")
INTERNAL = "INTERNAL_SERVER_ERROR"


def shape(error: GraphQLError) -> GraphQLError:
    orig = error.original_error
    if isinstance(orig, DomainError):
        error.extensions = dict(orig.extensions)
        return error
    if error.path is None or orig is None or isinstance(orig, GraphQLError):
        # Parse, validation and variable-coercion errors: the client's to fix, so say why.
        error.extensions = {**(error.extensions or {}), "code": (error.extensions or {}).get("code", "BAD_USER_INPUT")}
        return error
    log.error("unexpected error at %s", error.path, exc_info=orig)
    return GraphQLError("Internal server error", nodes=error.nodes, source=error.source, positions=error.positions,
                        path=error.path, extensions={"code": INTERNAL})


class ErrorShaping(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [shape(e) for e in result.errors]
