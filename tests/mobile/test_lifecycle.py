"""The outfall's life on the phone (issue 19), against the real server: registering a suspect (疑似),
verifying it on site or finding it is not an outfall, a dry inspection, and a tracing record (溯) with
its 统一社会信用代码 checked offline, all queued offline and sent once however often the answer is lost."""
from __future__ import annotations

import itertools
import uuid

import pytest
from stdnum.cn import uscc as stdnum_uscc

from mobile.core import actions
from mobile.core.device import Fix
from mobile.core.store import StoreError
from mobile.core.uscc import check_character, uscc_error
from tests.mobile.conftest import HOME_DISTRICT
from tests.mobile.test_sync import engine_for

VALID = "91130200699229617X"  # domain.md §1.6's example


def _codes():
    base = "91500103MA5U7T8K2"
    yield VALID
    yield base + check_character(base)
    yield VALID[:-1] + ("0" if VALID[-1] != "0" else "1")  # wrong check character
    yield "91130200699229617"  # 17
    yield "91130200699229617XX"
    yield "9113020O699229617X"  # O in the first eight
    yield "91130200699I29617X"  # I is not in the set
    for n in range(40):  # one character changed at each place: the weights catch every single change
        k = n % 17
        yield VALID[:k] + "0123456789ABCDEFGHJKLMNPQRTUWXY"[(n * 7) % 31] + VALID[k + 1:]


@pytest.mark.parametrize("code", list(_codes()))
def test_uscc_offline_agrees_with_the_server_check(code):
    assert (uscc_error(code) is None) == stdnum_uscc.is_valid(code), code


def test_who_may_verify_and_trace():
    mine = {"verification": "SUSPECTED", "district": {"code": HOME_DISTRICT}}
    other = {"verification": "SUSPECTED", "district": {"code": "500101"}}
    insp = {"role": "INSPECTOR", "district": {"code": HOME_DISTRICT}}
    officer = {"role": "DISTRICT_OFFICER", "district": {"code": HOME_DISTRICT}}
    sup = {"role": "SUPERVISOR", "district": None}
    assert actions.may_verify(insp, mine) and not actions.may_verify(insp, other)
    assert not actions.may_verify(officer, mine) and actions.may_verify(sup, other)
    assert not actions.may_verify(insp, {**mine, "verification": "VERIFIED"})
    assert actions.may_trace(officer, mine) and not actions.may_trace(officer, other)
    assert not actions.may_trace(insp, {**mine, "verification": "NOT_OUTFALL"})


def _register(store, name: str, *, suspected: bool = True):
    return actions.register_outfall(store, name=name, category="OTHER", river_code="YANGTZE",
                                    district_code=HOME_DISTRICT, location=Fix(29.5612, 106.5825, 5.0),
                                    suspected=suspected)


def test_a_suspect_registered_and_verified_offline_arrives_in_order(store, server):
    eng = engine_for(store, server, "inspector")
    reg = _register(store, "疑似排口甲")
    # Verified on site before there was signal: the verdict waits for the registration it refers to.
    v = actions.verify_outfall(store, outfall=actions.OutfallRef(reg.client_id), outcome="VERIFIED")
    assert v.payload["id"] == {"$outfall": reg.client_id}
    rep = eng.sync(max_seconds=30)
    assert rep.failed == 0 and rep.records_sent == 2
    oid = store.item(reg.client_id).server_id
    assert store.item(v.client_id).result["verification"] == "VERIFIED"
    assert server.sql("SELECT verification FROM outfalls WHERE id=?", (int(oid),)) == [("VERIFIED",)]
    assert store.outfall(oid)["verification"] == "VERIFIED"  # the cached register follows at once
    # The answer was lost and the phone sends the same verdict again: the server says it is no longer a
    # suspect, and sync sees its own verdict standing instead of reporting a failure.
    again = actions.verify_outfall(store, outfall=store.outfall(oid), outcome="VERIFIED")
    assert eng.sync(max_seconds=30).failed == 0 and store.item(again.client_id).state == "sent"
    # Someone else's different verdict is not ours: that one fails with the server's reason.
    other = actions.verify_outfall(store, outfall=store.outfall(oid), outcome="NOT_OUTFALL")
    eng.sync(max_seconds=30)
    failed = store.item(other.client_id)
    assert failed.state == "failed" and failed.error.code == "INVALID_STATE" and "not SUSPECTED" in failed.error.message


def test_not_an_outfall_takes_no_tracing(store, server):
    eng = engine_for(store, server, "inspector")
    reg = _register(store, "疑似排口乙")
    eng.sync(max_seconds=30)
    o = store.outfall(store.item(reg.client_id).server_id)
    assert o["verification"] == "SUSPECTED" and actions.may_verify(store.session().user, o)
    actions.verify_outfall(store, outfall=o, outcome="NOT_OUTFALL")
    assert eng.sync(max_seconds=30).failed == 0
    o = store.outfall(o["id"])
    assert o["verification"] == "NOT_OUTFALL" and not actions.may_trace(store.session().user, o)


