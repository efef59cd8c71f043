"""Offline exceedance check: the phone's table and rules give the server's judgement."""
from __future__ import annotations

import itertools

import pytest

from mobile.core import limits


def test_bundled_table_is_the_servers():
    from server.domain.standards.limits import UNITS, limits_table

    assert limits.bundled_rows() == limits_table(sewage_grade=None)
    assert limits.UNITS == UNITS


VALUES = {"PH": [5.5, 6.0, 7.0, 9.0, 9.5], "DO": [0.5, 2.0, 5.0, 7.6], "COD": [10, 20, 50, 120],
          "NH3_N": [0.1, 1.0, 5.0, 8.0, 16.0], "TP": [0.01, 0.2, 0.6], "TN": [0.5, 1.5, 20],
          "BOD5": [3, 10, 40], "CODMN": [2, 8, 16], "WATER_TEMP": [8, 25], "TURBIDITY": [30], "FLOW": [1.2],
          "CONDUCTIVITY": [800]}


@pytest.mark.parametrize("category", ["INDUSTRIAL", "URBAN_SEWAGE_PLANT", "AGRICULTURAL", "OTHER"])
def test_same_judgement_as_the_server(category):
    from server.domain.standards.limits import judge

    rows = limits.bundled_rows()
    n = 0
    for (param, values), wc, temp in itertools.product(VALUES.items(), [None, "I", "III", "V"], [None, 10.0]):
        for v in values:
            s = judge(param, v, category=category, water_class=wc, water_temp=temp)
            m = limits.check(rows, param, v, category=category, water_class=wc, water_temp=temp)
            assert (m.limit, m.limit_low, m.standard, m.exceeded, m.exceedance_ratio, m.direction) == \
                   (s.limit, s.limit_low, s.standard, s.exceeded, s.exceedance_ratio, s.direction), (param, v, wc)
            assert m.exceedance_multiple == s.exceedance_multiple, (param, v, wc)
            n += 1
    assert n > 200


def test_readable_results_and_temperature_bracket():
    rows = limits.bundled_rows()
    warm = limits.check_all(rows, {"NH3_N": 6.0, "WATER_TEMP": 20}, category="URBAN_SEWAGE_PLANT")
    cold = limits.check_all(rows, {"NH3_N": 6.0, "WATER_TEMP": 10}, category="URBAN_SEWAGE_PLANT")
    assert warm[0].exceeded and not cold[0].exceeded  # 5 mg/L above 12 °C, 8 mg/L at or below
    j = limits.for_outfall(rows, {"category": "OTHER", "waterClass": "III"}, {"COD": 50})[0]
    assert j.exceeded and j.exceedance_multiple == 1.5 and "超标1.50倍" in j.text() and "GB 3838-2002 III" in j.text()
    assert "达标" in limits.check(rows, "PH", 7.0, category="OTHER").text()
    with pytest.raises(ValueError, match="plausible"):
        limits.check(rows, "COD", 1e7, category="OTHER")


def test_server_style_camelcase_rows_are_accepted():
    rows = [{**r, "limitLow": r["limit_low"]} for r in limits.bundled_rows()]
    for r in rows:
        del r["limit_low"]
    assert limits.check(rows, "PH", 5.0, category="OTHER").limit_low == 6.0


@pytest.mark.parametrize("value,limit,direction", [
    (20, 20, "max"), (19.99, 20, "max"), (20.02, 20, "max"), (40, 20, "max"), (50, 20, "max"), (0, 20, "max"),
    (5, 0, "max"), (5, None, "max"), (40, 20, "min"), (40, 20, "range"), (40, 20, None)])
def test_multiple_is_the_servers(value, limit, direction):
    from server.domain.standards import exceedance_multiple

    assert limits.exceedance_multiple(value, limit, direction=direction) == \
        exceedance_multiple(value, limit, direction=direction)


def test_twice_the_limit_is_one_times_over():
    assert limits.exceedance_multiple(40, 20) == 1.0 and limits.exceedance_multiple(20, 20) is None


# ---- Each outfall judged by its own standard (issue 19 on the server; issue 16 on the phone) ------

def test_bundle_is_what_the_generator_builds_from_the_server():
    import json

    from mobile.tools.gen_limits_table import build

    assert json.loads(json.dumps(build())) == json.loads(limits._TABLE.read_text(encoding="utf-8"))


OUTFALLS = [  # (what, cached outfall fields as the phone stores them)
    ("GB 8978 一级", {"dischargeStandard": "GB8978", "dischargeGrade": "grade1"}),
    ("GB 8978 二级", {"dischargeStandard": "GB8978", "dischargeGrade": "grade2"}),
    ("GB 8978 三级", {"dischargeStandard": "GB8978", "dischargeGrade": "grade3"}),
    ("GB 18918 1A", {"dischargeStandard": "GB18918", "dischargeGrade": "1A"}),
    ("GB 18918 1B", {"dischargeStandard": "GB18918", "dischargeGrade": "1B"}),
    ("GB 18918 二级", {"dischargeStandard": "GB18918", "dischargeGrade": "2"}),
    ("GB 18918 三级", {"dischargeStandard": "GB18918", "dischargeGrade": "3"}),
    ("GB 8978, grade unset", {"dischargeStandard": "GB8978"}),
    ("unassigned", {"dischargeStandard": "UNASSIGNED"}),
    ("stormwater", {"dischargeStandard": "STORMWATER"}),
    ("GB 18596 (no table)", {"dischargeStandard": "GB18596"}),
    ("sector with approved limits", {"dischargeStandard": "SECTOR", "sectorStandard": "GB 13456-2012",
                                     "approvedLimits": [{"parameter": "COD", "limitMax": 80.0},
                                                        {"parameter": "PH", "limitMax": 9.0, "limitMin": 6.0},
                                                        {"parameter": "DO", "limitMin": 3.0}]}),
    ("GB 8978 一级 with a stricter approved COD", {"dischargeStandard": "GB8978", "dischargeGrade": "grade1",
                                                 "approvedLimits": [{"parameter": "COD", "limitMax": 50.0}]}),
    ("rural sewage, approved NH3-N", {"dischargeStandard": "DB50_848", "dischargeGrade": "一级",
                                      "approvedLimits": [{"parameter": "NH3_N", "limitMax": 8.0}]}),
]
RIVERS = [({"receivingTarget": "II"}, "II"), ({"waterClass": "IV"}, "IV"), ({"river": {"code": "YANGTZE"}}, "II"),
          ({"river": {"code": "JIALING"}}, None), ({}, None)]


