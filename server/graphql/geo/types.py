from __future__ import annotations

import strawberry

from server.domain.geo.models import District as DistrictRow, River as RiverRow


@strawberry.type
class District:
    code: str
    name: str
    name_en: str

    @classmethod
    def from_model(cls, d: DistrictRow) -> "District":
        return cls(code=d.code, name=d.name, name_en=d.name_en)


@strawberry.type
class River:
    code: str
    name: str
    name_en: str

    @classmethod
    def from_model(cls, r: RiverRow) -> "River":
        return cls(code=r.code, name=r.name, name_en=r.name_en)
