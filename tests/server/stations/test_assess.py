"""GB 3838 single-factor classes at every boundary, with the limits read from domain.json (never retyped)."""
from __future__ import annotations

import pytest

from server.domain.stations import assess as A
from server.reference import domain

GB = domain()["gb3838"]
ROMAN = ("I", "II", "III", "IV", "V")
MAX_PARAMS = {"CODMN": "CODMn", "NH3_N": "NH3_N", "TP": "TP"}


def _cases():
    for param, key in MAX_PARAMS.items():
        for i, cls in enumerate(ROMAN, start=1):
            lim = GB[key][cls]
            # Several classes share a limit (e.g. none here, but COD I=II): the best class that admits it wins.
            best = next(j for j, c in enumerate(ROMAN, start=1) if GB[key][c] >= lim)
            yield param, lim, best  # at the limit: within
            nxt = next((j for j, c in enumerate(ROMAN, start=1) if GB[key][c] >= lim * 1.001), 6)
            yield param, lim * 1.001, nxt  # just above: the next class that admits it (or 劣V)
    for i, cls in enumerate(ROMAN, start=1):  # DO is a minimum
        lim = GB["DO"][cls]
        yield "DO", lim, i
        yield "DO", lim * 0.999, i + 1
    lo, hi = GB["pH"]["III"]
    yield "PH", lo, 1
    yield "PH", hi, 1
    yield "PH", lo - 0.01, 6
    yield "PH", hi + 0.01, 6


@pytest.mark.parametrize("param,value,expected", list(_cases()))
def test_class_of_reading_at_each_boundary(param, value, expected):
    assert A.class_of(param, value) == expected


def test_river_leaves_out_temperature_and_tn_lake_adds_tn_and_lake_tp():
    assert "WATER_TEMP" not in A.evaluated("RIVER") and "TN" not in A.evaluated("RIVER")
    assert set(A.evaluated("RIVER")) == {"PH", "DO", "CODMN", "NH3_N", "TP"}
    assert "TN" in A.evaluated("LAKE")
    assert A.class_of("TN", 5.0, "RIVER") is None
    lake_tp_ii = GB["TP_lake_reservoir"]["II"]
    assert A.class_of("TP", lake_tp_ii, "LAKE") == 2
    assert A.class_of("TP", lake_tp_ii, "RIVER") == 2  # 0.025 is class II on a river too (<= 0.1)
    assert A.class_of("TP", GB["TP"]["II"], "LAKE") == 4


def test_worst_indicator_sets_the_class_and_multiples_use_the_target_limit():
    lim = GB["NH3_N"]["II"]
    vals = {"PH": 7.5, "DO": GB["DO"]["I"], "CODMN": GB["CODMn"]["I"], "NH3_N": lim * 3, "TP": GB["TP"]["II"],
            "WATER_TEMP": 35.0, "TN": 9.0}
    a = A.assess(vals, "II")
    assert a.cls == A.class_of("NH3_N", lim * 3) and not a.meets_target
    [f] = a.failing
    assert f.parameter == "NH3_N" and f.limit == lim and f.limit_class == "II"
    assert f.multiple == pytest.approx(2.0)  # three times the limit is 超标 2 倍


def test_no_multiple_for_ph_and_do_and_at_target_is_met():
    a = A.assess({"PH": 9.5, "DO": GB["DO"]["V"] * 0.5}, "III")
    assert {f.parameter for f in a.failing} == {"PH", "DO"}
    assert all(f.multiple is None for f in a.failing)
    ok = A.assess({"NH3_N": GB["NH3_N"]["III"]}, "III")
    assert ok.meets_target and ok.cls == 3 and not ok.failing
    assert A.assess({"WATER_TEMP": 20.0}, "III").cls is None


def test_river_grade_from_shares_in_domain_json():
    assert A.river_grade([1, 2, 2, 3, 3, 3, 2, 2, 1, 3]) == "优"
    assert A.river_grade([1, 2, 3, 3, 4, 2, 2, 3]) == "良好"  # 7/8 = 0.875
    assert A.river_grade([4, 4, 3, 2, 5, 4]) == "轻度污染"
    assert A.river_grade([6, 4, 3, 4, 5]) == "中度污染"  # 劣V share 0.2
    assert A.river_grade([6, 6, 3, 4, 5]) == "重度污染"  # 0.4
    assert A.river_grade([1, 2]) is None
