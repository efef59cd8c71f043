"""Inputs derived from schema.graphql (drift-checked): every mutation's arguments as typed values, so tests
cover each input field of the schema, including ones added later, without naming them."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from graphql import (GraphQLEnumType, GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType,
                     build_schema, get_named_type, print_type)


@lru_cache(maxsize=1)
def schema():
    return build_schema((Path(__file__).parents[3] / "schema.graphql").read_text(encoding="utf-8"))


def placeholder(t):
    """A value of type t that coerces (required fields only for input objects)."""
    if isinstance(t, GraphQLNonNull):
        return placeholder(t.of_type)
    if isinstance(t, GraphQLList):
        return [placeholder(t.of_type)]
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    if isinstance(t, GraphQLInputObjectType):
        return {n: placeholder(f.type) for n, f in t.fields.items()
                if isinstance(f.type, GraphQLNonNull) and f.default_value is _undefined()}
    return {"String": "x", "ID": "1", "Int": 1, "Float": 1.0, "Boolean": False, "UUID": str(uuid.uuid4()),
            "DateTime": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat(),
            "Date": date.today().isoformat(), "JSON": {}}[t.name]


def _undefined():
    from graphql import Undefined

    return Undefined


def type_ref(t) -> str:
    if isinstance(t, GraphQLNonNull):
        return type_ref(t.of_type) + "!"
    if isinstance(t, GraphQLList):
        return f"[{type_ref(t.of_type)}]"
    return t.name


def operation(field_name: str) -> tuple[str, dict]:
    """A mutation document for one root field, every argument a variable, and placeholder variables."""
    f = schema().mutation_type.fields[field_name]
    decl = ", ".join(f"${a}: {type_ref(arg.type)}" for a, arg in f.args.items())
    call = ", ".join(f"{a}: ${a}" for a in f.args)
    named = get_named_type(f.type)
    sel = "" if isinstance(named, (GraphQLScalarType, GraphQLEnumType)) else " { __typename }"
    doc = f"mutation{f'({decl})' if decl else ''} {{ {field_name}{f'({call})' if call else ''}{sel} }}"
    variables = {a: placeholder(arg.type) for a, arg in f.args.items()
                 if isinstance(arg.type, GraphQLNonNull) and arg.default_value is _undefined()}
    return doc, variables


def text_leaves(t, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """(path, type) of every String/ID leaf reachable in an input type; a path step is a field name or 0."""
    if isinstance(t, GraphQLNonNull):
        yield from text_leaves(t.of_type, path)
    elif isinstance(t, GraphQLList):
        yield from text_leaves(t.of_type, path + (0,))
    elif isinstance(t, GraphQLInputObjectType):
        if t.name in {p for p in path if isinstance(p, str)}:
            return
        for n, f in t.fields.items():
            yield from text_leaves(f.type, path + (n,))
    elif isinstance(t, GraphQLScalarType) and t.name in ("String", "ID"):
        yield path, t


def set_path(variables: dict, field, path: tuple, value) -> None:
    """Put value at path (argument name, then field names and list positions) inside a mutation's
    variables, creating from the types whatever is missing on the way."""
    cur, key, t = variables, path[0], field.args[path[0]].type
    for step in path[1:]:
        while isinstance(t, GraphQLNonNull):
            t = t.of_type
        if isinstance(cur, dict) and not isinstance(cur.get(key), (dict, list)):
            cur[key] = placeholder(t)
        if isinstance(cur, list) and not isinstance(cur[key], (dict, list)):
            cur[key] = placeholder(t)
        cur = cur[key]
        if isinstance(t, GraphQLList):
            if not cur:
                cur.append(placeholder(t.of_type))
            key, t = 0, t.of_type
        else:
            key, t = step, t.fields[step].type
    cur[key] = value


def field_name(path: tuple, arg: str) -> str:
    """The name the server gives a field: `input` left out, list positions as [0]."""
    out = "" if arg == "input" else arg
    for step in path[1:]:  # path[0] is the argument
        out = f"{out}[{step}]" if isinstance(step, int) else (f"{out}.{step}" if out else step)
    return out


__all__ = ["schema", "operation", "placeholder", "text_leaves", "set_path", "field_name", "print_type"]
