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
