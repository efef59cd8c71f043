"""Every text a mutation receives is checked against server/domain/text.py before anything runs.

One place for every write: the extension walks the coerced arguments of each root mutation field with
their input types, and the first string that breaks the rule answers BAD_USER_INPUT with `field` as the
services name fields (`name`, `measurements[0].note`, `approvedLimits[1].basis`; the argument `input`
itself is left out). Queries are not checked: they store nothing.
"""
from __future__ import annotations

from collections.abc import Iterator

from graphql import (FieldNode, FragmentSpreadNode, GraphQLError, GraphQLInputObjectType, GraphQLList,
                     GraphQLNonNull, InlineFragmentNode, OperationType)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from server.domain.errors import BadInput
from server.domain.text import check_text


def _walk(t, value, path: str) -> None:
    if value is None:
        return
    if isinstance(t, GraphQLNonNull):
        return _walk(t.of_type, value, path)
    if isinstance(t, GraphQLList):
        for i, v in enumerate(value if isinstance(value, list) else [value]):
            _walk(t.of_type, v, f"{path}[{i}]")
        return
    if isinstance(t, GraphQLInputObjectType):
        for name, f in t.fields.items():
            key = f.out_name or name
            if isinstance(value, dict) and key in value:
                _walk(f.type, value[key], f"{path}.{name}" if path else name)
        return
    if isinstance(value, str):
        check_text(value, path)


class TextRules(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is not None and ec.result is None:
            error = self._check(ec)
            if error is not None:
                ec.result = GraphQLExecutionResult(data=None, errors=[error])
        yield

    @staticmethod
    def _check(ec) -> GraphQLError | None:
        schema = ec.schema._schema
        op = get_operation_ast(ec.graphql_document, ec.operation_name)
        if op is None or op.operation != OperationType.MUTATION or schema.mutation_type is None:
            return None
        variables = get_variable_values(schema, op.variable_definitions or (), ec.variables or {})
        if isinstance(variables, list):
            return None  # not coercible: execution reports that itself
        frags = {d.name.value: d for d in ec.graphql_document.definitions if hasattr(d, "type_condition")
                 and not isinstance(d, InlineFragmentNode)}
        for node in _root_fields(op.selection_set, frags):
            field = schema.mutation_type.fields.get(node.name.value)
            if field is None:
                continue
            try:
                args = get_argument_values(field, node, variables)
            except GraphQLError:
                continue
            try:
                for name, arg in field.args.items():
                    key = arg.out_name or name
                    if key in args:
                        _walk(arg.type, args[key], "" if name == "input" else name)
            except BadInput as e:
                return GraphQLError(e.message, nodes=[node], path=[(node.alias or node.name).value],
                                    original_error=e, extensions=e.extensions)
        return None


def _root_fields(selection_set, frags, seen=None) -> Iterator[FieldNode]:
    seen = set() if seen is None else seen
    for s in selection_set.selections:
        if isinstance(s, FieldNode):
            yield s
        elif isinstance(s, InlineFragmentNode):
            yield from _root_fields(s.selection_set, frags, seen)
        elif isinstance(s, FragmentSpreadNode) and s.name.value in frags and s.name.value not in seen:
            seen.add(s.name.value)
            yield from _root_fields(frags[s.name.value].selection_set, frags, seen)
