"""The schema, assembled from the areas' declared roots (server/areas); limits built once, not per request.

No ParserCache: it parses inside the extension hook, where a max-tokens error escapes strawberry's
error handling; performance.md measured parser caching as changing nothing anyway.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionResult
from strawberry.extensions import (AddValidationRules, DisableIntrospection, MaxTokensLimiter, SchemaExtension,
                                   ValidationCache)
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.tools import merge_types

from server.graphql import scalars
from server.graphql.descriptions import describe
from server.graphql.cost import QueryCost
from server.graphql.text_rules import TextRules
from server.graphql.fast_executor import PlannedExecutor
from server.graphql.errors import ErrorShaping, over_budget, shape
from server.areas import MUTATIONS, QUERIES, SUBSCRIPTIONS
from server.settings import Settings


class Schema(strawberry.Schema):
    budget_s: float | None = None

    async def execute(self, *args, **kwargs) -> ExecutionResult:
        """One operation within the request's time budget: past it, execution is cancelled (its
        transaction rolls back) and the client is told so, instead of holding a worker for minutes."""
        if not self.budget_s:
            return await super().execute(*args, **kwargs)
        budget = asyncio.timeout(self.budget_s)
        try:
            async with budget:
                return await super().execute(*args, **kwargs)
        except TimeoutError:
            if not budget.expired():
                raise
            return ExecutionResult(data=None, errors=[over_budget(self.budget_s)])

    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        # ErrorShaping already logged the unexpected ones; domain and request errors are not server faults.
        return None


def create_schema(settings: Settings | None = None) -> Schema:
    s = settings or Settings()
    rules = (depth_validator(s.max_depth, None), alias_validator(s.max_aliases))
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(s.max_tokens),
        lambda: ValidationCache(maxsize=512),
        lambda: AddValidationRules(list(rules)),
        QueryCost.build(limit=s.max_cost, max_page=s.max_page),
        TextRules,
        ErrorShaping,
    ]
    if not s.introspection:
        extensions.append(DisableIntrospection)
    Query = merge_types("Query", tuple(QUERIES))
    Mutation = merge_types("Mutation", tuple(MUTATIONS))
    Subscription = merge_types("Subscription", tuple(SUBSCRIPTIONS)) if SUBSCRIPTIONS else None
    schema = Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions,
                    execution_context_class=PlannedExecutor if s.fast_execution else None,
                    scalar_overrides=scalars.OVERRIDES)
    schema.budget_s = s.request_budget_s
    describe(schema._schema, s.max_page)  # what has no inline description (server/graphql/descriptions.py)
    return schema


__all__ = ["create_schema", "Schema", "shape"]
