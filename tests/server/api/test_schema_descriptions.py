"""Every type, field, argument, input field and enum value of the schema says what it is, and every
paged list states the page cap where its arguments are described."""
from __future__ import annotations

import strawberry
from graphql import GraphQLObjectType

from server.graphql.descriptions import PAGED, describe, missing
from server.graphql.schema import create_schema
from server.settings import Settings


def test_nothing_in_the_schema_is_undescribed():
    assert missing(create_schema()._schema) == []


def test_every_paged_list_states_the_cap():
    cap = Settings().max_page
    schema = create_schema()._schema
    paged = [(t.name, n, f) for t in schema.type_map.values() if isinstance(t, GraphQLObjectType)
             for n, f in t.fields.items() if any(a in PAGED for a in f.args)]
    assert len(paged) >= 7  # outfalls, tasks, inspections, patrols, auditEvents, Outfall.inspections/tasks
    for type_name, name, f in paged:
        for arg in ("first", "last"):
            if arg in f.args:
                assert f"At most {cap} a page" in f.args[arg].description, (type_name, name, arg)


def test_the_check_finds_what_is_missing():
    @strawberry.type
    class Probe:
        @strawberry.field
        def thing(self, size: int, first: int) -> int:
            return size

    schema = describe(strawberry.Schema(query=Probe)._schema, 500)
    # `first` has a meaning only on a paged list (one with after/before/last), so it is not filled here.
    assert missing(schema) == ["Probe", "Probe.thing", "Probe.thing(size)", "Probe.thing(first)"]
