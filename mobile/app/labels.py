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
    "verifyOutfall": N_("Verification"), "submitTracingRecord": N_("Tracing record"),
}
# 查: a suspect (found by remote sensing, a drone or a report) is verified on site or found not to be one.
VERIFICATION = {"SUSPECTED": N_("Suspected, to be verified on site"), "VERIFIED": N_("Verified on site"),
                "NOT_OUTFALL": N_("Not an outfall")}
PARTY_TYPES = {"ENTERPRISE": N_("Enterprise"), "INSTITUTION": N_("Public body or organisation"),
               "INDIVIDUAL": N_("Individual"), "LOCAL_GOVERNMENT": N_("Local government (none found)"),
               "OTHER": N_("Other")}
TRACING_METHODS = {"FIELD_SURVEY": N_("Field survey"), "PIPE_INSPECTION": N_("Pipe inspection (CCTV)"),
                   "DYE_TEST": N_("Dye tracing"), "WATER_QUALITY": N_("Water quality comparison"),
                   "RECORDS": N_("Records (permits, EIA)"), "INTERVIEW": N_("Interviews"), "OTHER": N_("Other")}
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


# What mobile.core says when it refuses a lifecycle record (English msgids, shown with _()).
CORE_MESSAGES = (
    N_("a unified social credit code has 18 characters"),
    N_("not a unified social credit code (digits and capitals without I, O, S, V, Z)"),
    N_("the check character (18th) does not match"),
    N_("an enterprise is named with its unified social credit code"),
    N_("an individual has no unified social credit code"),
    N_("name the responsible party, or say it cannot be determined"),
    N_("name the sources of the sewage"),
    N_("say how the source was traced"),
    N_("say why the source cannot be determined"),
    N_("party type must be one of ENTERPRISE, INSTITUTION, INDIVIDUAL, LOCAL_GOVERNMENT, OTHER"),
    N_("a dry outfall has no effluent to sample"),
    N_("a dry outfall is not flowing"),
)
