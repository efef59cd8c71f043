"""GraphQL types of patrols, built from the model."""
from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from server.domain.patrols.models import Patrol as PatrolRow
from server.domain.patrols.service import decode_track
from server.graphql.common import UPDATED_AT, PageInfo
from server.graphql.users.types import User


@strawberry.type
class TrackPoint:
    lat: float
    lon: float
    accuracy_m: float | None
    at: datetime


@strawberry.type(description="A patrol (巡河): a walk along a river recorded as a GPS track.")
class Patrol:
    id: strawberry.ID
    client_id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    received_at: datetime
    distance_m: float = strawberry.field(description="Length of the track, computed by the server.")
    duration_s: int
    point_count: int
    district_code: str | None
    mocked_location: bool = strawberry.field(description="The phone reported a mock location provider.")
    note: str | None
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[PatrolRow]

    @strawberry.field
    async def inspector(self, info: strawberry.Info) -> User:
        u = await info.context.loaders.user.load(self.row.inspector_id)
        return await User.load(info, u)

    @strawberry.field(description="The track, in the order recorded (WGS-84).")
    def track(self) -> list[TrackPoint]:
        return [TrackPoint(lat=p.lat, lon=p.lon, accuracy_m=p.accuracy_m, at=p.at) for p in decode_track(self.row)]

    @classmethod
    def from_model(cls, p: PatrolRow) -> "Patrol":
        return cls(id=strawberry.ID(str(p.id)), client_id=uuid.UUID(p.client_id), started_at=p.started_at,
                   ended_at=p.ended_at, received_at=p.received_at, distance_m=p.distance_m, duration_s=p.duration_s,
                   point_count=p.point_count, district_code=p.district_code, mocked_location=p.mocked_location,
                   note=p.note, updated_at=p.updated_at, row=p)


@strawberry.type
class PatrolEdge:
    node: Patrol
    cursor: str


@strawberry.type
class PatrolConnection:
    edges: list[PatrolEdge]
    nodes: list[Patrol] = strawberry.field(description="The nodes of `edges`, without their cursors.")
    page_info: PageInfo


@strawberry.input
class TrackPointInput:
    lat: float
    lon: float
    at: datetime
    accuracy_m: float | None = None


@strawberry.input
class RecordPatrolInput:
    client_id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    track: list[TrackPointInput]
    note: str | None = None
    mocked_location: bool | None = False
