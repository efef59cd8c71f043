"""A table of readings per outfall type judged against its own standard at each boundary (issue 19).

Limits are read from domain.json / lifecycle.json, never retyped; approved limits are the test's own
numbers (standards whose tables are not in the reference are judged only against approved limits)."""
from __future__ import annotations

import pytest

from server.domain.errors import BadInput
from server.domain.standards.applicable import (ApprovedLimit, DischargeStandard, assess_effluent, assess_river,
                                                check_standard, initial_standard, new_outfall_prohibited,
                                                river_target, suggested_grade, suggested_standard)
from server.reference import domain

D = domain()


def lim(block, key, level):
    return float(D[block][key][level])


# (outfall type, standard, parameter, limit from the reference, label)
EFFLUENT_TABLE = [
    ("industrial GB 8978 grade 1", DischargeStandard("GB8978", "grade1"), "COD", lim("gb8978", "COD", "grade1"),
     "GB 8978-1996 一级"),
    ("industrial GB 8978 grade 1", DischargeStandard("GB8978", "grade1"), "NH3_N", lim("gb8978", "NH3_N", "grade1"),
     "GB 8978-1996 一级"),
    ("industrial GB 8978 grade 2", DischargeStandard("GB8978", "grade2"), "COD", lim("gb8978", "COD", "grade2"),
     "GB 8978-1996 二级"),
    ("industrial GB 8978 grade 3", DischargeStandard("GB8978", "grade3"), "COD", lim("gb8978", "COD", "grade3"),
     "GB 8978-1996 三级"),
    ("sewage plant GB 18918 1A", DischargeStandard("GB18918", "1A"), "COD", lim("gb18918", "COD", "1A"),
     "GB 18918-2002 1A"),
    ("sewage plant GB 18918 1B", DischargeStandard("GB18918", "1B"), "COD", lim("gb18918", "COD", "1B"),
     "GB 18918-2002 1B"),
    ("sewage plant GB 18918 2", DischargeStandard("GB18918", "2"), "BOD5", lim("gb18918", "BOD5", "2"),
     "GB 18918-2002 二级"),
    ("sewage plant GB 18918 1A", DischargeStandard("GB18918", "1A"), "TP", lim("gb18918", "TP_built_from_2006", "1A"),
     "GB 18918-2002 1A"),
]


@pytest.mark.parametrize("kind,standard,parameter,limit,label", EFFLUENT_TABLE, ids=lambda v: str(v))
def test_effluent_at_each_boundary(kind, standard, parameter, limit, label):
    at = assess_effluent(parameter, limit, standard)
    assert (at.judgement.exceeded, at.judgement.limit, at.judgement.standard, at.basis) == (False, limit, label,
                                                                                             "DISCHARGE")
    over = assess_effluent(parameter, limit * 1.001, standard)
    assert over.judgement.exceeded and over.basis == "DISCHARGE"


def test_the_same_cod_is_an_exceedance_only_where_the_standard_says_so():
    """COD 60 mg/L: over GB 18918 1A (50), within GB 8978 grade 1 (100); the old GB 3838 III (20) is not used."""
    assert assess_effluent("COD", 60, DischargeStandard("GB18918", "1A")).judgement.exceeded
    j = assess_effluent("COD", 60, DischargeStandard("GB8978", "grade1")).judgement
    assert not j.exceeded and j.limit == lim("gb8978", "COD", "grade1")


def test_gb18918_nh3n_by_water_temperature():
    s = DischargeStandard("GB18918", "1A")
    warm, cold = D["gb18918"]["NH3_N"]["1A"]["gt12C"], D["gb18918"]["NH3_N"]["1A"]["le12C"]
    assert assess_effluent("NH3_N", warm, s).judgement.exceeded is False
    assert assess_effluent("NH3_N", warm + 0.01, s).judgement.exceeded is True
    assert assess_effluent("NH3_N", warm + 0.01, s, water_temp=12.0).judgement.limit == cold
    assert assess_effluent("NH3_N", cold + 0.01, s, water_temp=10.0).judgement.exceeded is True


@pytest.mark.parametrize("standard,parameter", [
    (DischargeStandard("GB8978", "grade1"), "CODMN"),  # GB 3838 has CODMn, GB 8978 does not
    (DischargeStandard("GB8978", "grade1"), "DO"),
    (DischargeStandard("GB18918", "1A"), "DO"),
    (DischargeStandard("GB18918", "1A"), "CODMN"),
    (DischargeStandard("GB8978", "grade3"), "NH3_N"),  # grade 3 sets none
])
def test_no_gb3838_fallback_for_effluent(standard, parameter):
    a = assess_effluent(parameter, 999.0 if parameter != "DO" else 0.1, standard)
    assert (a.judgement.limit, a.judgement.standard, a.judgement.exceeded, a.basis) == (None, None, False, None)
    assert "不以 GB 3838 代替" in a.note


