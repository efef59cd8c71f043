"""The phone's offline limits come from the server: the same rows `judge` applies."""
from __future__ import annotations

from server.domain.standards import judge


async def test_standard_limits_match_judge(gql, users):
    g = await gql.as_("inspector")
    rows = (await g("{ standardLimits { standard level parameter scope condition direction limit limitLow unit } }"))[
        "standardLimits"]
    assert rows and {r["standard"] for r in rows} == {"GB 3838-2002", "GB 18918-2002", "GB 8978-1996"}
    cod_iii = next(r for r in rows if r["standard"] == "GB 3838-2002" and r["level"] == "III" and r["parameter"] == "COD")
    j = judge("COD", 25.0, category="OTHER", water_class="III")
    assert (cod_iii["limit"], cod_iii["unit"], cod_iii["direction"]) == (j.limit, j.unit, "max") and j.exceeded
    assert (await gql.error("{ standardLimits { limit } }", token=""))["extensions"]["code"] == "UNAUTHENTICATED"
    bad = await g.error('{ standardLimits(sewageGrade: "9Z") { limit } }')
    assert bad["extensions"]["code"] == "BAD_USER_INPUT" and "sewageGrade" in bad["message"]


async def test_all_grades_for_outfalls_with_their_own_grade(gql, users):
    """Each outfall has its own GB 18918 grade since issue 19: the phone asks for every grade."""
    from server.domain.standards import limits_table

    g = await gql.as_("inspector")
    q = "{ standardLimits(allGrades: true) { standard level label parameter scope condition direction limit limitLow unit } }"
    rows = (await g(q))["standardLimits"]
    assert {r["level"] for r in rows if r["standard"] == "GB 18918-2002"} == {"1A", "1B", "2", "3"}
    snake = [{("limit_low" if k == "limitLow" else k): v for k, v in r.items()} for r in rows]
    assert snake == limits_table(sewage_grade=None)
    one = (await g("{ standardLimits { standard level } }"))["standardLimits"]
    assert len({r["level"] for r in one if r["standard"] == "GB 18918-2002"}) == 1  # without it: the server's grade
    bad = await g.error('{ standardLimits(sewageGrade: "1A", allGrades: true) { limit } }')
    assert bad["extensions"]["code"] == "BAD_USER_INPUT" and bad["extensions"]["field"] == "allGrades"
