"""The outfall's life as fields of Outfall (attached in server/graphql/outfalls/types.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.lifecycle import receiving
from server.domain.lifecycle.public import public_path
from server.domain.lifecycle.rules import permit_kind
from server.domain.permissions import can
from server.graphql.enums import WaterClass
from server.graphql.lifecycle.enums import PermitKind, TargetBasis, Verification

if TYPE_CHECKING:  # strawberry.lazy resolves these at schema build; the names are for linters
    from server.graphql.lifecycle.types import (OutfallPermit, ReceivingWater, RemediationPlan,  # noqa: F401
                                                TracingRecord)

# Lazy, so server.graphql.outfalls.types does not import the lifecycle types (which build outfalls).
_T = "server.graphql.lifecycle.types"
PermitRef = Annotated["OutfallPermit", strawberry.lazy(_T)]
PlanRef = Annotated["RemediationPlan", strawberry.lazy(_T)]
TracingRef = Annotated["TracingRecord", strawberry.lazy(_T)]
ReceivingWaterRef = Annotated["ReceivingWater", strawberry.lazy(_T)]


def verification(root) -> Verification | None:
    return Verification(root.row.verification) if root.row.verification else None


def permit_required(root) -> PermitKind:
    return PermitKind(permit_kind(root.row.category, root.row.subtype))


async def permit(root, info: strawberry.Info) -> PermitRef | None:
    from server.graphql.lifecycle.types import OutfallPermit

    p = await info.context.loaders.permit.load(root.row.id)
    return OutfallPermit.from_model(p) if p else None


async def plan(root, info: strawberry.Info) -> PlanRef | None:
    from server.graphql.lifecycle.types import RemediationPlan

    p = await info.context.loaders.plan.load(root.row.id)
    return RemediationPlan.from_model(p) if p else None


async def tracing(root, info: strawberry.Info) -> TracingRef | None:
    from server.graphql.lifecycle.types import TracingRecord

    if not can(info.context.actor, "trace.read", root.row.district_code):
        return None  # contacts are the district's and the city's to see
    r = await info.context.loaders.approved_tracing.load(root.row.id)
    return TracingRecord.from_model(r) if r else None


async def tracing_records_field(root, info: strawberry.Info) -> list[TracingRef]:
    from server.graphql.lifecycle.types import TracingRecord

    if not can(info.context.actor, "trace.read", root.row.district_code):
        return []
    return [TracingRecord.from_model(r) for r in await info.context.loaders.tracing_records.load(root.row.id)]


async def receiving_water(root, info: strawberry.Info) -> ReceivingWaterRef:
    from server.graphql.lifecycle.types import ProtectedZone, ReceivingReach, ReceivingWater

    zones = await info.context.loaders.zones.load((root.row.lat, root.row.lon))
    w = receiving.receiving_water_with(root.row, zones)
    return ReceivingWater(reach=ReceivingReach.from_ref(w.reach) if w.reach else None, derived=w.derived,
                          distance_m=round(w.distance_m, 1) if w.distance_m is not None else None,
                          target_class=WaterClass(w.target_class) if w.target_class else None,
                          target_basis=TargetBasis(w.target_basis), zones=[ProtectedZone.from_model(z) for z in w.zones],
                          new_outfall_prohibited=w.new_outfall_prohibited)


def public_url(root, info: strawberry.Info) -> str:
    return info.context.settings.public_url.rstrip("/") + public_path(root.row.code)
