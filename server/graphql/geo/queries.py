from __future__ import annotations

import strawberry

from server.domain.geo import service
from server.domain.permissions import require
from server.graphql.context import Info
from server.graphql.geo.types import District, River


@strawberry.type
class GeoQuery:
    @strawberry.field(description="All 38 county-level divisions of Chongqing (GB/T 2260).")
    async def districts(self, info: Info) -> list[District]:
        require(info.context.actor, "outfall.read")
        async with info.context.db.session() as s:
            return [District.from_model(d) for d in await service.list_districts(session=s)]

    @strawberry.field(description="Rivers: the Yangtze, Jialing and Wu main stems and their tributaries.")
    async def rivers(self, info: Info) -> list[River]:
        require(info.context.actor, "outfall.read")
        async with info.context.db.session() as s:
            return [River.from_model(r) for r in await service.list_rivers(session=s)]
