"""The API's enums, derived from the domain's values (so a value added there appears here, once).

Values equal names, so models store the same strings. Every value carries a description: the domain's
Chinese label where it has one, else the words below.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import cast

import strawberry

from server.domain.evidence.checks import CODES as CHECK_CODES
from server.domain.evidence.checks import SEVERITIES
from server.domain.geo.crs import CRS_NAMES
from server.domain.media.models import KINDS as MEDIA_KINDS
from server.domain.media.models import ROLES as MEDIA_ROLES
from server.domain.media.models import STATUSES as MEDIA_STATUSES
from server.domain.outfalls import labels as outfall_labels
from server.domain.outfalls.models import CATEGORIES, PHASES, REMEDIATIONS, STATUSES, WATER_CLASSES
from server.domain.outfalls.service import GROUP_COLUMNS
from server.domain.standards.limits import PARAMETERS, parameter_label
from server.domain.stations import params as station_params
from server.domain.tasks import labels as task_labels
from server.domain.tasks.models import DECISIONS, EVENT_TYPES, KINDS, SOURCES, SUBMISSION_STATUSES
from server.domain.tasks.models import STATUSES as TASK_STATUSES
from server.domain.users.models import ROLES
from server.domain.users.tokens import SCOPES
from server.reference import lifecycle


def enum_of(name: str, values: Iterable[str] | str, description: str | None = None,
            words: dict[str, str] | Callable[[], dict[str, str]] | None = None) -> type[Enum]:
    """A GraphQL enum whose values are `values` (a domain tuple), each described by `words` or spelled out."""
    if isinstance(values, str):
        values = values.split()
    said = (words() if callable(words) else words) or {}
    members = {_member(v): strawberry.enum_value(v, description=said.get(v) or _spoken(v)) for v in values}
    # Enum's functional API makes a class; mypy types the call as an instance unless its arguments are literals.
    cls = cast(type[Enum], Enum(name, members))
    return strawberry.enum(cls, description=description or f"{name} values.")


def _member(value: str) -> str:
    return value.replace(":", "_").upper() if not value.isupper() else value


def _spoken(value: str) -> str:
    return value.replace("_", " ").replace(":", " ").lower().capitalize() + "."


Role = enum_of("Role", ROLES, "What a user may do; INSPECTOR and DISTRICT_OFFICER are bound to one district.", {
    "INSPECTOR": "巡查员: patrols, inspects and registers outfalls in their district.",
    "DISTRICT_OFFICER": "区县专员: rectifies the district's tasks.",
    "SUPERVISOR": "市级督办: raises and reviews tasks city-wide.",
    "ADMIN": "系统管理员: everything, and user administration.",
    "INTEGRATOR": "An outside system acting through an API token, within its scopes."})
Scope = enum_of("Scope", SCOPES, "What an integrator API token may do.", {
    "read": "Read the register, tasks and reference data.",
    "tasks:create": "Raise detection tasks (illegal discharge, floating debris, riverbank garbage).",
    "readings:write": "Send water-quality station readings."})
Crs = enum_of("Crs", CRS_NAMES, "A coordinate datum.", {
    "WGS84": "GPS coordinates (the API's own).", "GCJ02": "The datum of Gaode/Tencent map tiles.",
    "BD09": "The datum of Baidu map tiles."})
OutfallCategory = enum_of("OutfallCategory", CATEGORIES, "HJ 1312-2023 outfall category.",
                        outfall_labels.category_labels)
CampaignPhase = enum_of("CampaignPhase", PHASES, "Where the outfall stands in 查测溯治 (find, test, trace, fix).",
                      outfall_labels.phase_labels)
RemediationApproach = enum_of("RemediationApproach", REMEDIATIONS, "How an outfall is remediated.", {
    "BAN": "依法取缔: ban it.", "MERGE": "清理合并: merge it into another.", "RECTIFY": "规范整治: rectify it."})
OutfallStatus = enum_of("OutfallStatus", STATUSES, "Whether the outfall still discharges.", outfall_labels.STATUS_LABELS)
WaterClass = enum_of("WaterClass", WATER_CLASSES, "GB 3838-2002 surface-water class of the receiving water.",
                   {c: f"Class {c}." for c in WATER_CLASSES})
TaskKind = enum_of("TaskKind", KINDS, "What a task asks the district to deal with.", task_labels.KIND_LABELS)
TaskSource = enum_of("TaskSource", SOURCES, "Who or what found the problem.", task_labels.SOURCE_LABELS)
TaskStatus = enum_of("TaskStatus", TASK_STATUSES, "Where a task stands.", task_labels.STATUS_LABELS)
ReviewDecision = enum_of("ReviewDecision", DECISIONS, "A reviewer's decision on a submission.", {
    "APPROVE": "Close the task.", "REJECT": "Send it back to the district (a reason is required)."})
SubmissionStatus = enum_of("SubmissionStatus", SUBMISSION_STATUSES, "Where a rectification submission stands.")
MediaKind = enum_of("MediaKind", MEDIA_KINDS, "Photo or video.")
MediaStatus = enum_of("MediaStatus", MEDIA_STATUSES, "An upload's state.", {
    "PENDING": "Ticket issued; the file is not yet checked.", "READY": "Checked and usable.",
    "REJECTED": "Refused (size, hash, format or expiry)."})
MediaRole = enum_of("MediaRole", MEDIA_ROLES, "What a photo shows.", {
    "GENERAL": "The site.", "BEFORE": "Before rectification.", "AFTER": "After rectification.",
    "SIGNBOARD": "The outfall's signboard.", "SAMPLE": "A water sample."})
CheckSeverity = enum_of("CheckSeverity", SEVERITIES, "How much an evidence check matters.", {
    "INFO": "For the record.", "WARNING": "A reviewer should look.", "FAIL": "The evidence does not hold."})
EvidenceCheckCode = enum_of("EvidenceCheckCode", CHECK_CODES, "An automatic check of a photo's evidence.", {
    "NO_EXIF_TIME": "No capture time in the photo.", "NO_EXIF_GPS": "No position in the photo.",
    "FAR_FROM_SITE": "Taken far from the site.", "TAKEN_BEFORE_TASK": "An after photo taken before the task.",
    "TAKEN_AFTER_UPLOAD": "Capture time later than the upload.", "TAKEN_IN_FUTURE": "Capture time in the future.",
    "DUPLICATE_FILE": "The same file was uploaded before.", "NEAR_DUPLICATE": "Nearly the same picture as another.",
    "AFTER_SAME_AS_BEFORE": "The after photo is the before photo.",
    "EDITED_BY_SOFTWARE": "Saved by editing software.",
    "ATTESTATION_FAILED": "The capture signature does not verify.", "NOT_ATTESTED": "No capture signature.",
    "FIX_TIME_MISMATCH": "The GPS fix time disagrees with the capture time.",
    "CLOCK_OFFSET": "The device clock was off.", "ATTESTED": "Signed by a registered device at capture."})
Parameter = enum_of("Parameter", PARAMETERS, "A water-quality parameter measured at an outfall.",
                    lambda: {p: parameter_label(p) for p in PARAMETERS})
OutfallGroupBy = enum_of("OutfallGroupBy", tuple(GROUP_COLUMNS), "How outfallStats groups the register.")
TaskEventType = enum_of("TaskEventType", EVENT_TYPES, "What happened to a task.")
StationLevel = enum_of("StationLevel", station_params.LEVELS, "Who runs a water-quality station.", {
    "NATIONAL": "国控", "MUNICIPAL": "市控", "DISTRICT": "区控/县控"})
StationStatus = enum_of("StationStatus", station_params.STATUSES, "Whether a station reports.")
WaterBody = enum_of("WaterBody", station_params.WATER_BODIES, "The kind of water a station samples.")
StationParameter = enum_of("StationParameter", station_params.KEYS, "A parameter a station measures.", lambda: {
    k: f"{p.name_zh} ({p.unit})" if p.unit else p.name_zh for k, p in station_params.BY_KEY.items()})
ReadingFlag = enum_of("ReadingFlag", station_params.FLAGS, "The quality flag of a station reading.")
SampleType = enum_of("SampleType", "EFFLUENT UPSTREAM DOWNSTREAM", "What a reading sampled: the outfall's discharge or the river.")
MeasurementMethod = enum_of("MeasurementMethod", "KIT LAB", "KIT: a field screening result; LAB confirms it.")
JudgementBasis = enum_of("JudgementBasis", "DISCHARGE APPROVED RECEIVING_WATER", "What a reading was judged against.")
DischargeStandard = enum_of("DischargeStandard", "UNASSIGNED GB8978 GB18918 GB18596 DB50_848 SECTOR STORMWATER",
                            "The discharge standard an outfall's effluent is judged against.", lambda: {
                                d["key"]: " ".join(x for x in (d.get("no"), d["name_zh"]) if x) + (f": {d['applies']}." if d.get('applies') else ".")
                                for d in lifecycle()["discharge_standards"]})
