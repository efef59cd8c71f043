"""Quick findings during a patrol become today's records: an inspection near an outfall, else a task."""
from __future__ import annotations

import pytest

from mobile.core import actions
from mobile.core.device import Fix
from mobile.core.store import StoreError
from tests.mobile.conftest import HOME_DISTRICT
from tests.mobile.test_sync import engine_for, home_outfall


def test_away_from_outfalls_it_becomes_a_task_at_the_point(store, server, jpeg):
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    fix = Fix(29.5601, 106.5702, 5.0)
    item = actions.quick_finding(store, kind="RIVERBANK_GARBAGE", note="岸边垃圾", position=fix,
                                 district_code=HOME_DISTRICT, title="巡河发现：岸边垃圾", photos=[jpeg()],
                                 patrol_id="p-1")
    assert item.kind == "createTask"
    rep = eng.sync(max_seconds=30)
    assert rep.failed == 0 and rep.records_sent == 1
    task = store.item(item.client_id).result
    assert (task["kind"], task["source"], task["status"]) == ("RIVERBANK_GARBAGE", "INSPECTION", "OPEN")
    assert task["location"] == {"lat": 29.5601, "lon": 106.5702}
    assert task["description"].startswith("[RIVERBANK_GARBAGE] [patrol p-1]")
    # A replay (answer lost) returns the same task: clientId-idempotent like the other records.
    assert eng.client.create_task({**store.item(item.client_id).payload, "mediaIds": [
        store.photos(owner=item.client_id)[0].media_id]})["id"] == task["id"]


def test_near_an_outfall_it_becomes_an_inspection_of_it(store, server, jpeg):
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    o = home_outfall(store)
    fix = Fix(o["location"]["lat"], o["location"]["lon"], 5.0)
    item = actions.quick_finding(store, kind="ILLEGAL_DISCHARGE", note="偷排", position=fix,
                                 district_code=HOME_DISTRICT, title="x", photos=[jpeg()], near_outfall=o)
    assert item.kind == "recordInspection" and item.payload["outfallId"] == str(o["id"])
    assert eng.sync(max_seconds=30).failed == 0
    assert store.item(item.client_id).result["note"] == "[ILLEGAL_DISCHARGE] 偷排"


@pytest.mark.parametrize("change,message", [({"kind": "EXCEEDANCE"}, "kind must be"),
                                            ({"position": None}, "GPS fix"),
                                            ({"note": None, "photos": []}, "photo or a note")])
def test_bad_findings_are_refused(store, change, message):
    args = dict(kind="OTHER", note="x", position=Fix(29.56, 106.57, 5.0), district_code=HOME_DISTRICT, title="t",
                photos=[])
    with pytest.raises(StoreError, match=message):
        actions.quick_finding(store, **{**args, **change})
    assert store.items() == []
