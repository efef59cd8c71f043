"""Judging readings. Expected limits are looked up in domain.json, plus spot checks read from domain.md."""
from __future__ import annotations

import math

import pytest

from server.domain.errors import BadInput
from server.domain.standards import (PARAMETERS, SEWAGE_GRADES, UNITS, WATER_CLASSES, exceedance_multiple, judge,
                                     limits_table, parameter_label, validate_value)
from server.domain.standards import limits as L
from server.reference import domain

D = domain()


def _gb3838(key, cls):
    return D["gb3838"][key][cls]


# ---- table-driven: every (parameter, class) of GB 3838 as used for AGRICULTURAL/OTHER outfalls ----

GB3838_CASES = [(p, c) for p in ("COD", "CODMN", "BOD5", "NH3_N", "TP") for c in WATER_CLASSES]


@pytest.mark.parametrize("param,cls", GB3838_CASES)
def test_gb3838_max_limits_from_json(param, cls):
    limit = float(_gb3838(L.GB3838_KEYS[param], cls))
    below = judge(param, limit, category="OTHER", water_class=cls)  # equal to the limit is compliant
    assert (below.limit, below.exceeded, below.standard) == (limit, False, f"GB 3838-2002 {cls}")
    assert below.exceedance_ratio == pytest.approx(1.0)
    above = judge(param, limit * 1.5, category="AGRICULTURAL", water_class=cls)
    assert above.exceeded and above.exceedance_ratio == pytest.approx(1.5) and above.direction == "max"
    assert above.limit_low is None


@pytest.mark.parametrize("cls", WATER_CLASSES)
def test_gb3838_tp_river_vs_lake(cls):
    assert judge("TP", 0.01, category="OTHER", water_class=cls).limit == _gb3838("TP", cls)
    assert judge("TP", 0.01, category="OTHER", water_class=cls, river=False).limit == _gb3838("TP_lake_reservoir", cls)


@pytest.mark.parametrize("cls", WATER_CLASSES)
def test_gb3838_tn_only_for_lakes(cls):
    lake = judge("TN", 3.0, category="OTHER", water_class=cls, river=False)
    assert lake.limit == _gb3838("TN", cls) and lake.exceeded
    river = judge("TN", 3.0, category="OTHER", water_class=cls)
    assert (river.limit, river.standard, river.exceeded, river.exceedance_ratio) == (None, None, False, None)


@pytest.mark.parametrize("cls", WATER_CLASSES)
def test_gb3838_do_is_a_minimum(cls):
    lim = float(_gb3838("DO", cls))
    ok = judge("DO", lim, category="OTHER", water_class=cls)
    assert not ok.exceeded and ok.direction == "min" and ok.limit == ok.limit_low == lim
    low = judge("DO", lim / 2, category="OTHER", water_class=cls)
    assert low.exceeded and low.exceedance_ratio == pytest.approx(2.0)
    zero = judge("DO", 0.0, category="OTHER", water_class=cls)
    assert zero.exceeded and zero.exceedance_ratio is None


@pytest.mark.parametrize("value,exceeded", [(5.99, True), (6.0, False), (7.2, False), (9.0, False), (9.01, True),
                                            (0.0, True), (14.0, True)])
@pytest.mark.parametrize("category", L.CATEGORIES)
def test_ph_range_every_standard(value, exceeded, category):
    j = judge("PH", value, category=category, water_class="II")
    lo, hi = D["gb3838"]["pH"]["II"]
    assert (j.limit_low, j.limit, j.exceeded, j.exceedance_ratio, j.direction) == (lo, hi, exceeded, None, "range")
    assert j.unit == UNITS["PH"]


# ---- spot checks typed from domain.md §2 (a second, independent reading of the tables) ----

