"""Error shaping: contract codes on every error; unexpected ones masked, request errors shown."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from sqlalchemy import exc as sa_exc

from server.domain.errors import DomainError, RateLimited

log = logging.getLogger("outfallwatch.graphql")
INTERNAL = "INTERNAL_SERVER_ERROR"


def over_budget(seconds: float) -> GraphQLError:
    return GraphQLError(f"the request ran past its {seconds:g} s time budget and was stopped; ask for less "
                        "(smaller pages, fewer fields) or try again later",
                        extensions={"code": "RATE_LIMITED", "reason": "TIMEOUT", "retryAfter": 5})


def overload(orig: BaseException | None) -> DomainError | None:
    """Database overload as a clear, retryable error: the pool had no connection free in time, or
    PostgreSQL cancelled a statement at its statement_timeout. Neither is a fault of the server."""
    if isinstance(orig, sa_exc.TimeoutError):
        return RateLimited("the server is busy (no database connection free); try again in a few seconds",
                           retryAfter=5, reason="BUSY")
    if isinstance(orig, sa_exc.DBAPIError) and _sqlstate(orig) == "57014":
        return RateLimited("a database statement ran past its time limit and was cancelled; ask for less "
                           "or try again later", retryAfter=5, reason="TIMEOUT")
    return None


def _sqlstate(e: sa_exc.DBAPIError) -> str | None:
    inner = e.orig
    for o in (inner, getattr(inner, "__cause__", None)):
        code = getattr(o, "sqlstate", None) or getattr(o, "pgcode", None)
        if code:
            return code
    return None


def shape(error: GraphQLError) -> GraphQLError:
    orig = error.original_error
    busy = overload(orig)
    if busy is not None:
        error.message, error.extensions = busy.message, dict(busy.extensions)
        return error
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


PARSE_FAILED, VALIDATION_FAILED = "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"


class ErrorShaping(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        # Errors before execution: the document did not parse (no document), or did not validate.
        phase = PARSE_FAILED if ctx.graphql_document is None else VALIDATION_FAILED
        for e in getattr(ctx, "pre_execution_errors", None) or ():
            # Variables that do not coerce (a bad UUID, an unknown enum value) are bad input, not a bad document.
            if not (e.extensions or {}).get("code") and not e.message.startswith("Variable "):
                e.extensions = {**(e.extensions or {}), "code": phase}
        result = ctx.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [shape(e) for e in errors]
