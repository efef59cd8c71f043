"""Permission verbs, checked inside services (after ODK's auth.canOrReject).

The outfall register is readable city-wide by every signed-in role: rivers cross district
borders and an inspector standing on one must see the outfalls on the other bank.
Writes and everything about tasks, inspections and media are scoped to the district.
"""
from __future__ import annotations

from server.domain.actor import Actor
from server.domain.errors import Forbidden, Unauthenticated

READ_ROLES = {"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN", "INTEGRATOR"}


def _in_district(actor: Actor, district_code: str | None) -> bool:
    # Only district-bound roles are scoped; city roles and integrators see the whole city.
    if actor.role not in ("INSPECTOR", "DISTRICT_OFFICER"):
        return True
    return actor.district_code is not None and actor.district_code == district_code


# verb -> (roles allowed, whether the object's district must be the actor's for district roles)
RULES: dict[str, tuple[set[str], bool]] = {
    "outfall.read": (READ_ROLES, False),
    "outfall.create": ({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
    "outfall.update": ({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
    # Supervised decisions (issue 19): reclassifying, the receiving water and its class, the
    # discharge standard, remediation approach, status and 销号. A field user proposes; a city role decides.
    "outfall.decide": ({"SUPERVISOR", "ADMIN"}, False),
    "user.create": ({"ADMIN"}, False),
    "media.upload": ({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, False),
    "media.read": (READ_ROLES, False),
    "media.original": ({"SUPERVISOR", "ADMIN"}, False),
    "inspection.create": ({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
    "inspection.read": (READ_ROLES, True),
    "task.read": (READ_ROLES, True),
    "task.create": ({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
    "task.start": ({"DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, True),
    "task.submit": ({"DISTRICT_OFFICER"}, True),
    "task.review": ({"SUPERVISOR"}, False),
    "task.cancel": ({"SUPERVISOR", "ADMIN"}, False),
    "patrol.create": ({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, False),
    "patrol.read": (READ_ROLES, True),
    "token.manage": ({"ADMIN"}, False),
    "account.logout": (READ_ROLES, False),  # a password session's own; no API token scope grants it
    "audit.read": ({"SUPERVISOR", "ADMIN"}, False),
    "station.read": (READ_ROLES, False),
    "station.manage": ({"SUPERVISOR", "ADMIN"}, False),
    "station.ingest": ({"ADMIN"}, False),  # and integrator tokens with readings:write
    "tracing.read": ({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, False),
    "tracing.raise": ({"SUPERVISOR", "ADMIN"}, False),
}


# An API token may do exactly what its scopes name, whatever its user's role would allow.
SCOPED_VERBS = {
    "read": frozenset(v for v, (roles, _) in RULES.items() if v.endswith(".read") and "INTEGRATOR" in roles),
    # detection systems (video AI, drones) raise tasks with their photos
    "tasks:create": frozenset({"task.create", "media.upload"}),
    # the station network's system: it sends readings and nothing else
    "readings:write": frozenset({"station.ingest"}),
}
DETECTION_KINDS = {"FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "ILLEGAL_DISCHARGE"}


def can(actor: Actor | None, verb: str, district_code: str | None = None) -> bool:
    if actor is None:
        return False
    if actor.token_id is not None:
        return any(verb in SCOPED_VERBS.get(s, ()) for s in actor.scopes)
    roles, scoped = RULES[verb]
    if actor.role not in roles:
        return False
    return not scoped or _in_district(actor, district_code)


def require(actor: Actor | None, verb: str, district_code: str | None = None) -> Actor:
    """Return the actor when allowed; raise UNAUTHENTICATED or FORBIDDEN naming the verb."""
    if actor is None:
        raise Unauthenticated("sign in first: a valid Bearer token is required")
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
