"""Enums of the outfall's life, from the domain's tuples and lifecycle.json (one home each)."""
from __future__ import annotations

from server.domain.inspections.service import OUTCOMES
from server.domain.lifecycle import models as m
from server.domain.lifecycle import rules
from server.graphql.enums import enum_of
from server.reference import lifecycle

_REF = lifecycle()
_names = lambda rows: {r["key"]: r["name_zh"] for r in rows}  # noqa: E731

PlanStatus = enum_of("PlanStatus", m.PLAN_STATUSES, "Where a remediation plan (一口一策) stands.", {
    "IN_PROGRESS": "整治中", "SUBMITTED": "待验收", "ACCEPTED": "已验收", "CLOSED_OUT": "已销号"})
AcceptanceItem = enum_of("AcceptanceItem", (*rules.EVIDENCE_ITEMS, "MERGED_INTO"),
                         "What acceptance of a plan needs, by type (lifecycle.json remediation_acceptance).", {
    "PLUGGING_EVIDENCE": "封堵证明", "SAMPLING_POINT": "监测采样点", "INSPECTION_WELL": "检查井",
    "SIGNBOARD_QR": "标识牌（含二维码）", "ONLINE_MONITORING_IF_REQUIRED": "在线监测（按要求）",
    "PASSING_RETEST": "复测达标", "MERGED_INTO": "并入的排口"})
PlanDecision = enum_of("PlanDecision", "ACCEPT REJECT", "The city's acceptance (验收) decision.")
TracingStatus = enum_of("TracingStatus", m.TRACING_STATUSES, "Where a tracing record stands.")
PartyType = enum_of("PartyType", tuple(rules.PARTY_TYPES), "Who a responsible party is.",
                    _names(_REF["tracing"]["party_types"]))
TracingMethod = enum_of("TracingMethod", rules.TRACING_METHODS, "How a source was traced.",
                        _names(_REF["tracing"]["methods"]))
PermitKind = enum_of("PermitKind", m.PERMIT_KINDS, "Order 35: approval (审批) or registration (登记).", {
    "APPROVAL": "审批", "REGISTRATION": "登记"})
PermitStatus = enum_of("PermitStatus", m.PERMIT_STATUSES, "Whether the approval or registration is in force.", {
    "IN_FORCE": "有效", "CANCELLED": "已注销"})
PermitChangeKind = enum_of("PermitChangeKind", m.PERMIT_CHANGES, "One step of a permit's history.", {
    "ISSUED": "批复/登记", "CHANGED": "变更", "CANCELLED": "注销"})
Verification = enum_of("Verification", m.VERIFICATIONS, "查: suspected, verified on site, or not an outfall.", {
    "SUSPECTED": "疑似", "VERIFIED": "已核实", "NOT_OUTFALL": "非排污口"})
VerifyOutcome = enum_of("VerifyOutcome", "VERIFIED NOT_OUTFALL", "What the on-site check of a suspect found.")
ZoneKind = enum_of("ZoneKind", m.ZONE_KINDS, "A protected or sensitive zone.", {
    "DRINKING_WATER_PROTECTION": "饮用水水源保护区", "PROTECTED_III": "III类水域中的保护区",
    "SWIMMING": "游泳区", "NATURE_RESERVE": "自然保护区", "OTHER_SENSITIVE": "其他敏感区"})
IntakeChannel = enum_of("IntakeChannel", rules.INTAKE_CHANNELS, "Where a task came in from.",
                        _names(_REF["intake_channels"]))
SupervisionLevel = enum_of("SupervisionLevel", rules.SUPERVISION_LEVELS, "Who supervises a task; rises when late.",
                           _names(_REF["supervision_levels"]))
InspectionOutcome = enum_of("InspectionOutcome", OUTCOMES, "What an inspection could do.", {
    "SAMPLED": "已采样", "DRY": "无水（无法采样）"})
TargetBasis = enum_of("TargetBasis", "OUTFALL REACH NONE",
                      "Where a receiving target class comes from: a supervisor's class, the reach's, or none known.")
