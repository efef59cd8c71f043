"""An executor that completes plain fields without graphql-core's per-field machinery.

A 500-row map page is ~9,000 field executions, and graphql-core spends ~8 µs on each: a Path, a
resolve info, argument coercion, strawberry's resolver wrapper and the recursive completion, even
when the field is only `getattr(row, name)` turned into a scalar. Most fields of our list types are
exactly that. For those, and only those, this executor reads the attribute and coerces the scalar
(or, for a plain object field such as `district`, executes its subfields) itself; every other field
(anything with a resolver, arguments, permission classes or field extensions, lists, abstract types,
`__typename`, `@defer`) goes through the ordinary path.

It is the same answer by construction, not by a second implementation of the rules:
- a field is taken only when strawberry itself marked its resolver as the default one
  (`_is_default`: no resolver, no extensions, no permission classes), so nothing that checks
  permissions or district scope is ever skipped; those all live in resolvers, which still run;
- selection, aliases, fragments, variables and `@skip`/`@include` are graphql-core's: this sees the
  grouped field set that graphql-core collected;
- anything unusual about a value (an exception while reading it, a null for a non-null field, a
  value the scalar refuses) is handed back to the ordinary path for that field, which then produces
  exactly the error it always did.
tests/server/api/test_fast_executor.py checks the equivalence on random queries for every role.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, Undefined, is_leaf_type
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (response key, field details, reader or None for the ordinary path, leaf or object type, non-null)
_Step = tuple[str, Any, Callable[[Any], Any] | None, Any, bool]
_Plan = tuple[_Step, ...]


class _Propagate(Exception):
    """An error of a non-null field's subtree, raised on to the parent as execute_field would."""

    def __init__(self, error: Exception):
        self.error = error


def _reader(field_def: Any) -> tuple[Callable[[Any], Any], Any, bool] | None:
    """How to read a plain field directly (its reader, its unwrapped leaf or object type, non-null),
    or None when it must take the ordinary path."""
    if not getattr(field_def.resolve, "_is_default", False) or field_def.args:
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if definition is None or definition.base_resolver is not None or definition.extensions:
        return None
    return_type = field_def.type
    non_null = isinstance(return_type, GraphQLNonNull)
    inner = return_type.of_type if non_null else return_type
    # Objects only when graphql-core would not ask is_type_of (which needs a resolve info).
    if not is_leaf_type(inner) and not (isinstance(inner, GraphQLObjectType) and inner.is_type_of is None):
        return None
    default, name = definition.default_resolver, definition.python_name
    return (lambda source: default(source, name)), inner, non_null


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor with plain fields read directly (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per request: the grouped field set of a list's items is one object (graphql-core memoizes
        # it), so the plan is built once per selection, not once per row. The set is kept alive with
        # its plan so its id cannot be reused within the request.
        self._plans: dict[tuple[int, int], tuple[Any, _Plan | None]] = {}

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> _Plan | None:
        key = (id(parent_type), id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is not None:
            return cached[1]
        steps: list[_Step] = []
        direct = 0
        for response_name, details in grouped_field_set.items():
            field_def = self.schema.get_field(parent_type, details[0].node.name.value)
            how = _reader(field_def) if field_def is not None else None
            if how is None:
                steps.append((response_name, details, None, None, False))
            else:
                direct += 1
                steps.append((response_name, details, how[0], how[1], how[2]))
        plan = tuple(steps) if direct else None
        self._plans[key] = (grouped_field_set, plan)
        return plan

    def _complete_object(self, object_type, details, path, response_name, parent_type, value, non_null):
        """A plain object field's value completed as execute_field would, minus the resolver call:
        its subfields executed, and an error inside handled as that field's error."""
        field_path = Path(path, response_name, parent_type.name)
        field_type = GraphQLNonNull(object_type) if non_null else object_type
        try:
            result = self.collect_and_execute_subfields(object_type, details, field_path, value, None)
        except Exception as e:  # noqa: BLE001 - handled exactly as graphql-core handles a field error
            return self._field_error(e, field_type, details, field_path)
        if not self.is_awaitable(result):
            return result

        async def awaited():
            try:
                return await result
            except Exception as e:  # noqa: BLE001 - as above
                self.handle_field_error(e, field_type, details, field_path)
                return None
        return awaited()

    def _field_error(self, error, field_type, details, field_path):
        try:
            self.handle_field_error(error, field_type, details, field_path)
        except Exception as located:  # noqa: BLE001 - a non-null field: the parent must see it
            raise _Propagate(located) from None

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        plan = self._plan(parent_type, grouped_field_set) if position_context is None else None
        if plan is None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for response_name, details, read, kind, non_null in plan:
                if read is not None:
                    try:
                        value = read(source_value)
                        if value is None and not non_null:
                            results[response_name] = None
                            continue
                        if value is not None:
                            if isinstance(kind, GraphQLObjectType):
                                result = self._complete_object(kind, details, path, response_name, parent_type,
                                                               value, non_null)
                                results[response_name] = result
                                if is_awaitable(result):
                                    awaitable_fields.append(response_name)
                                continue
                            coerced = kind.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except _Propagate:
                        raise
                    except Exception:  # noqa: BLE001, S110 - the ordinary path below raises it again, located
                        pass
                result = self.execute_field(parent_type, source_value, details,
                                            Path(path, response_name, parent_type.name), position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except _Propagate as p:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise p.error from None
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gather(results, awaitable_fields)


async def _gather(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    # As graphql-core does: the dict keeps the selection's order, awaited values replace coroutines.
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited: list[Any] = await gather_with_cancel(*(results[f] for f in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


__all__ = ["PlainFieldExecutor"]