def test_a_dry_inspection(store, server):
    eng = engine_for(store, server, "inspector")
    reg = _register(store, "干涸排口", suspected=False)
    with pytest.raises(StoreError, match="no effluent"):
        actions.record_inspection(store, outfall=actions.OutfallRef(reg.client_id), dry=True,
                                  measurements={"COD": 20.0})
    with pytest.raises(StoreError, match="not flowing"):
        actions.record_inspection(store, outfall=actions.OutfallRef(reg.client_id), dry=True, flowing=True)
    dry = actions.record_inspection(store, outfall=actions.OutfallRef(reg.client_id), dry=True, note="干涸")
    river = actions.record_inspection(store, outfall=actions.OutfallRef(reg.client_id), dry=True,
                                      measurements={"COD": 12.0}, sample_type="UPSTREAM")  # the river still is
    assert eng.sync(max_seconds=30).failed == 0
    got = store.item(dry.client_id).result
    assert (got["outcome"], got["flowing"], got["measurements"]) == ("DRY", False, [])
    assert store.item(river.client_id).result["outcome"] == "DRY"
    assert server.sql("SELECT outcome, flowing FROM inspections WHERE client_id=?", (dry.client_id,)) == [("DRY", 0)]


def _trace(store, outfall, **kw):
    args = dict(outfall=outfall, party_name="重庆某化工有限公司", party_type="ENTERPRISE", uscc=VALID,
                contact="023-61234567", sources=["生产废水", "生活污水"], methods=["FIELD_SURVEY", "DYE_TEST"],
                report="沿管网上溯至厂区总排口")
    return actions.submit_tracing_record(store, **{**args, **kw})


@pytest.mark.parametrize("change,message", [
    ({"uscc": VALID[:-1] + "0"}, "check character"),
    ({"uscc": "123"}, "18 characters"),
    ({"uscc": None}, "enterprise is named with its unified social credit code"),
    ({"party_type": "INDIVIDUAL"}, "individual has no unified social credit code"),
    ({"party_name": " "}, "name the responsible party"),
    ({"sources": []}, "sources"),
    ({"methods": []}, "how the source was traced"),
    ({"methods": ["GUESS"]}, "unknown tracing method"),
    ({"determined": False, "undetermined_reason": ""}, "why the source cannot be determined"),
])
def test_a_tracing_record_that_cannot_pass_is_refused_on_the_phone(store, change, message):
    with pytest.raises(StoreError, match=message):
        _trace(store, "1", **change)
    assert store.items() == []


def test_tracing_records_go_to_review_once_despite_lost_answers(store, server):
    from tests.mobile.conftest import login

    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    reg = _register(store, "溯源排口", suspected=False)
    found = _trace(store, actions.OutfallRef(reg.client_id), uscc=" 9113 0200 6992 2961 7x ")  # typed loosely
    unknown = _trace(store, actions.OutfallRef(reg.client_id), determined=False,
                     undetermined_reason="多户混接，走访未能确定", methods=["INTERVIEW"], sources=[])
    server.faults.configure(0.5, 19)  # half the requests lose their request or their answer
    for _ in itertools.repeat(None, 20):
        eng.sync(max_seconds=5)
        if all(store.item(i.client_id).state == "sent" for i in (reg, found, unknown)):
            break
    server.faults.configure(0.0, 0)
    assert all(store.item(i.client_id).state == "sent" for i in (reg, found, unknown))
    oid = int(store.item(reg.client_id).server_id)
    rows = server.sql("SELECT determined, party_name, party_uscc, party_type, status FROM tracing_records "
                      "WHERE outfall_id=? ORDER BY id", (oid,))
    assert rows == [(1, "重庆某化工有限公司", VALID, "ENTERPRISE", "SUBMITTED"),
                    (0, "渝中区人民政府", None, "LOCAL_GOVERNMENT", "SUBMITTED")]  # each once, awaiting review
    # The city's review makes the outfall TRACED under the named party.
    sup = login(server, "supervisor")
    rid = store.item(found.client_id).server_id
    d = sup.execute("mutation($i:ID!){reviewTracingRecord(id:$i,decision:APPROVE){ status outfall { phase "
                    "responsibleUnit } }}", {"i": rid})["reviewTracingRecord"]
    assert d == {"status": "APPROVED", "outfall": {"phase": "TRACED", "responsibleUnit": "重庆某化工有限公司"}}
    sup.close()


def test_an_officer_of_another_district_is_told_why(store, server):
    eng = engine_for(store, server, "officer")
    eng.refresh_cache()
    far = server.sql("SELECT id FROM outfalls WHERE district_code != ? AND verification IS NOT 'NOT_OUTFALL' "
                     "LIMIT 1", (HOME_DISTRICT,))[0][0]
    item = _trace(store, str(far))
    eng.sync(max_seconds=30)
    got = store.item(item.client_id)
    assert got.state == "failed" and got.error.code == "FORBIDDEN"
    assert server.sql("SELECT count(*) FROM tracing_records WHERE client_id=?", (item.client_id,)) == [(0,)]
    assert uuid.UUID(item.client_id)
