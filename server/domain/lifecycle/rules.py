"""The lifecycle rules read from server/reference/lifecycle.json, so each number or list has one home
with its sources; what could not be confirmed there is a setting or a per-outfall decision."""
from __future__ import annotations

import re
from functools import lru_cache

from server.reference import domain, lifecycle

_REF = lifecycle()
ACCEPTANCE = _REF["remediation_acceptance"]
EVIDENCE_ITEMS = ("PLUGGING_EVIDENCE", "SAMPLING_POINT", "INSPECTION_WELL", "SIGNBOARD_QR",
                  "ONLINE_MONITORING_IF_REQUIRED", "PASSING_RETEST")
PHOTO_ITEMS = tuple(ACCEPTANCE["slots"])
SLOTS: dict[str, str] = dict(ACCEPTANCE["slots"])
TRACING_METHODS: tuple[str, ...] = tuple(m["key"] for m in _REF["tracing"]["methods"])
PARTY_TYPES: dict[str, dict] = {p["key"]: p for p in _REF["tracing"]["party_types"]}
INTAKE_CHANNELS: tuple[str, ...] = tuple(c["key"] for c in _REF["intake_channels"])
SUPERVISION_LEVELS: tuple[str, ...] = tuple(lv["key"] for lv in _REF["supervision_levels"])
# The task source a channel's tasks carry.
CHANNEL_SOURCE = {"HOTLINE_12345": "PUBLIC_COMPLAINT", "WECHAT": "PUBLIC_COMPLAINT", "RIVER_CHIEF": "RIVER_CHIEF",
                  "INSPECTION_TEAM": "INSPECTION_TEAM"}


def required_items(plan_type: str, online_monitoring_required: bool) -> list[str]:
    """What acceptance of this plan type needs (lifecycle.json remediation_acceptance)."""
    items = list(ACCEPTANCE[plan_type]["requires"])
    if "ONLINE_MONITORING_IF_REQUIRED" in items and not online_monitoring_required:
        items.remove("ONLINE_MONITORING_IF_REQUIRED")
    return items


def permit_kind(category: str, subtype: str | None) -> str:
    """Order 35: APPROVAL for industrial and mining enterprise, park sewage plant and urban sewage plant
    outfalls; REGISTRATION for every other outfall. Decided by the HJ 1312 subtype (prefix match), by the
    category when no subtype is known. Stormwater outlets of those units are separate subtypes
    (…_storm) and so are registered, not approved."""
    a = _REF["approval"]
    if subtype:
        return "APPROVAL" if any(subtype == p or subtype.startswith(p + ".") for p in a["approval_subtypes"]) \
            else "REGISTRATION"
    return "APPROVAL" if category in a["approval_categories"] else "REGISTRATION"


def escalation_days_default() -> int:
    return int(_REF["supervision_escalation"]["default_days"])


@lru_cache(maxsize=1)
def reaches() -> dict[str, dict]:
    return {r["key"]: r for r in _REF["receiving_waters"]["reaches"]}


_URL = re.compile(r"https?://[^\s),;，；）]+")


def reference_source(key: str) -> dict | None:
    """A source key as the reference data cites it (S… in domain.json, L… in lifecycle.json): its text,
    a title (the text before its first " — ", where the citation is), and the addresses in it."""
    text = _REF["sources"].get(key) or domain()["sources"].get(key)
    if not isinstance(text, str):
        return None
    return {"key": key, "title": text.split(" — ", 1)[0].strip(), "text": text,
            "urls": [u.rstrip(".") for u in _URL.findall(text)]}


def reach_max_distance_m() -> float:
    return float(_REF["receiving_waters"]["max_distance_m"])


def undetermined_party(district_name: str) -> str:
    return _REF["tracing"]["undetermined_party"].format(district=district_name)