@pytest.mark.parametrize("param,value,kw,limit,standard", [
    ("COD", 25, dict(category="OTHER", water_class="III"), 20, "GB 3838-2002 III"),
    ("NH3_N", 1.2, dict(category="OTHER", water_class=None), 1.0, "GB 3838-2002 III"),
    ("TP", 0.25, dict(category="AGRICULTURAL", water_class="III"), 0.2, "GB 3838-2002 III"),
    ("TP", 0.06, dict(category="OTHER", water_class="III", river=False), 0.05, "GB 3838-2002 III"),
    ("DO", 4.0, dict(category="OTHER", water_class="III"), 5, "GB 3838-2002 III"),
    ("DO", 7.0, dict(category="OTHER", water_class="I"), 7.5, "GB 3838-2002 I"),
    ("CODMN", 4.5, dict(category="OTHER", water_class="II"), 4, "GB 3838-2002 II"),
    ("COD", 55, dict(category="URBAN_SEWAGE_PLANT", water_class="III"), 50, "GB 18918-2002 1A"),
    ("COD", 65, dict(category="URBAN_SEWAGE_PLANT", water_class="III", sewage_grade="1B"), 60, "GB 18918-2002 1B"),
    ("NH3_N", 6, dict(category="URBAN_SEWAGE_PLANT", water_class="III"), 5, "GB 18918-2002 1A"),
    ("TN", 16, dict(category="URBAN_SEWAGE_PLANT", water_class="III"), 15, "GB 18918-2002 1A"),
    ("TP", 0.6, dict(category="URBAN_SEWAGE_PLANT", water_class="III"), 0.5, "GB 18918-2002 1A"),
    ("COD", 120, dict(category="INDUSTRIAL", water_class="III"), 100, "GB 8978-1996 一级"),
    ("NH3_N", 16, dict(category="INDUSTRIAL", water_class="III"), 15, "GB 8978-1996 一级"),
    ("BOD5", 21, dict(category="INDUSTRIAL", water_class="III"), 20, "GB 8978-1996 一级"),
])
def test_spot_checks_from_domain_md(param, value, kw, limit, standard):
    j = judge(param, value, **kw)
    assert (j.limit, j.standard, j.exceeded) == (limit, standard, True)


# ---- standard selection and fallbacks ----

@pytest.mark.parametrize("grade", SEWAGE_GRADES)
@pytest.mark.parametrize("param", ["COD", "BOD5", "TN", "TP", "NH3_N"])
def test_sewage_plant_grades_from_json_with_fallback(grade, param):
    key = L.GB18918_KEYS[param]
    raw = D["gb18918"][key][grade]
    if isinstance(raw, dict):
        raw = raw["gt12C"]
    j = judge(param, 0.001, category="URBAN_SEWAGE_PLANT", water_class="IV", sewage_grade=grade)
    if raw is not None:
        assert j.limit == raw and j.standard.startswith("GB 18918-2002 ")
    else:  # GB 18918 sets no limit (TN grades 2/3, NH3-N grade 3): GB 3838 at the water class, river
        fb = judge(param, 0.001, category="OTHER", water_class="IV")
        assert (j.limit, j.standard) == (fb.limit, fb.standard)


def test_gb18918_nh3n_cold_water_bracket():
    row = D["gb18918"]["NH3_N"]["1B"]
    assert judge("NH3_N", 10, category="URBAN_SEWAGE_PLANT", water_class="III", sewage_grade="1B").limit == row["gt12C"]
    warm = judge("NH3_N", 10, category="URBAN_SEWAGE_PLANT", water_class="III", sewage_grade="1B", water_temp=12.1)
    cold = judge("NH3_N", 10, category="URBAN_SEWAGE_PLANT", water_class="III", sewage_grade="1B", water_temp=12.0)
    assert (warm.limit, warm.exceeded) == (row["gt12C"], True)
    assert (cold.limit, cold.exceeded) == (row["le12C"], False)


def test_gb18918_uses_stricter_tp_row():
    for g in SEWAGE_GRADES:
        new, old = D["gb18918"]["TP_built_from_2006"][g], D["gb18918"]["TP_built_before_2006"][g]
        assert judge("TP", 0.1, category="URBAN_SEWAGE_PLANT", water_class=None, sewage_grade=g).limit == min(new, old)


@pytest.mark.parametrize("param", PARAMETERS)
def test_industrial_uses_gb8978_grade1_else_gb3838(param):
    j = judge(param, 1.0, category="INDUSTRIAL", water_class="II")
    if param in L.GB8978_KEYS:
        raw = D["gb8978"][L.GB8978_KEYS[param]]["grade1"]
        assert j.standard == "GB 8978-1996 一级"
        assert j.limit == (raw[1] if isinstance(raw, list) else raw)
    else:
        assert j == judge(param, 1.0, category="OTHER", water_class="II")


