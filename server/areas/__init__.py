"""Every area of the server, each declared once in its module here (see area.py for what it declares).

Adding an area: its folders (domain/<area>/, graphql/<area>/, its command module in cli/ if it has
commands), one module here, one line in AREAS.
Everything below is derived from AREAS, and the domain's two registries (permission verbs, audited
tables) are filled from it on import: every door (app, CLI, migrations) imports this package.
"""
from __future__ import annotations

from collections.abc import Mapping

from server.areas import (attestation, core, geo, inspections, lifecycle, media, notify, outfalls, patrols,
                          standards, stations, tasks, users)
from server.areas.area import Area, Job
from server.domain import permissions
from server.domain.audit import recorder

AREAS: tuple[Area, ...] = (core.AREA, users.AREA, geo.AREA, outfalls.AREA, media.AREA, attestation.AREA,
                           inspections.AREA, tasks.AREA, notify.AREA, patrols.AREA, standards.AREA, stations.AREA,
                           lifecycle.AREA)


def _unique(what: str, names: list[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{what} declared by more than one area: {twice}")


_unique("area names", [a.name for a in AREAS])
_unique("tables", [getattr(t, "__tablename__", None) or t.name for a in AREAS for t in a.tables])
_unique("jobs", [j.name for a in AREAS for j in a.jobs])
_unique("watched tables", [t for a in AREAS for t in a.watched])
_unique("field reads", [k for a in AREAS for k in a.reads])
_unique("command modules", [m for a in AREAS for m in a.cli])

QUERIES: tuple[type, ...] = tuple(q for a in AREAS for q in a.queries)
MUTATIONS: tuple[type, ...] = tuple(m for a in AREAS for m in a.mutations)
SUBSCRIPTIONS: tuple[type, ...] = tuple(s for a in AREAS for s in a.subscriptions)
JOBS: dict[str, Job] = {j.name: j for a in AREAS for j in a.jobs}
CACHED_ROOTS: frozenset[str] = frozenset(r for a in AREAS for r in a.cached)
# table -> data-version row whose counter its writes bump
WATCHED: Mapping[str, int] = {t: row for a in AREAS for t, row in a.watched.items()}
# "Type" / "Type.field" -> tables read
READS: Mapping[str, tuple[str, ...]] = {k: v for a in AREAS for k, v in a.reads.items()}
UNCACHEABLE: frozenset[str] = frozenset(f for a in AREAS for f in a.uncacheable)
# The areas' command modules by name, in area order (server/cli/main.py imports them).
CLI: tuple[str, ...] = tuple(m for a in AREAS for m in a.cli)


def reads(type_name: str, field_name: str) -> tuple[str, ...] | None:
    """The tables a GraphQL field reads, by its declaration (the field's own, else its type's)."""
    return READS.get(f"{type_name}.{field_name}", READS.get(type_name))


permissions.declare({v: r for a in AREAS for v, r in a.verbs.items()})
recorder.track({m: kind for a in AREAS for m, kind in a.audited.items()})