def _server_effluent(outfall, parameter, value, water_temp):
    from server.domain.standards.applicable import ApprovedLimit, DischargeStandard, assess_effluent

    approved = {a["parameter"]: ApprovedLimit(a["parameter"], a.get("limitMax"), a.get("limitMin"))
                for a in outfall.get("approvedLimits") or []}
    std = DischargeStandard(outfall["dischargeStandard"], outfall.get("dischargeGrade"), outfall.get("sectorStandard"))
    return assess_effluent(parameter, value, std, approved, water_temp=water_temp)


def _same(mine, theirs, what):
    j = theirs.judgement
    assert (mine.limit, mine.limit_low, mine.standard, mine.exceeded, mine.exceedance_ratio, mine.direction,
            mine.basis) == (j.limit, j.limit_low, j.standard, j.exceeded, j.exceedance_ratio, j.direction,
                            theirs.basis), what
    assert mine.exceedance_multiple == j.exceedance_multiple, what
    assert (mine.reason is None) == (theirs.note is None), what  # not judged exactly when the server says why


@pytest.mark.parametrize("what,outfall", OUTFALLS, ids=[w for w, _o in OUTFALLS])
def test_effluent_is_judged_by_the_outfalls_own_standard_as_on_the_server(what, outfall):
    rows = limits.bundled_rows()
    n = 0
    for (param, values), temp in itertools.product(VALUES.items(), [None, 10.0]):
        for v in values:
            mine = limits.assess(rows, outfall, param, v, water_temp=temp)
            _same(mine, _server_effluent(outfall, param, v, temp), (what, param, v, temp))
            n += 1
    assert n > 60


@pytest.mark.parametrize("fields,target", RIVERS)
def test_river_water_is_judged_against_the_receiving_target_as_on_the_server(fields, target):
    from server.domain.standards.applicable import assess_river

    rows = limits.bundled_rows()
    assert limits.receiving_target(fields) == target
    for sample in limits.RIVER_SAMPLES:
        for param, values in VALUES.items():
            for v in values:
                mine = limits.assess(rows, {"dischargeStandard": "GB8978", "dischargeGrade": "grade1", **fields},
                                     param, v, sample_type=sample)
                _same(mine, assess_river(param, v, target), (fields, param, v))
                assert mine.reason != "NO_TARGET" or target is None


def test_what_is_not_judged_says_why_and_the_live_figure_is_not_the_category_rule():
    rows = limits.bundled_rows()
    # An industrial outfall with no standard yet: the old category rule said GB 8978 一级 (COD 100);
    # the server records the reading unjudged, and so does the phone now.
    j = limits.assess(rows, {"category": "INDUSTRIAL", "dischargeStandard": "UNASSIGNED"}, "COD", 260)
    assert (j.exceeded, j.limit, j.reason) == (False, None, "UNASSIGNED")
    assert limits.for_outfall(rows, {"category": "INDUSTRIAL"}, {"COD": 260})[0].exceeded  # what it used to say
    assert limits.assess(rows, {"dischargeStandard": "STORMWATER"}, "COD", 260).reason == "STORMWATER"
    assert limits.assess(rows, {"dischargeStandard": "GB18596"}, "COD", 260).reason == "NO_TABLE"
    assert limits.assess(rows, {"dischargeStandard": "GB8978"}, "COD", 260).reason == "NO_GRADE"
    # GB 8978 sets no DO: not judged, and never against GB 3838 instead.
    assert limits.assess(rows, {"dischargeStandard": "GB8978", "dischargeGrade": "grade1"}, "DO", 1.0).reason == \
        "NOT_SET"
    # Registered on this phone, not synced: what the server will assign (a stormwater subtype: STORMWATER).
    assert limits.standard_of({"subtype": "other.urban_storm"}) == ("STORMWATER", None)
    assert limits.standard_of({"subtype": "urban_wwtp"}) == ("UNASSIGNED", None)
    with pytest.raises(ValueError):
        limits.assess(rows, {}, "COD", 10, sample_type="TAP")


def test_bundled_lifecycle_is_the_servers():
    from server.domain.standards.applicable import STORMWATER_SUBTYPES, river_target

    life = limits.lifecycle()
    assert set(life["stormwater_subtypes"]) == set(STORMWATER_SUBTYPES)
    for river in ("YANGTZE", "JIALING", "WULONG"):
        assert life["receiving_targets"].get(river) == river_target(river)