@pytest.mark.parametrize("param", ["WATER_TEMP", "CONDUCTIVITY", "TURBIDITY", "FLOW"])
@pytest.mark.parametrize("category", L.CATEGORIES)
def test_parameters_without_limits(param, category):
    j = judge(param, 10.0, category=category, water_class="III")
    assert (j.limit, j.limit_low, j.standard, j.exceeded, j.exceedance_ratio) == (None, None, None, False, None)
    assert j.unit == UNITS[param]


def test_default_water_class_is_iii():
    assert judge("COD", 1, category="OTHER", water_class=None) == judge("COD", 1, category="OTHER", water_class="III")


@pytest.mark.parametrize("kw,field", [
    (dict(category="DOMESTIC", water_class="III"), "category"),
    (dict(category="OTHER", water_class="VI"), "waterClass"),
    (dict(category="URBAN_SEWAGE_PLANT", water_class="III", sewage_grade="1C"), "sewageGrade"),
])
def test_judge_rejects_bad_choices(kw, field):
    with pytest.raises(BadInput) as e:
        judge("COD", 10, **kw)
    assert e.value.field == field


# ---- units and value validation ----

def test_units_come_from_field_test_parameters():
    raw = {p["key"]: p["unit"] for p in D["field_test_parameters"]["parameters"]}
    assert set(UNITS) == set(PARAMETERS)
    assert UNITS["WATER_TEMP"] == raw["water_temp"] == "°C"
    assert UNITS["CONDUCTIVITY"] == raw["conductivity"]
    assert UNITS["TURBIDITY"] == raw["turbidity"] == "NTU"
    assert raw["flow"].startswith(UNITS["FLOW"]) and UNITS["FLOW"] == "m³/s"
    assert UNITS["PH"] == ""
    assert all(UNITS[p] == "mg/L" for p in ("COD", "CODMN", "BOD5", "NH3_N", "TP", "TN", "DO"))


@pytest.mark.parametrize("param,value", [
    ("COD", math.nan), ("TP", math.inf), ("DO", -math.inf), ("COD", -0.1), ("CONDUCTIVITY", -1), ("TURBIDITY", -5),
    ("FLOW", -0.01), ("PH", -0.1), ("PH", 14.01), ("WATER_TEMP", -5.1), ("WATER_TEMP", 60.5), ("COD", 1e6 + 1),
    ("NH3_N", 1e9), ("DO", 150), ("COD", "12"), ("PH", True),
])
def test_validate_value_rejects(param, value):
    with pytest.raises(BadInput) as e:
        validate_value(param, value)
    assert param in e.value.message and e.value.field == "value"
    with pytest.raises(BadInput):
        judge(param, value, category="OTHER", water_class="III")


@pytest.mark.parametrize("param,value", [("PH", 0), ("PH", 14), ("WATER_TEMP", -5), ("WATER_TEMP", 60), ("COD", 0),
                                         ("COD", 1e6), ("FLOW", 0), ("CONDUCTIVITY", 50_000), ("DO", 14.6)])
def test_validate_value_accepts_edges(param, value):
    validate_value(param, value)


def test_unknown_parameter():
    with pytest.raises(BadInput) as e:
        validate_value("LEAD", 1)
    assert e.value.field == "parameter"


def test_validate_value_custom_field():
    with pytest.raises(BadInput) as e:
        validate_value("COD", -1, field="measurements.2.value")
    assert e.value.field == "measurements.2.value"


# ---- limits_table ----

def test_limits_table_matches_judge():
    rows = limits_table()
    assert {r["standard"] for r in rows} == {"GB 3838-2002", "GB 18918-2002", "GB 8978-1996"}
    assert {r["level"] for r in rows if r["standard"] == "GB 18918-2002"} == {"1A"}
    for r in rows:
        assert set(r) == {"standard", "level", "label", "parameter", "scope", "condition", "direction", "limit",
                          "limit_low", "unit"}
        assert r["unit"] == UNITS[r["parameter"]] and r["limit"] is not None
        if r["standard"] == "GB 3838-2002":
            j = judge(r["parameter"], 1.0, category="OTHER", water_class=r["level"], river=r["scope"] != "lake")
            assert (j.limit, j.limit_low, j.standard) == (r["limit"], r["limit_low"], r["label"])


