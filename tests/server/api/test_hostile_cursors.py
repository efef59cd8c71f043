"""Every connection of the schema answers BAD_USER_INPUT, never INTERNAL, to a cursor it did not make
(issue 12 item 5): huge integers, the wrong type in the key, garbage, deep nesting, another list's key.

The connections are read from schema.graphql (drift-checked), so a new one is covered without a word here;
one reachable only through a type this test cannot fetch fails until REACH names a way to it. Each list's
cursor kind and key size come from a real cursor of that list, so the hostile keys get past the "does
not belong to this list" check and reach the database, where the old code failed (an int beyond 64 bits
is an OverflowError on SQLite and a DataError on PostgreSQL: INTERNAL).
"""
from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from graphql import GraphQLNonNull, Undefined, build_schema, get_named_type

from tests.server.api.test_loop_api import RECORD, REGISTER, SITE
from tests.server.api.test_patrols_api import RECORD as PATROL, patrol

# How to reach a connection that hangs off a type rather than the root: a selection opening that object.
REACH = {"Query": "{ %s }", "Outfall": '{ outfall(id: "%(outfall)s") { %%s } }'}


def connections() -> list[tuple[str, str, set[str], set[str]]]:
    sdl = (Path(__file__).parents[3] / "schema.graphql").read_text(encoding="utf-8")
    schema = build_schema(sdl)
    out = []
    for tname, t in schema.type_map.items():
        if tname.startswith("__") or not hasattr(t, "fields") or tname in ("Mutation", "Subscription"):
            continue
        for fname, f in t.fields.items():
            if "after" in getattr(f, "args", {}) and get_named_type(f.type).name.endswith("Connection"):
                out.append((tname, fname, set(f.args), {a for a, arg in f.args.items()
                                           if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
                                           and not (arg.ast_node and arg.ast_node.default_value)}))
    return out


def cursor(raw: str | bytes) -> str:
    return base64.urlsafe_b64encode(raw if isinstance(raw, bytes) else raw.encode()).decode().rstrip("=")


def hostile(kind: str, size: int) -> list[str]:
    def key(*values) -> str:
        return cursor(f"{kind}:" + json.dumps(list(values)[:size] + [values[-1]] * (size - len(values))))

    day = {"t": "2026-11-30T08:00:00+00:00"}
    return [
        key(10**30), key(-(10**30)), key(2**63), key(2**64 + 1),
        key("x"), key("1' OR 1=1 --"), key(True), key(None), key([1]), key({"a": 1}),
        key({"t": "not a time"}), key({"t": "9999-12-31T23:59:59-05:00"}), key({"t": "0001-01-01T00:00:00+05:00"}),
        key({"t": "2026-11-30T08:00:00"}),  # no offset
        key(1.5), key(1e308), cursor(f"{kind}:[NaN]"), cursor(f"{kind}:[Infinity]"),
        key(day, "7"), *([key(7, day)] if size > 1 else []),  # a plausible key, its parts swapped or mistyped
        cursor(f"{kind}:" + "[" * 100_000 + "]" * 100_000),  # deep enough to break a recursive decoder
        cursor(f"{kind}:{{}}"), cursor(f"{kind}:"), cursor(kind), cursor(b"\xff\xfe\x00"),
        "!!!", "", "=", "a" * 20_000, cursor("zz:[1]"),
    ]


async def test_every_connection_refuses_hostile_cursors(gql, client, users):
    sup, insp = await gql.as_("supervisor"), await gql.as_("inspector")
    reg = {"clientId": str(uuid.uuid4()), "name": "游标排口", "category": "OTHER", "riverCode": "YANGTZE",
           "districtCode": "500103", "location": {"lat": SITE[0], "lon": SITE[1]}}
    oid = (await sup(REGISTER, {"i": reg}))["registerOutfall"]["id"]
    await insp(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": oid, "measurements": [],
                              "observedAt": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()}})
    await sup("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": {
        "clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "游标", "outfallId": oid}})
    await insp(PATROL, {"i": patrol()})

    found = connections()
    assert len(found) >= 6, found
    for tname, fname, args, required in found:
        assert tname in REACH, f"{tname}.{fname}: add a way to reach {tname} to REACH"
        assert not required, f"{tname}.{fname} needs {required}: give them here"
        opening = REACH[tname] % {"outfall": oid} if "%(" in REACH[tname] else REACH[tname]

        def query(args: str) -> str:
            head = "query($c: String) " if "$c" in args else "query "
            return head + opening % f"{fname}({args}) {{ edges {{ cursor }} }}"

        # A real cursor of this list tells its kind and key size.
        data = await sup(query("first: 1"), {})
        node = data[fname] if tname == "Query" else next(iter(data.values()))[fname]
        assert node["edges"], f"{tname}.{fname}: the test made no row to page through"
        raw = base64.urlsafe_b64decode(node["edges"][0]["cursor"] + "==").decode()
        kind, key = raw.split(":", 1)
        for arg in ("after", "before") if "before" in args else ("after",):
            for bad in hostile(kind, len(json.loads(key))):
                body = await sup.raw(query(f"first: 2, {arg}: $c" if arg == "after" else f"last: 2, {arg}: $c"),
                                     {"c": bad})
                errors = body.get("errors")
                assert errors, (tname, fname, arg, bad[:60], body)
                ext = errors[0]["extensions"]
                assert (ext["code"], ext.get("field")) == ("BAD_USER_INPUT", arg), (tname, fname, arg, bad[:60], body)
            # The wrong GraphQL type for the argument itself is refused before any resolver runs.
            for wrong in (123, 1e300, ["x"], {"t": 1}, True):
                body = await sup.raw(query(f"first: 2, {arg}: $c"), {"c": wrong})
                assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (tname, fname, wrong, body)
    # Nearest first is its own order (distance, id): same rule.
    near = "query($c: String) { outfalls(filter: {near: {lat: %f, lon: %f, radiusM: 5000}}, first: 2, after: $c) " \
           "{ edges { cursor } } }" % SITE
    real = (await sup(near, {"c": None}))["outfalls"]["edges"][0]["cursor"]
    kind, key = base64.urlsafe_b64decode(real + "==").decode().split(":", 1)
    for bad in hostile(kind, len(json.loads(key))):
        body = await sup.raw(near, {"c": bad})
        assert body.get("errors") and (body["errors"][0]["extensions"]["code"], body["errors"][0]["extensions"].get(
            "field")) == ("BAD_USER_INPUT", "after"), (bad[:60], body)
    # The server is still whole afterwards (a RecursionError once broke later requests).
    assert (await sup("{ outfalls { totalCount } }"))["outfalls"]["totalCount"] == 1
