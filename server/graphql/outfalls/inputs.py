from __future__ import annotations

import uuid

import strawberry

from server.graphql.common import GeoPointInput
from server.graphql.enums import (CampaignPhase, DischargeStandard, OutfallCategory, OutfallStatus, Parameter,
                                  RemediationApproach, WaterClass)


@strawberry.input
class RegisterOutfallInput:
    client_id: uuid.UUID
    name: str
    category: OutfallCategory
    river_code: str
    district_code: str
    location: GeoPointInput
    subtype: str | None = None
    water_class: WaterClass | None = None
    responsible_unit: str | None = None
    signboard_installed: bool | None = False
    media_ids: list[strawberry.ID] | None = strawberry.field(default_factory=list)
    suspected: bool | None = strawberry.field(
        default=False, description="Found by remote sensing, UAV or a report, not yet seen on site (查: SUSPECTED).")
    gps_fix: GeoPointInput | None = strawberry.field(
        default=None, description="The phone's GPS fix when registering, when `location` is a pin the inspector "
                                  "moved by hand; both are stored.")


@strawberry.input
class UpdateOutfallInput:
    name: str | None = None
    category: OutfallCategory | None = None
    subtype: str | None = None
    river_code: str | None = None
    water_class: WaterClass | None = None
    phase: CampaignPhase | None = None
    remediation: RemediationApproach | None = None
    status: OutfallStatus | None = None
    responsible_unit: str | None = None
    signboard_installed: bool | None = None
    location: GeoPointInput | None = None

    def changes(self) -> dict:
        out = {}
        for k in ("name", "subtype", "river_code", "responsible_unit", "signboard_installed"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        for k in ("category", "water_class", "phase", "remediation", "status"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v.value
        if self.location is not None:
            out["location"] = self.location.to_point()
        return out


@strawberry.input
class ApprovedLimitInput:
    parameter: Parameter
    limit_max: float | None = None
    limit_min: float | None = None
    basis: str | None = None


@strawberry.input(description="A supervisor's assignment of the standard an outfall's effluent is judged against.")
class SetDischargeStandardInput:
    standard: DischargeStandard
    grade: str | None = None
    sector_standard: str | None = None
    approved_limits: list[ApprovedLimitInput] | None = strawberry.field(
        default=None, description="Replaces the approved limits when given; null leaves them as they are.")
