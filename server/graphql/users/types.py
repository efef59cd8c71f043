from __future__ import annotations

from datetime import datetime

import strawberry

from server.domain.users.models import User as UserRow
from server.graphql.common import UPDATED_AT
from server.graphql.enums import Role
from server.graphql.geo.types import District


@strawberry.type
class User:
    id: strawberry.ID
    username: str
    display_name: str
    role: Role
    district: District | None
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @classmethod
    async def load(cls, info, u: UserRow) -> "User":
        d = await info.context.loaders.district.load(u.district_code) if u.district_code else None
        return cls(id=strawberry.ID(str(u.id)), username=u.username, display_name=u.display_name,
                   role=Role(u.role), district=District.from_model(d) if d else None, updated_at=u.updated_at)


@strawberry.type
class AuthPayload:
    token: str
    expires_at: datetime
    user: User
