"""Patrol queries and the idempotent recordPatrol mutation."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from server.domain.patrols import service
from server.graphql.common import UPDATED_SINCE, connection, parse_id
from server.graphql.context import Info
from server.graphql.patrols.types import Patrol, PatrolConnection, PatrolEdge, RecordPatrolInput
from server.graphql.writes import write


@strawberry.type
class PatrolQuery:
    @strawberry.field
    async def patrol(self, info: Info, id: strawberry.ID) -> Patrol | None:
        async with info.context.db.session() as s:
            p = await service.get_patrol(session=s, actor=info.context.signed_in, patrol_id=parse_id(id))
        return Patrol.from_model(p) if p else None

    @strawberry.field(description="Patrols, newest first; district roles see their own district's and their own.")
    async def patrols(self, info: Info, district_code: str | None = None, mine: bool = False,
                      first: int | None = None, after: str | None = None, last: int | None = None,
                      before: str | None = None,
                      updated_since: Annotated[datetime | None, strawberry.argument(description=UPDATED_SINCE)] = None
                      ) -> PatrolConnection:
        ctx = info.context
        async with ctx.db.session() as s:
            page = await service.list_patrols(session=s, actor=ctx.signed_in, first=first, after=after, last=last,
                                              before=before, cap=ctx.settings.max_page,
                                              district_code=district_code, mine=mine, updated_since=updated_since)
        return connection(PatrolConnection, PatrolEdge, [Patrol.from_model(r) for r in page.items], page)


@strawberry.type
class PatrolMutation:
    @strawberry.mutation(description="Upload a finished patrol's track; idempotent on clientId.")
    async def record_patrol(self, info: Info, input: RecordPatrolInput) -> Patrol:
        ctx = info.context
        track = [service.TrackPoint(lat=p.lat, lon=p.lon, at=p.at, accuracy_m=p.accuracy_m) for p in input.track]
        async with write(info) as s:
            p = await service.record_patrol(session=s, actor=ctx.signed_in, client_id=input.client_id,
                                            started_at=input.started_at, ended_at=input.ended_at, track=track,
                                            note=input.note, mocked_location=bool(input.mocked_location))
        return Patrol.from_model(p)
