"""Words for the server's enum values. Marked with N_ here, translated with _() when shown."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from mobile.app.i18n import N_, _, language

SUBTYPES_FILE = Path(__file__).resolve().parent.parent / "assets" / "hj1312_categories.json"

CATEGORIES = {  # HJ 1312-2023 top level
    "INDUSTRIAL": N_("Industrial outfall"),
    "URBAN_SEWAGE_PLANT": N_("Urban sewage plant outfall"),
    "AGRICULTURAL": N_("Agricultural outfall"),
    "OTHER": N_("Other outfall"),
}
PHASES = {  # 查测溯治
    "SURVEYED": N_("Investigated (cha)"),
    "MONITORED": N_("Monitored (ce)"),
    "TRACED": N_("Traced (su)"),
    "REMEDIATED": N_("Remediated (zhi)"),
}
PHASE_ORDER = ("SURVEYED", "MONITORED", "TRACED", "REMEDIATED")
PHASE_SHORT = {"SURVEYED": N_("Find"), "MONITORED": N_("Test"), "TRACED": N_("Trace"), "REMEDIATED": N_("Fix")}
WATER_CLASSES = ("I", "II", "III", "IV", "V")
TASK_STATUS = {
    "OPEN": N_("Open"), "IN_PROGRESS": N_("In progress"), "SUBMITTED": N_("Submitted"),
    "APPROVED": N_("Approved"), "REJECTED": N_("Rejected"), "CANCELLED": N_("Cancelled"),
}
TASK_KINDS = {
    "ILLEGAL_DISCHARGE": N_("Illegal discharge"), "EXCEEDANCE": N_("Exceedance"),
    "FLOATING_DEBRIS": N_("Floating debris"), "RIVERBANK_GARBAGE": N_("Riverbank garbage"),
    "SIGNBOARD": N_("Signboard"), "OUTFALL_REMEDIATION": N_("Outfall remediation"), "OTHER": N_("Other"),
}
SEVERITY = {"INFO": N_("Info"), "WARNING": N_("Warning"), "FAIL": N_("Fail")}
ROLES = {"INSPECTOR": N_("Inspector"), "DISTRICT_OFFICER": N_("District officer"),
         "SUPERVISOR": N_("Supervisor"), "ADMIN": N_("Administrator"), "INTEGRATOR": N_("Integrator")}
OUTBOX_KINDS = {
    "registerOutfall": N_("New outfall"), "recordInspection": N_("Inspection"),
    "submitRectification": N_("Rectification"), "reviewSubmission": N_("Review"),
    "startTask": N_("Start task"), "recordPatrol": N_("Patrol"), "createTask": N_("Patrol finding"),
}
# Rapid-test parameters an inspector reads on site (units come from mobile.core.limits.UNITS).
PARAMETERS = {
    "PH": N_("pH"), "WATER_TEMP": N_("Water temperature"), "CONDUCTIVITY": N_("Conductivity"),
    "COD": N_("COD"), "NH3_N": N_("Ammonia nitrogen"), "TP": N_("Total phosphorus"),
    "TN": N_("Total nitrogen"), "DO": N_("Dissolved oxygen"), "TURBIDITY": N_("Turbidity"),
}


# Every API parameter code, longest first so NH3_N is not read as a shorter code inside it.
_CODES = sorted({*PARAMETERS, "CODMN", "BOD5", "FLOW"}, key=len, reverse=True)
_CODE_RE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, _CODES)) + r")(?![A-Za-z0-9_])")
_EXTRA_NAMES = {"CODMN": N_("Permanganate index"), "BOD5": N_("BOD5"), "FLOW": N_("Flow")}


def readable_title(title: str | None) -> str:
    """A task title with any parameter code in it (NH3_N, WATER_TEMP…) said in words: titles written
    by older servers, or typed at a desk, still carry codes."""
    if not title:
        return ""
    return _CODE_RE.sub(lambda m: _(PARAMETERS.get(m.group(1)) or _EXTRA_NAMES[m.group(1)]), title)


def label(table: dict[str, str], value: str | None) -> str:
    """The translated word for an enum value; the raw value if we have no word for it."""
    if value is None:
        return "—"
    return _(table[value]) if value in table else str(value)


def parameter_name(code: str) -> str:
    return label(PARAMETERS, code)


def choices(table: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in table.items()]


@lru_cache(maxsize=1)
def subtypes() -> dict[str, list[dict]]:
    """HJ 1312-2023 subtypes under each API category (bundled by mobile/tools/gen_categories.py)."""
    return json.loads(SUBTYPES_FILE.read_text(encoding="utf-8"))


def subtype_name(subtype_id: str | None) -> str | None:
    """A subtype id (e.g. other.port_wharf) in the interface language; the id itself if unknown."""
    if not subtype_id:
        return None
    for rows in subtypes().values():
        for r in rows:
            if r["id"] == subtype_id:
                return r["name_zh"] if language().startswith("zh") else r["name_en"]
    return subtype_id

# What each kind of failure means to the person holding the phone; the server's own sentence follows.
ERROR_KINDS = {
    "BAD_USER_INPUT": N_("The server refused the data"),
    "UPLOAD_INVALID": N_("The server rejected the photo"),
    "FORBIDDEN": N_("Not allowed for your account"),
    "NOT_FOUND": N_("Not found on the server"),
    "CONFLICT": N_("Conflicts with what the server already has"),
    "INVALID_STATE": N_("No longer possible in its current state"),
    "UNAUTHENTICATED": N_("Sign in again"),
    "RATE_LIMITED": N_("Too many requests; will retry"),
    "INTERNAL_SERVER_ERROR": N_("Server error; will retry"),
    "TRANSPORT": N_("No connection; will retry"),
}


def error_reason(error) -> str:
    """A failure as '<what it means>: <the server's sentence>', the first part in the UI language."""
    if error is None:
        return ""
    kind = ERROR_KINDS.get(error.code)
    if kind and language().startswith("zh"):
        # The meaning in Chinese first; the server's own (English) sentence marked as such, not mixed in.
        return _(kind) + _(" (server's words: {message})").format(message=error.message)
    return f"{_(kind)}: {error.message}" if kind else error.message
