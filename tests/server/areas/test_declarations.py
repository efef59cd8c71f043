"""The areas' declarations (server/areas) against what they describe: the tables in the metadata,
the verbs the services check, the triggers in a migrated database, and what the response cache may
serve (a cached field must read only tables the data version watches)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type
from sqlalchemy import text
from sqlmodel import SQLModel

import server.areas as areas
from server.domain import permissions
from server.domain.data_version import MAP, MEDIA
from server.graphql.schema import create_schema
from server.web.middleware import response_cache

ROOT = Path(__file__).resolve().parents[3]


def stale_fields(schema: GraphQLSchema, *, roots, uncacheable, media_fields, reads, watched) -> list[str]:
    """What the response cache could serve stale: every field reachable from a cached root (past the
    fields it refuses by name) whose declared reads are missing, include a table no data-version row
    watches, or include a row-2 table with no field on the way that keys the answer by row 2."""
    problems: list[str] = []
    seen: set[tuple[str, bool]] = set()

    def visit(type_name: str, field_name: str, field, keyed_by_media: bool) -> None:
        if field_name in uncacheable:
            return
        tables = reads(type_name, field_name)
        where = f"{type_name}.{field_name}"
        keyed_by_media = keyed_by_media or field_name in media_fields
        if tables is None:
            problems.append(f"{where}: no declaration of what it reads (Area.reads)")
            tables = ()
        for t in tables:
            if t not in watched:
                problems.append(f"{where} reads {t}, which no data-version row watches")
            elif watched[t] == MEDIA and not keyed_by_media:
                problems.append(f"{where} reads {t} (row 2) but no field on its path is a media field")
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType) and (inner.name, keyed_by_media) not in seen:
            seen.add((inner.name, keyed_by_media))
            for name, f in inner.fields.items():
                visit(inner.name, name, f, keyed_by_media)

    query = schema.query_type
    for root in sorted(roots):
        visit(query.name, root, query.fields[root], False)
    return problems


def check(schema: GraphQLSchema, **override) -> list[str]:
    args = dict(roots=response_cache.ROOTS, uncacheable=response_cache.UNCACHEABLE_FIELDS,
                media_fields=response_cache.MEDIA_FIELDS, reads=areas.reads, watched=areas.WATCHED)
    return stale_fields(schema, **{**args, **override})


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return create_schema()._schema


def test_every_field_the_cache_may_serve_reads_only_watched_tables(schema):
    assert check(schema) == []


def test_an_unwatched_table_behind_a_cached_field_is_caught(schema):
    """The check fails on a real omission: drop one watched table, or one uncacheable field."""
    unwatched = {t: row for t, row in areas.WATCHED.items() if t != "outfall_limits"}
    assert check(schema, watched=unwatched) == [
        "Outfall.approvedLimits reads outfall_limits, which no data-version row watches",
        "ApprovedLimit.parameter reads outfall_limits, which no data-version row watches",
        "ApprovedLimit.limitMax reads outfall_limits, which no data-version row watches",
        "ApprovedLimit.limitMin reads outfall_limits, which no data-version row watches",
        "ApprovedLimit.basis reads outfall_limits, which no data-version row watches"]
    assert "Inspection.inspector reads users, which no data-version row watches" in check(
        schema, uncacheable=response_cache.UNCACHEABLE_FIELDS - {"inspector"})
    assert any("Media.id reads media (row 2)" in p for p in check(
        schema, media_fields=response_cache.MEDIA_FIELDS - {"media"}))
    assert "Outfall.district: no declaration of what it reads (Area.reads)" in check(
        schema, reads=lambda t, f: None if (t, f) == ("Outfall", "district") else areas.reads(t, f))


def test_every_table_is_declared_by_one_area():
    declared = [getattr(t, "__tablename__", None) or t.name for a in areas.AREAS for t in a.tables]
    assert sorted(declared) == sorted(SQLModel.metadata.tables)


VERB = re.compile(r"""\b(?:require|can)\(\s*[^,()]*,\s*["']([a-z_]+\.[a-z_]+)["']""")


def test_every_verb_checked_is_declared_and_every_declared_verb_is_checked():
    used = {m for p in (ROOT / "server").rglob("*.py") for m in VERB.findall(p.read_text(encoding="utf-8"))}
    assert used, "the scan found no require(...) call: the pattern is wrong"
    assert used - permissions.RULES.keys() == set(), "checked but declared by no area"
    assert permissions.RULES.keys() - used == set(), "declared but never checked"


def test_scopes_grant_the_verbs_they_did():
    assert permissions.SCOPED_VERBS["tasks:create"] == {"task.create", "media.upload"}
    assert permissions.SCOPED_VERBS["readings:write"] == {"station.ingest"}
    assert permissions.SCOPED_VERBS["read"] == {v for v, r in permissions.RULES.items()
                                                if v.endswith(".read") and "INTEGRATOR" in r.roles}


def test_a_verb_declared_twice_is_refused():
    with pytest.raises(ValueError, match="task.read"):
        permissions.declare({"task.read": permissions.rule({"ADMIN"})})


async def _triggers(db) -> dict[str, set[int]]:
    """table -> the data-version rows its triggers bump, read from the migrated database."""
    out: dict[str, set[int]] = {}
    async with db.engine.connect() as c:
        if c.dialect.name == "postgresql":
            rows = (await c.execute(text(
                "SELECT c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal"))).all()
        else:
            rows = (await c.execute(text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"))).all()
    for table, body in rows:
        m = re.search(r"UPDATE data_version SET v = v \+ 1 WHERE id = (\d+)", body or "")
        if m:
            out.setdefault(table, set()).add(int(m.group(1)))
    return out


async def test_every_watched_table_has_its_trigger(db):
    found = await _triggers(db)
    assert {t: {row} for t, row in areas.WATCHED.items()} == found
    assert set(areas.WATCHED.values()) == {MAP, MEDIA}


def test_jobs_run_in_the_order_their_notifications_need():
    names = list(areas.JOBS)
    assert names.index("deadlines") < names.index("notify"), "a sweep's reminders go out in the same tick"


BEGIN, END = "<!-- verbs: generated from server/areas -->", "<!-- end of verbs -->"


def verbs_list() -> str:
    """One line per declared verb (a list, not a table: the matrix above is the document's only table)."""
    lines = []
    for a in areas.AREAS:
        for verb in a.verbs:
            r = permissions.RULES[verb]
            scopes = sorted(s for s, vs in permissions.SCOPED_VERBS.items() if verb in vs)
            lines.append(f"- `{verb}` ({a.name}): {', '.join(sorted(r.roles))}"
                         + ("; in their own district only" if r.district_scoped else "")
                         + (f"; API-token scope {' or '.join(scopes)}" if scopes else ""))
    return "\n".join(lines)


def test_docs_permissions_lists_the_declared_verbs():
    doc = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert BEGIN in doc and END in doc, f"docs/permissions.md needs a section between {BEGIN} and {END}"
    section = doc.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert section == verbs_list(), "replace docs/permissions.md's verbs list with:\n" + verbs_list()