@pytest.mark.parametrize("key,grade,why", [
    ("UNASSIGNED", None, "待确定"), ("STORMWATER", None, "雨洪排口无排放限值"),
    ("GB18596", None, "限值未录入"), ("DB50_848", "一级", "限值未录入"), ("GB8978", None, "级别待确定"),
])
def test_not_judged_without_a_limit_on_file(key, grade, why):
    a = assess_effluent("COD", 10_000, DischargeStandard(key, grade))
    assert not a.judgement.exceeded and a.judgement.limit is None and why in a.note


@pytest.mark.parametrize("standard", [DischargeStandard("GB18596"), DischargeStandard("DB50_848", "一级"),
                                      DischargeStandard("SECTOR", None, "GB 21900-2008"),
                                      DischargeStandard("GB8978", "grade1")])
def test_approved_limits_take_precedence(standard):
    approved = {"COD": ApprovedLimit("COD", 80.0), "PH": ApprovedLimit("PH", 9.0, 6.0), "DO": ApprovedLimit("DO", None, 3.0)}
    at = assess_effluent("COD", 80.0, standard, approved)
    assert (at.judgement.exceeded, at.judgement.limit, at.basis, at.judgement.standard) == (False, 80.0, "APPROVED", "批复限值")
    assert assess_effluent("COD", 80.01, standard, approved).judgement.exceeded
    assert assess_effluent("PH", 5.99, standard, approved).judgement.exceeded
    assert not assess_effluent("PH", 6.0, standard, approved).judgement.exceeded
    assert assess_effluent("DO", 2.9, standard, approved).judgement.exceeded


@pytest.mark.parametrize("cls", ["I", "II", "III", "IV", "V"])
def test_river_water_against_the_target_class(cls):
    limit = float(D["gb3838"]["NH3_N"][cls])
    at = assess_river("NH3_N", limit, cls)
    assert (at.judgement.exceeded, at.judgement.limit, at.basis) == (False, limit, "RECEIVING_WATER")
    assert at.judgement.standard == f"GB 3838-2002 {cls}"
    assert assess_river("NH3_N", limit * 1.01, cls).judgement.exceeded


def test_river_without_a_target_is_not_judged():
    a = assess_river("NH3_N", 50.0, None)
    assert not a.judgement.exceeded and "目标水质未确定" in a.note


def test_yangtze_main_stem_target_is_class_ii():
    assert river_target("YANGTZE") == "II"  # cq.gov.cn (S22), not the lenient default III
    assert river_target("JIALING") is None


def test_standard_assignment_rules():
    assert initial_standard("other.urban_storm") == "STORMWATER"
    assert initial_standard("industrial.mining_enterprise_storm.mine") == "STORMWATER"
    assert initial_standard("industrial.mining_enterprise.factory") == "UNASSIGNED"
    assert initial_standard(None) == "UNASSIGNED"
    assert suggested_standard("urban_wwtp.plant") == "GB18918"
    assert suggested_standard("agricultural.livestock_large") == "GB18596"
    assert suggested_standard("other.rural_wwtp") == "DB50_848"
    assert suggested_standard("other.port_wharf") is None
    assert suggested_grade("GB8978", "III") == "grade1" and suggested_grade("GB8978", "IV") == "grade2"
    assert suggested_grade("GB8978", "II") is None
    assert suggested_grade("GB18918", "III") == "1B"
    assert new_outfall_prohibited("II") and new_outfall_prohibited("I")
    assert new_outfall_prohibited("III") is None
    assert new_outfall_prohibited("III", ["DRINKING_WATER_PROTECTION"])


@pytest.mark.parametrize("key,grade,sector,field", [
    ("NOPE", None, None, "dischargeStandard"), ("GB8978", "1A", None, "dischargeGrade"),
    ("GB18918", "grade1", None, "dischargeGrade"), ("STORMWATER", "grade1", None, "dischargeGrade"),
    ("SECTOR", None, None, "sectorStandard"), ("GB8978", "grade1", "GB 1", "sectorStandard"),
])
def test_bad_assignments_name_the_field(key, grade, sector, field):
    with pytest.raises(BadInput) as e:
        check_standard(key, grade, sector)
    assert e.value.field == field
