from __future__ import annotations

import strawberry

from server.domain.outfalls import service
from server.graphql.common import parse_id, parse_ids
from server.graphql.context import Info
from server.graphql.writes import write
from server.domain.outfalls import standards
from server.graphql.outfalls.inputs import RegisterOutfallInput, SetDischargeStandardInput, UpdateOutfallInput
from server.graphql.outfalls.types import Outfall, build_outfalls


@strawberry.type
class OutfallMutation:
    @strawberry.mutation(description="Register an outfall (phase SURVEYED); idempotent on clientId.")
    async def register_outfall(self, info: Info, input: RegisterOutfallInput) -> Outfall:
        ctx = info.context
        async with write(info) as s:
            o = await service.register_outfall(
                session=s, actor=ctx.signed_in, client_id=input.client_id, name=input.name,
                category=input.category.value, river_code=input.river_code, district_code=input.district_code,
                location=input.location.to_point(), subtype=input.subtype,
                water_class=input.water_class.value if input.water_class else None,
                responsible_unit=input.responsible_unit, signboard_installed=bool(input.signboard_installed),
                media_ids=parse_ids(input.media_ids, "mediaIds"), settings=ctx.settings,
                suspected=bool(input.suspected),
                gps_fix=input.gps_fix.to_point() if input.gps_fix else None)
        return (await build_outfalls(info, [o]))[0]

    @strawberry.mutation(description="Change an outfall's facts; the 查测溯治 phase only moves forward.")
    async def update_outfall(self, info: Info, id: strawberry.ID, input: UpdateOutfallInput) -> Outfall:
        ctx = info.context
        async with write(info) as s:
            o = await service.update_outfall(session=s, actor=ctx.signed_in, outfall_id=parse_id(id),
                                             changes=input.changes())
        return (await build_outfalls(info, [o]))[0]

    @strawberry.mutation(description="Assign the discharge standard, grade and approved limits (SUPERVISOR, ADMIN).")
    async def set_discharge_standard(self, info: Info, id: strawberry.ID, input: SetDischargeStandardInput) -> Outfall:
        ctx = info.context
        limits = None if input.approved_limits is None else [
            standards.LimitInput(x.parameter.value, x.limit_max, x.limit_min, x.basis) for x in input.approved_limits]
        async with write(info) as s:
            o = await standards.set_discharge_standard(
                session=s, actor=ctx.signed_in, outfall_id=parse_id(id), standard=input.standard.value,
                grade=input.grade, sector=input.sector_standard, limits=limits)
        return (await build_outfalls(info, [o]))[0]