def test_limits_table_rows_from_json():
    rows = limits_table(sewage_grade=None)
    by = {(r["label"], r["parameter"], r["scope"], r["condition"]): r for r in rows}
    assert by[("GB 3838-2002 III", "TP", "river", None)]["limit"] == _gb3838("TP", "III")
    assert by[("GB 3838-2002 III", "TP", "lake", None)]["limit"] == _gb3838("TP_lake_reservoir", "III")
    assert by[("GB 3838-2002 II", "TN", "lake", None)]["limit"] == _gb3838("TN", "II")
    assert by[("GB 18918-2002 二级", "NH3_N", None, "water_temp<=12")]["limit"] == D["gb18918"]["NH3_N"]["2"]["le12C"]
    assert by[("GB 8978-1996 一级", "TP", None, None)]["limit"] == D["gb8978"]["phosphate_as_P"]["grade1"]
    assert {r["level"] for r in rows if r["standard"] == "GB 18918-2002"} == set(SEWAGE_GRADES)
    assert not any(r["parameter"] in ("WATER_TEMP", "CONDUCTIVITY", "TURBIDITY", "FLOW") for r in rows)
    with pytest.raises(BadInput):
        limits_table(sewage_grade="4")


# ---- 超标倍数: (C − limit) / limit, the one shared definition ----

@pytest.mark.parametrize("value,limit,multiple", [
    (20.0, 20.0, None),          # at the limit: compliant, no multiple
    (19.99, 20.0, None),         # below: no negative "multiple"
    (20.02, 20.0, 0.001),        # just over
    (40.0, 20.0, 1.0),           # twice the limit is 超标 1 倍, not 2
    (50.0, 20.0, 1.5),
    (0.0, 20.0, None),
    (5.0, 0.0, None),            # no positive limit: nothing to divide by
    (5.0, None, None),
])
def test_exceedance_multiple_boundaries(value, limit, multiple):
    got = exceedance_multiple(value, limit, direction="max")
    assert got == (None if multiple is None else pytest.approx(multiple))


@pytest.mark.parametrize("direction", ["min", "range", None, "bounded"])
def test_exceedance_multiple_only_for_maxima(direction):
    assert exceedance_multiple(40.0, 20.0, direction=direction) is None


@pytest.mark.parametrize("param,cls", GB3838_CASES)
def test_judgement_multiple_is_bureau_definition(param, cls):
    limit = float(_gb3838(L.GB3838_KEYS[param], cls))
    assert judge(param, limit, category="OTHER", water_class=cls).exceedance_multiple is None
    twice = judge(param, limit * 2, category="OTHER", water_class=cls)
    assert twice.exceedance_multiple == pytest.approx(1.0) and twice.exceedance_ratio == pytest.approx(2.0)


def test_ph_and_do_have_no_multiple():
    assert judge("PH", 11.0, category="OTHER", water_class="III").exceedance_multiple is None
    assert judge("DO", 1.0, category="OTHER", water_class="III").exceedance_multiple is None


def test_stored_rows_give_the_same_multiple():
    from server.domain.inspections.models import Measurement

    for param, value in (("COD", 60.0), ("PH", 10.0), ("DO", 1.0), ("NH3_N", 0.5)):
        j = judge(param, value, category="OTHER", water_class="III")
        m = Measurement(inspection_id=1, parameter=param, value=value, unit=j.unit, limit=j.limit,
                        limit_low=j.limit_low, standard=j.standard, exceeded=j.exceeded,
                        exceedance_ratio=j.exceedance_ratio)
        assert m.exceedance_multiple == j.exceedance_multiple, param


def test_parameter_labels_are_chinese_names():
    assert parameter_label("NH3_N") == "氨氮" and parameter_label("COD") == "化学需氧量"
    assert all("_" not in parameter_label(p) for p in L.PARAMETERS)
