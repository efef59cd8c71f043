"""The contract's enums. Values equal names, so models store the same strings."""
from __future__ import annotations

from enum import Enum

import strawberry


def _enum(name: str, values: str) -> type[Enum]:
    return strawberry.enum(Enum(name, {v: v for v in values.split()}))  # type: ignore[return-value]


Role = _enum("Role", "INSPECTOR DISTRICT_OFFICER SUPERVISOR ADMIN INTEGRATOR")
Crs = _enum("Crs", "WGS84 GCJ02 BD09")
OutfallCategory = _enum("OutfallCategory", "INDUSTRIAL URBAN_SEWAGE_PLANT AGRICULTURAL OTHER")
CampaignPhase = _enum("CampaignPhase", "SURVEYED MONITORED TRACED REMEDIATED")
RemediationApproach = _enum("RemediationApproach", "BAN MERGE RECTIFY")
OutfallStatus = _enum("OutfallStatus", "ACTIVE CLOSED")
WaterClass = _enum("WaterClass", "I II III IV V")
TaskKind = _enum("TaskKind", "ILLEGAL_DISCHARGE EXCEEDANCE FLOATING_DEBRIS RIVERBANK_GARBAGE SIGNBOARD "
                             "OUTFALL_REMEDIATION OTHER")
TaskSource = _enum("TaskSource", "INSPECTION SAMPLE_EXCEEDANCE VIDEO_AI DRONE MANUAL STATION")
TaskStatus = _enum("TaskStatus", "OPEN IN_PROGRESS SUBMITTED APPROVED REJECTED CANCELLED")
ReviewDecision = _enum("ReviewDecision", "APPROVE REJECT")
SubmissionStatus = _enum("SubmissionStatus", "PENDING_REVIEW APPROVED REJECTED")
MediaKind = _enum("MediaKind", "PHOTO VIDEO")
MediaStatus = _enum("MediaStatus", "PENDING READY REJECTED")
MediaRole = _enum("MediaRole", "GENERAL BEFORE AFTER SIGNBOARD SAMPLE")
CheckSeverity = _enum("CheckSeverity", "INFO WARNING FAIL")
EvidenceCheckCode = _enum("EvidenceCheckCode", "NO_EXIF_TIME NO_EXIF_GPS FAR_FROM_SITE TAKEN_BEFORE_TASK "
                                               "TAKEN_AFTER_UPLOAD TAKEN_IN_FUTURE DUPLICATE_FILE NEAR_DUPLICATE "
                                               "AFTER_SAME_AS_BEFORE EDITED_BY_SOFTWARE ATTESTATION_FAILED "
                                               "NOT_ATTESTED FIX_TIME_MISMATCH CLOCK_OFFSET ATTESTED")
Parameter = _enum("Parameter", "PH WATER_TEMP CONDUCTIVITY COD CODMN BOD5 NH3_N TP TN DO TURBIDITY FLOW")
OutfallGroupBy = _enum("OutfallGroupBy", "RIVER DISTRICT CATEGORY PHASE STATUS")
TaskEventType = _enum("TaskEventType", "CREATED STARTED SUBMITTED APPROVED REJECTED OVERDUE CANCELLED AMENDED")
StationLevel = _enum("StationLevel", "NATIONAL MUNICIPAL DISTRICT")
StationStatus = _enum("StationStatus", "ACTIVE SUSPENDED CLOSED")
WaterBody = _enum("WaterBody", "RIVER LAKE")
StationParameter = _enum("StationParameter", "WATER_TEMP PH DO CONDUCTIVITY TURBIDITY CODMN NH3_N TP TN")
ReadingFlag = _enum("ReadingFlag", "VALID MISSING FAULT SUSPECT")
