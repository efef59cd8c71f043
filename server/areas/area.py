"""What an area of the server declares about itself, once (server/areas/<area>.py).

The app's schema, Alembic's metadata, the audit recorder, the permission check, the scheduler and the
response cache read these declarations (server/areas/__init__.py); none keeps a list of its own.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.domain.data_version import MAP, MEDIA
from server.domain.permissions import Rule
from server.web.wiring import Services



@dataclass(frozen=True)
class Job:
    """A scheduled job: the server runs it every 30 s, `outfallwatch tick` once (for cron)."""

    name: str
    help: str
    # (services) -> counts to report, e.g. {"sent": 3}
    run: Callable[[Services], Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class Area:
    name: str
    # Its tables (SQLModel classes or Core tables): Alembic's metadata is the union of every area's.
    tables: tuple[Any, ...] = ()
    # Model -> the object_type its audit events carry; every API change to these rows is recorded.
    audited: Mapping[type, str] = field(default_factory=dict)
    # Permission verbs it checks with require(actor, verb, district).
    verbs: Mapping[str, Rule] = field(default_factory=dict)
    jobs: tuple[Job, ...] = ()
    # GraphQL roots: strawberry types merged into Query, Mutation and Subscription.
    queries: tuple[type, ...] = ()
    mutations: tuple[type, ...] = ()
    subscriptions: tuple[type, ...] = ()
    # Query fields the response cache may serve (keyed by the data version, so only while every
    # table their answer reads is watched).
    cached: tuple[str, ...] = ()
    # Table -> data-version row its writes bump (the triggers are made by migrations; a test checks).
    watched: Mapping[str, int] = field(default_factory=dict)
    # What the GraphQL fields of its types read: "Type" -> tables (every field of the type), and
    # "Type.field" -> tables (that field, instead). Checked against `watched` for cached answers.
    reads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # "Type.field" never served from the cache: time-dependent, signed, or reading unwatched tables.
    uncacheable: tuple[str, ...] = ()
    # Its command modules, by name ("server.cli.<name>", each adding its commands to the CLI's table
    # when imported): the `outfallwatch` parser imports them from here, after the CLI's own groups.
    # Names, not modules: the CLI imports the areas, so the areas may not import the CLI's package.
    # tests/server/test_cli_areas.py checks every command module is declared once and each name imports.
    cli: tuple[str, ...] = ()


__all__ = ["Area", "Job", "MAP", "MEDIA", "Rule"]
