"""Query cost analysis: what a request may make the server do, counted before it runs.

The rules (docs/security.md repeats them for integrators):
- a scalar or enum field costs 0: it is a plain attribute of an object already loaded;
- an object field costs 1, times the number of parents it is asked for;
- a connection (a field with `first`) costs CONNECTION_COST for its own database query, and its
  `edges` / list fields multiply what they select by its page size: `first` as sent (a variable's
  value included), else the argument's default; never more than the server's page cap;
- a plain list (no `first`) counts as LIST_SIZES[Type.field] items, else DEFAULT_LIST_SIZE;
- aliases and fragments count every time they are spread.

A request whose cost exceeds `Settings.max_cost` is refused with QUERY_TOO_COMPLEX naming both
numbers, before any resolver runs. This is a schema extension and not a validation rule because
the cost depends on variables (`first: $n`), which validation never sees and the validation cache
would not key on; its limits are bound once, in create_schema.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, GraphQLList,
                     GraphQLInterfaceType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, InlineFragmentNode, IntValueNode, NullValueNode,
                     OperationDefinitionNode, VariableNode, get_named_type, is_composite_type, is_list_type)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

CONNECTION_COST = 10
DEFAULT_LIST_SIZE = 5
DEFAULT_FIRST = 50  # what `first: null` means (pagination.check_first)
# Plain lists whose usual length is far from DEFAULT_LIST_SIZE.
LIST_SIZES = {
    "Query.districts": 50, "Query.rivers": 50, "Query.standardLimits": 100, "Query.outfallStats": 50,
    "Query.apiTokens": 20, "Patrol.track": 200,
}
CODE = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class CostModel:
    schema: GraphQLSchema
    max_page: int

    def cost(self, document, operation_name: str | None, variables: dict | None) -> int:
        ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        op = next((o for o in ops if operation_name is None or (o.name and o.name.value == operation_name)), None)
        if op is None:
            return 0  # graphql-core answers the missing operation itself
        root = self.schema.get_root_type(op.operation)
        frags = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        defaults = {v.variable.name.value: v.default_value for v in op.variable_definitions or ()}
        walk = _Walk(self, frags, variables or {}, defaults)
        return walk.selection(op.selection_set, root, None)


class _Walk:
    def __init__(self, model: CostModel, frags, variables: dict, var_defaults: dict):
        self.model, self.frags, self.variables, self.var_defaults = model, frags, variables, var_defaults

    def fields(self, selection_set, parent) -> Iterator[tuple[FieldNode, object]]:
        """The field nodes of a selection set, fragments spread, each with the type it is selected on."""
        for s in selection_set.selections if selection_set else ():
            if isinstance(s, FieldNode):
                yield s, parent
            elif isinstance(s, InlineFragmentNode):
                on = self.model.schema.get_type(s.type_condition.name.value) if s.type_condition else parent
                yield from self.fields(s.selection_set, on or parent)
            elif isinstance(s, FragmentSpreadNode) and s.name.value in self.frags:
                f = self.frags[s.name.value]
                yield from self.fields(f.selection_set, self.model.schema.get_type(f.type_condition.name.value))

    def selection(self, selection_set, parent, page: int | None) -> int:
        total = 0
        for node, on in self.fields(selection_set, parent):
            if isinstance(on, (GraphQLObjectType, GraphQLInterfaceType)) and (
                    field := on.fields.get(node.name.value)) is not None:
                total += self.field(node, on.name, field, page)
            else:  # __typename and introspection: cheap, and depth-limited
                total += 1 if node.selection_set else 0
        return total

    def field(self, node: FieldNode, parent_name: str, field, page: int | None) -> int:
        t = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        named = get_named_type(t)
        if not is_composite_type(named):
            return 0
        if "first" in field.args:  # a connection: its own query, its page multiplies its edges
            n = self.page_size(node, field)
            return CONNECTION_COST + self.selection(node.selection_set, named, n)
        per_item = 1 + self.selection(node.selection_set, named, None)
        if is_list_type(t) or isinstance(t, GraphQLList):
            count = page if page is not None else LIST_SIZES.get(f"{parent_name}.{node.name.value}",
                                                                 DEFAULT_LIST_SIZE)
            return count * per_item
        return per_item

    def page_size(self, node: FieldNode, field) -> int:
        arg = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if arg is None:
            n = field.args["first"].default_value
        else:
            n = self.value(arg.value)
        if not isinstance(n, int) or isinstance(n, bool):
            n = DEFAULT_FIRST
        return max(0, min(n, self.model.max_page))

    def value(self, v):
        if isinstance(v, IntValueNode):
            return int(v.value)
        if isinstance(v, NullValueNode):
            return None
        if isinstance(v, VariableNode):
            name = v.name.value
            if name in self.variables:
                return self.variables[name]
            d = self.var_defaults.get(name)
            return self.value(d) if d is not None else None
        return None


class QueryCost(SchemaExtension):
    """Refuses a request over the cost limit before execution (see the module docstring)."""

    limit: int = 0
    max_page: int = 500

    @classmethod
    def build(cls, *, limit: int, max_page: int) -> type["QueryCost"]:
        return type("QueryCostLimited", (cls,), {"limit": limit, "max_page": max_page})

    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None and ec.result is None:
            cost = CostModel(ec.schema._schema, self.max_page).cost(ec.graphql_document, ec.operation_name, ec.variables)
            if cost > self.limit:
                ec.result = GraphQLExecutionResult(data=None, errors=[too_complex(cost, self.limit)])
        yield


def too_complex(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"query cost {cost} is over the limit of {limit}: ask for smaller pages (`first`), fewer nested "
        f"lists or fewer aliases, or split it into several requests",
        extensions={"code": CODE, "cost": cost, "limit": limit})


def query_cost(schema, query: str, variables: dict | None = None, operation_name: str | None = None,
               max_page: int = 500) -> int:
    """The cost of a query against a strawberry schema, as the server would count it (for docs and bench)."""
    from graphql import parse

    return CostModel(schema._schema, max_page).cost(parse(query), operation_name, variables)
