"""Permission verbs, checked inside services (after ODK's auth.canOrReject).

The outfall register is readable city-wide by every signed-in role: rivers cross district
borders and an inspector standing on one must see the outfalls on the other bank.
Writes and everything about tasks, inspections and media are scoped to the district.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from server.domain.actor import Actor
from server.domain.errors import Forbidden, Unauthenticated

READ_ROLES = frozenset({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN", "INTEGRATOR"})


def _in_district(actor: Actor, district_code: str | None) -> bool:
    # Only district-bound roles are scoped; city roles and integrators see the whole city.
    if actor.role not in ("INSPECTOR", "DISTRICT_OFFICER"):
        return True
    return actor.district_code is not None and actor.district_code == district_code


class Rule(NamedTuple):
    """Who may use a verb: the roles; whether a district role must be in the object's district; the
    API-token scopes that grant it (an integrator-readable `.read` verb is granted by `read` too)."""

    roles: frozenset[str]
    district_scoped: bool = False
    scopes: frozenset[str] = frozenset()


def rule(roles: set[str] | frozenset[str], district_scoped: bool = False, *, scopes: tuple[str, ...] = ()) -> Rule:
    return Rule(frozenset(roles), district_scoped, frozenset(scopes))


# verb -> rule, and scope -> verbs: declared by the areas (server/areas), installed by declare().
RULES: dict[str, Rule] = {}
SCOPED_VERBS: dict[str, frozenset[str]] = {}


def declare(verbs: Mapping[str, Rule]) -> None:
    """Add verbs to the table; a verb declared twice (by two areas) is an error, not an override."""
    twice = RULES.keys() & verbs.keys()
    if twice:
        raise ValueError(f"permission verbs declared twice: {sorted(twice)}")
    RULES.update(verbs)
    scoped: dict[str, set[str]] = {}
    for verb, r in RULES.items():
        grants = set(r.scopes) | ({"read"} if verb.endswith(".read") and "INTEGRATOR" in r.roles else set())
        for scope in grants:
            scoped.setdefault(scope, set()).add(verb)
    SCOPED_VERBS.clear()
    SCOPED_VERBS.update({s: frozenset(v) for s, v in scoped.items()})


DETECTION_KINDS = {"FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "ILLEGAL_DISCHARGE"}


def can(actor: Actor | None, verb: str, district_code: str | None = None) -> bool:
    if actor is None:
        return False
    if actor.token_id is not None:
        return any(verb in SCOPED_VERBS.get(s, ()) for s in actor.scopes)
    r = RULES.get(verb)
    if r is None:
        raise KeyError(f"permission verb {verb!r} is declared by no area (server/areas)")
    if actor.role not in r.roles:
        return False
    return not r.district_scoped or _in_district(actor, district_code)


def signed_in(actor: Actor | None) -> Actor:
    """The actor, or UNAUTHENTICATED: the one check that someone is signed in, whatever they may do."""
    if actor is None:
        raise Unauthenticated("sign in first: a valid Bearer token is required")
    return actor


def require(actor: Actor | None, verb: str, district_code: str | None = None) -> Actor:
    """Return the actor when allowed; raise UNAUTHENTICATED or FORBIDDEN naming the verb."""
    actor = signed_in(actor)
    if not can(actor, verb, district_code):
        what = verb.replace('.', ' ')
        if actor.token_id is not None:
            needed = sorted(s for s, verbs in SCOPED_VERBS.items() if verb in verbs)
            if needed:
                raise Forbidden(f"this API token lacks the scope {' or '.join(needed)} ({what})", scope=needed[0])
            raise Forbidden(f"no API token scope allows {what}; sign in as a user")
        where = f" in district {district_code}" if district_code else ""
        raise Forbidden(f"role {actor.role} may not {what}{where}")
    return actor
