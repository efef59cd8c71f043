"""A planned executor: each selection is compiled once per request, then run over every row.

graphql-core spends ~8 µs on every field of every row (a Path, a resolve info, argument coercion,
strawberry's resolver wrapper, the recursive completion); a 500-row map page is ~9,000 of them. Here
each grouped field set (graphql-core's own collection, so aliases, fragments, variables and
`@skip`/`@include` are exactly as usual) is turned once into a plan: per response key, how to read
the value and how to complete it. Running the plan over a row is then a few dict and attribute
operations per field:

- a plain attribute (strawberry marked the field as having neither resolver nor extension) is read
  with strawberry's own default resolver;
- a resolver without field extensions (so without permission classes) is called the way strawberry
  calls it (`StrawberryField.get_result`), with the arguments graphql-core coerced and strawberry
  converted, and with a real `Info` (its path included) when it asks for one. The arguments are
  coerced once per plan when they are immutable values, else once per call;
- leaves go through the type's own `coerce_output_value`; lists, non-null wrappers and objects are
  completed here as graphql-core's `complete_value` does, with the same error boundaries (a field,
  a list item) and the same errors, raised through graphql-core's own `handle_field_error`.

Anything else takes graphql-core's ordinary path for that field or value, from which execution comes
back into plans for the fields below: introspection, abstract types, objects with `is_type_of`,
non-list iterables, awaitable list items, fields whose arguments do not coerce, and any request with
resolver middleware or an abort signal. Permissions, district scoping and field visibility are never
decided here: they live in the resolvers and the domain services they call, which run unchanged.

tests/server/api/test_fast_executor.py checks, for random queries and every role, that data and errors
are the same with and without it.
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from graphql import (GraphQLID, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString, Undefined,
                     get_argument_values, is_leaf_type)
from graphql.execution.executor import Executor, to_nodes
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import convert_arguments

_IMMUTABLE = (str, int, float, bool, Enum, type(None))

# Field modes.
_ORDINARY, _TYPENAME, _ATTRIBUTE, _RESOLVER = range(4)
# Type-node kinds.
_NONNULL, _LIST, _LEAF, _OBJECT, _OTHER = range(5)
# What _run does per field: a leaf attribute and a plain object attribute inline, the rest by method.
_OP_LEAF, _OP_OBJECT, _OP_TYPENAME, _OP_FIELD, _OP_ORDINARY = range(5)
# Scalars whose coercion returns a str unchanged (graphql-core's serialize_string and serialize_id).
_STR_AS_IS = (GraphQLString.coerce_output_value, GraphQLID.coerce_output_value)


class _Type:
    """How to complete values of one (possibly wrapped) output type of one field."""

    __slots__ = ("kind", "type", "inner", "coerce", "shape")

    def __init__(self, t: Any):
        self.type = t
        self.inner: Any = None  # the wrapped type's _Type, for non-null and list
        self.coerce: Any = None
        self.shape: _Shape | None = None  # objects: planned on first use
        if isinstance(t, GraphQLNonNull):
            self.kind, self.inner = _NONNULL, _Type(t.of_type)
        elif isinstance(t, GraphQLList):
            self.kind, self.inner = _LIST, _Type(t.of_type)
        elif is_leaf_type(t):
            self.kind, self.coerce = _LEAF, t.coerce_output_value
        elif isinstance(t, GraphQLObjectType) and t.is_type_of is None:
            self.kind = _OBJECT
        else:  # abstract types, and objects graphql-core must ask is_type_of
            self.kind = _OTHER


_NO_TYPE = _Type(GraphQLString)  # the type of a field planned for the ordinary path (never read)


class _Field:
    """One response key of a planned selection."""

    __slots__ = ("key", "details", "nodes", "field_def", "definition", "mode", "type", "name", "kwargs",
                 "raw_args", "info_name", "self_arg", "source_names", "step")

    def __init__(self, key: str, details: Any):
        self.key, self.details = key, details
        self.nodes: list = []
        self.field_def: Any = None
        self.definition: Any = None
        self.type: _Type = _NO_TYPE
        self.name = ""
        self.mode = _ORDINARY
        self.kwargs: dict | None = None  # converted once, when every value is immutable
        self.raw_args: dict = {}
        self.info_name: str | None = None
        self.self_arg = False
        self.source_names: tuple[str, ...] = ()
        # What _run does for it: (op, key, attribute name, coerce, non-null, str passes as is, self).
        self.step: tuple = ()


class _Shape:
    __slots__ = ("parent", "parent_name", "fields", "steps")

    def __init__(self, parent: GraphQLObjectType, fields: list[_Field]):
        self.parent, self.parent_name, self.fields = parent, parent.name, fields
        self.steps = tuple(f.step for f in fields)


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, with selections planned once and run over every row (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per request: graphql-core memoizes a selection's grouped field set per field group, so the
        # same object comes back for every row; its plan is kept with it so its id stays unique.
        self._shapes: dict[tuple[int, int], tuple[Any, _Shape]] = {}
        manager = self.middleware_manager
        self._planned = (getattr(manager, "_middleware_resolvers", None) is None and self.abort_signal is None)
        self._strawberry_schema: Any = None

    # -- planning ------------------------------------------------------------------------------

    def _shape(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> _Shape:
        key = (id(parent_type), id(grouped_field_set))
        cached = self._shapes.get(key)
        if cached is not None:
            return cached[1]
        shape = _Shape(parent_type, [self._plan_field(parent_type, k, d) for k, d in grouped_field_set.items()])
        self._shapes[key] = (grouped_field_set, shape)
        return shape

    def _plan_field(self, parent_type: GraphQLObjectType, key: str, details: Any) -> _Field:
        f = _Field(key, details)
        self._plan_mode(f, parent_type)
        op = {_ORDINARY: _OP_ORDINARY, _TYPENAME: _OP_TYPENAME}.get(f.mode, _OP_FIELD)
        t, non_null = f.type, False
        if f.mode == _ATTRIBUTE:
            if t.kind == _NONNULL:
                t, non_null = t.inner, True
            if t.kind == _LEAF:
                op = _OP_LEAF
            elif t.kind == _OBJECT:
                op = _OP_OBJECT
        f.step = (op, key, f.definition.python_name if f.definition is not None else None, t.coerce, non_null,
                  t.coerce in _STR_AS_IS, f, t)
        return f

    def _plan_mode(self, f: _Field, parent_type: GraphQLObjectType) -> None:
        details = f.details
        node = details[0].node
        name = node.name.value
        if name.startswith("__"):
            if name == "__typename":
                f.mode = _TYPENAME
            return  # introspection: the ordinary path
        if parent_type is self.schema.subscription_type:
            return  # an event's root field answers with the event itself, not by calling the resolver
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None:
            return
        definition = (field_def.extensions or {}).get("strawberry-definition")
        if definition is None or definition.extensions or details[0].fragment_variable_values is not None:
            return
        f.field_def, f.definition, f.type, f.name = field_def, definition, _Type(field_def.type), name
        f.nodes = to_nodes(details)
        if getattr(field_def.resolve, "_is_default", False):
            if not (field_def.args or node.arguments) and definition.default_resolver is getattr:
                f.mode = _ATTRIBUTE
            return
        resolver = definition.base_resolver
        if resolver is None or self._has_exception_handlers(definition):
            return
        try:
            raw = get_argument_values(field_def, node, self.variable_values, None, self.hide_suggestions) \
                if field_def.args or node.arguments else {}
        except Exception:  # noqa: BLE001 - the ordinary path raises it again, located, for every row
            return
        f.raw_args = raw
        if all(isinstance(v, _IMMUTABLE) for v in raw.values()):
            try:
                f.kwargs = self._convert(definition, raw, None)
            except Exception:  # noqa: BLE001 - as above
                return
        f.self_arg = resolver.self_parameter is not None
        f.source_names = tuple(p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None)
        f.info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
        f.mode = _RESOLVER

    def _schema_converter(self) -> Any:
        if self._strawberry_schema is None:
            # strawberry keeps itself on graphql-core's schema (strawberry/schema/schema.py) untyped
            self._strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        return self._strawberry_schema.schema_converter

    def _has_exception_handlers(self, definition: Any) -> bool:
        return bool(self._schema_converter()._get_field_exception_handlers(definition))

    def _convert(self, definition: Any, raw: dict, info: Any) -> dict:
        conv = self._schema_converter()
        return convert_arguments(raw, definition.arguments, scalar_registry=conv.scalar_registry, config=conv.config,
                                 info=info)

    # -- running -------------------------------------------------------------------------------

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        if position_context is not None or not self._planned:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        return self._run(self._shape(parent_type, grouped_field_set), source_value, path)

    def _run(self, shape: _Shape, source: Any, path: Path | None) -> Any:
        """As execute_fields: the row's dict, or an awaitable of it when a field is awaitable. Leaf and
        plain object attributes are completed inline (the bulk of a page); each field is an error
        boundary, as in execute_field."""
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        parent_name = shape.parent_name
        try:
            for op, key, name, coerce, non_null, str_as_is, f, t in shape.steps:
                if op == _OP_LEAF:
                    try:
                        v = getattr(source, name)
                        if str_as_is and v.__class__ is str:
                            results[key] = v
                            continue
                        if v is None or v is Undefined:
                            if non_null:
                                raise TypeError(f"Cannot return null for non-nullable field {parent_name}.{f.name}.")
                            results[key] = None
                            continue
                        if isinstance(v, Exception):
                            raise v
                        c = coerce(v)
                        if c is None or c is Undefined:
                            Executor.complete_leaf_value(t.type, v)  # raises graphql-core's own error
                        results[key] = c
                    except Exception as e:  # noqa: BLE001 - this field's error, exactly as execute_field
                        self.handle_field_error(e, f.field_def.type, f.details, Path(path, key, parent_name))
                        results[key] = None
                    continue
                if op == _OP_OBJECT:
                    try:
                        v = getattr(source, name)
                        if v is None or v is Undefined:
                            if non_null:
                                raise TypeError(f"Cannot return null for non-nullable field {parent_name}.{f.name}.")
                            results[key] = None
                            continue
                        if isinstance(v, Exception):
                            raise v
                        sub = t.shape or self._object_shape(f, t)
                        if sub is None:
                            result = self._complete_field(f, shape, v, path)
                        else:
                            result = self._run(sub, v, Path(path, key, parent_name))
                            if result.__class__ is not dict:
                                result = self._await_completed(f, result, Path(path, key, parent_name))
                    except Exception as e:  # noqa: BLE001 - as above
                        self.handle_field_error(e, f.field_def.type, f.details, Path(path, key, parent_name))
                        result = None
                elif op == _OP_TYPENAME:
                    results[key] = parent_name
                    continue
                elif op == _OP_FIELD:
                    if f.mode == _RESOLVER:
                        result = self._resolve(f, shape, source, path)
                    else:
                        try:
                            value = getattr(source, name)
                        except Exception as e:  # noqa: BLE001 - as above
                            self.handle_field_error(e, f.field_def.type, f.details, Path(path, key, parent_name))
                            value = None
                        result = self._complete_field(f, shape, value, path)
                else:
                    result = self.execute_field(shape.parent, source, f.details, Path(path, key, parent_name), None)
                    if result is Undefined:
                        continue
                results[key] = result
                if result is not None and result.__class__ is not dict and self.is_awaitable(result):
                    awaitable_fields.append(key)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[k] for k in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gather(results, awaitable_fields)

    def _object_shape(self, f: _Field, t: _Type) -> _Shape | None:
        """The plan of an object field's selection (None: deferred parts, the ordinary path)."""
        grouped, defer_usages, _ = self.collect_subfields(t.type, f.details)
        if defer_usages:
            return None
        t.shape = self._shape(t.type, grouped)
        return t.shape

    def _resolve(self, f: _Field, shape: _Shape, source: Any, path: Path | None) -> Any:
        """Call the field's resolver as strawberry does, then complete its value."""
        info = None
        try:
            if f.info_name is not None:
                info = self._info(f, shape, Path(path, f.key, shape.parent_name))
            kwargs = dict(f.kwargs) if f.kwargs is not None else self._convert(f.definition, f.raw_args or {}, info)
            for name in f.source_names:
                kwargs[name] = source
            if info is not None:
                kwargs[f.info_name] = info
            value = f.definition.get_result(source, info=info, args=[source] if f.self_arg else [], kwargs=kwargs)
        except Exception as e:  # noqa: BLE001 - a resolver's error is this field's error, as in execute_field
            self.handle_field_error(e, f.field_def.type, f.details, Path(path, f.key, shape.parent_name))
            return None
        return self._complete_field(f, shape, value, path)

    def _info(self, f: _Field, shape: _Shape, field_path: Path) -> Any:
        raw = self.build_resolve_info(f.field_def, f.nodes, shape.parent, field_path)
        return self._schema_converter().config.info_class(_raw_info=raw, _field=f.definition)

    def _complete_field(self, f: _Field, shape: _Shape, value: Any, path: Path | None) -> Any:
        """execute_field after the resolver: complete the value, this field being the error boundary."""
        try:
            if self.is_awaitable(value):
                return self._await_field(f, shape, value, path)
            completed = self._complete(f, shape, f.type, value, path, f.key, shape.parent_name)
            if self.is_awaitable(completed):
                return self._await_completed(f, completed, Path(path, f.key, shape.parent_name))
            return completed
        except Exception as e:  # noqa: BLE001 - handled exactly as graphql-core handles a field error
            self.handle_field_error(e, f.field_def.type, f.details, Path(path, f.key, shape.parent_name))
            return None

    async def _await_field(self, f: _Field, shape: _Shape, value: Any, path: Path | None) -> Any:
        field_path = Path(path, f.key, shape.parent_name)
        try:
            resolved = await value
            completed = self._complete(f, shape, f.type, resolved, path, f.key, shape.parent_name)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as e:  # noqa: BLE001 - as complete_awaitable_value
            self.handle_field_error(e, f.field_def.type, f.details, field_path)
            completed = None
        return completed

    async def _await_completed(self, f: _Field, completed: Any, field_path: Path) -> Any:
        try:
            return await completed
        except Exception as e:  # noqa: BLE001 - as execute_field's await_completed
            self.handle_field_error(e, f.field_def.type, f.details, field_path)
            return None

    def _complete(self, f: _Field, shape: _Shape, t: _Type, value: Any, parent: Path | None, key: str | int,
                  typename: str | None) -> Any:
        """complete_value for the value at Path(parent, key, typename), built only when needed."""
        if isinstance(value, Exception):
            raise value
        kind = t.kind
        if kind == _NONNULL:
            completed = self._complete(f, shape, t.inner, value, parent, key, typename)
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {shape.parent_name}.{f.name}.")
            return completed
        if value is None or value is Undefined:
            return None
        if kind == _LEAF:
            coerced = t.coerce(value)
            if coerced is None or coerced is Undefined:
                return Executor.complete_leaf_value(t.type, value)  # raises graphql-core's own error
            return coerced
        if kind == _OBJECT:
            sub = t.shape or self._object_shape(f, t)
            if sub is None:
                return self._ordinary_complete(f, shape, t, value, parent, key, typename)
            return self._run(sub, value, Path(parent, key, typename))
        if kind == _LIST and type(value) in (list, tuple):
            return self._complete_list(f, shape, t, value, Path(parent, key, typename))
        return self._ordinary_complete(f, shape, t, value, parent, key, typename)

    def _complete_list(self, f: _Field, shape: _Shape, t: _Type, items: Any, list_path: Path) -> Any:
        """complete_iterable_value: each item is an error boundary of its own."""
        item_type = t.inner
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                if is_awaitable(item):
                    info = self.build_resolve_info(f.field_def, f.nodes, shape.parent, list_path)
                    completed.append(self.complete_awaitable_list_item_value(
                        item, item_type.type, f.details, info, list_path.add_key(index, None), None))
                    awaitable_indices.append(index)
                    continue
                try:
                    c = self._complete(f, shape, item_type, item, list_path, index, None)
                    if is_awaitable(c):
                        completed.append(self._await_item(f, item_type, c, list_path.add_key(index, None)))
                        awaitable_indices.append(index)
                    else:
                        completed.append(c)
                except Exception as e:  # noqa: BLE001 - as complete_list_item_value
                    self.handle_field_error(e, item_type.type, f.details, list_path.add_key(index, None))
                    completed.append(None)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed[i] for i in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed
        return _gather_list(completed, awaitable_indices)

    async def _await_item(self, f: _Field, item_type: _Type, c: Any, item_path: Path) -> Any:
        try:
            return await c
        except Exception as e:  # noqa: BLE001 - as complete_list_item_value's await_completed
            self.handle_field_error(e, item_type.type, f.details, item_path)
            return None

    def _ordinary_complete(self, f: _Field, shape: _Shape, t: _Type, value: Any, parent: Path | None,
                           key: str | int, typename: str | None) -> Any:
        """graphql-core's complete_value for what plans do not cover; its info is the field's."""
        path = Path(parent, key, typename)
        field_path = path
        while isinstance(field_path.key, int) and field_path.prev is not None:  # a list item: the list's field
            field_path = field_path.prev
        info = self.build_resolve_info(f.field_def, f.nodes, shape.parent, field_path)
        return self.complete_value(t.type, f.details, info, path, value, None)


async def _gather(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    # As graphql-core does: the dict keeps the selection's order, awaited values replace coroutines.
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited: list[Any] = await gather_with_cancel(*(results[f] for f in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


async def _gather_list(completed: list[Any], indices: list[int]) -> list[Any]:
    if len(indices) == 1:
        completed[indices[0]] = await completed[indices[0]]
    else:
        awaited: list[Any] = await gather_with_cancel(*(completed[i] for i in indices))
        for i, v in zip(indices, awaited, strict=True):
            completed[i] = v
    return completed


__all__ = ["PlannedExecutor"]
