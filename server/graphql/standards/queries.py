"""The limits the server judges readings against, for the phone's offline exceedance check."""
from __future__ import annotations

import strawberry

from server.domain.errors import BadInput
from server.domain.permissions import require
from server.domain.standards.limits import limits_table
from server.graphql.context import Info


@strawberry.type(description="One limit of GB 3838-2002, GB 18918-2002 or GB 8978-1996 as `judge` applies it.")
class StandardLimit:
    standard: str
    level: str
    label: str
    parameter: str
    scope: str | None = strawberry.field(description="river / lake where GB 3838 differs (TP, TN).")
    condition: str | None = strawberry.field(description="e.g. water_temp<=12 for GB 18918 NH3-N.")
    direction: str = strawberry.field(description="max, min or range.")
    limit: float | None
    limit_low: float | None
    unit: str


@strawberry.type
class StandardsQuery:
    @strawberry.field(description="Every limit for this server's sewage-plant grade (or the grade given); with "
                                  "allGrades, every GB 18918 grade (each outfall has its own grade since its "
                                  "standard is assigned per outfall: the phone judges offline with these).")
    def standard_limits(self, info: Info, sewage_grade: str | None = None,
                        all_grades: bool = False) -> list[StandardLimit]:
        require(info.context.actor, "outfall.read")
        if all_grades and sewage_grade:
            raise BadInput("give sewageGrade or allGrades, not both", field="allGrades")
        rows = limits_table(sewage_grade=None if all_grades else sewage_grade or info.context.settings.sewage_grade)
        return [StandardLimit(standard=r["standard"], level=r["level"], label=r["label"], parameter=r["parameter"],
                              scope=r["scope"], condition=r["condition"], direction=r["direction"], limit=r["limit"],
                              limit_low=r["limit_low"], unit=r["unit"]) for r in rows]
