"""The sync engine against the real server: references, failures the user must see, replays."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from mobile.core import actions
from mobile.core.actions import OutfallRef
from mobile.core.client import Client
from mobile.core.device import Fix
from mobile.core.patrol import Patrol
from mobile.core.store import Store
from mobile.core.sync import SyncEngine
from server.demo.seed import demo_password
from tests.mobile.conftest import HOME_DISTRICT


def engine_for(store: Store, server, username: str) -> SyncEngine:
    c = Client(server.url, timeout=10)
    actions.sign_in(store, c, username, demo_password(username))
    return SyncEngine(store, c, base_delay_s=0.01, max_delay_s=0.05, rng=random.Random(1))


def home_outfall(store: Store) -> dict:
    return next(o for o in store.outfalls(HOME_DISTRICT) if o.get("id"))


def test_refresh_cache_fills_the_offline_data(store, server):
    eng = engine_for(store, server, "inspector")
    got = eng.refresh_cache()
    assert got["outfalls"] >= 3
    assert len(store.districts()) == 38 and store.rivers()
    assert all(o["district"]["code"] == HOME_DISTRICT for o in store.outfalls())
    assert store.limits() and {"standard", "parameter", "limit"} <= set(store.limits()[0])
    assert store.review_queue() == []  # inspectors do not review


def test_offline_outfall_inspection_and_photos_arrive_linked(store, server, jpeg):
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    fix = Fix(29.5570, 106.5770, 4.0)
    river = home_outfall(store)["river"]["code"]
    reg = actions.register_outfall(store, name="测试新排口", category="OTHER", river_code=river,
                                   district_code=HOME_DISTRICT, location=fix, photos=[(jpeg(), "SIGNBOARD")])
    insp = actions.record_inspection(store, outfall=OutfallRef(reg.client_id), position=fix, flowing=True,
                                     measurements={"COD": 12.0, "PH": 7.2}, photos=[jpeg(), jpeg()])
    assert insp.payload["outfallId"] == {"$outfall": reg.client_id}
    c = store.counts()
    assert (c.records_waiting, c.photos_waiting, c.failures) == (2, 3, 0)
    assert any(o.get("clientId") == reg.client_id for o in store.outfalls())  # usable offline at once

    rep = eng.sync(max_seconds=30)
    assert rep.records_sent == 2 and rep.photos_ready == 3 and rep.failed == 0
    c = store.counts()
    assert (c.records_waiting, c.photos_waiting, c.failures) == (0, 0, 0) and c.last_sync_at
    outfall_id = store.server_id_of(reg.client_id)
    assert store.item(insp.client_id).result["outfall"]["id"] == outfall_id
    assert store.outfall(outfall_id)["name"] == "测试新排口"  # joined the cached register
    rows = server.sql("SELECT i.outfall_id, count(m.id) FROM inspections i JOIN media m ON m.owner_type='inspection' "
                      "AND m.owner_id=i.id WHERE i.client_id=? GROUP BY i.id", (insp.client_id,))
    assert rows == [(int(outfall_id), 2)]
    assert eng.run_once().requests == 0  # nothing left: no traffic


def test_moved_pin_and_gps_fix_both_reach_the_server(store, server):
    """Issue 16 item 2: the pin the inspector moved is the outfall's location, and the GPS fix when it
    was registered is stored beside it on the server (outfalls.gps_fix_*, Outfall.gpsFix)."""
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    river = home_outfall(store)["river"]["code"]
    pin, fix = Fix(29.55712, 106.57731, 12.0), Fix(29.55690, 106.57700, 12.0)
    reg = actions.register_outfall(store, name="挪过标记的排口", category="OTHER", river_code=river,
                                   district_code=HOME_DISTRICT, location=pin, gps_fix=fix)
    assert eng.sync(max_seconds=30).records_sent == 1
    rows = server.sql("SELECT lat, lon, gps_fix_lat, gps_fix_lon, gps_fix_accuracy_m FROM outfalls WHERE client_id=?",
                      (reg.client_id,))
    assert rows == [(pin.lat, pin.lon, fix.lat, fix.lon, 12.0)]
    got = eng.client.execute("query($i: ID!) { outfall(id: $i) { gpsFix { lat lon } movedFromGpsFixM } }",
                             {"i": store.server_id_of(reg.client_id)})["outfall"]
    assert got["gpsFix"] == {"lat": fix.lat, "lon": fix.lon} and 30 < got["movedFromGpsFixM"] < 45


def test_rejected_photo_fails_its_record_then_replace_and_retry(store, server, jpeg, tmp_path):
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    item = actions.record_inspection(store, outfall=home_outfall(store), photos=[bad])
    eng.sync(max_seconds=20)
    photo = store.photos(owner=item.client_id)[0]
    assert photo.state == "failed" and photo.error.code == "UPLOAD_INVALID"
    failed = store.item(item.client_id)
    assert failed.state == "failed" and failed.error.code == "UPLOAD_INVALID"
    assert broken_name(failed.error.message)
    assert store.counts().failures == 2

    store.replace_photo(photo.client_id, jpeg())
    eng.sync(max_seconds=20)
    assert store.item(item.client_id).state == "sent" and store.counts().failures == 0


def broken_name(message: str) -> bool:
    return "broken.jpg" in message and "rejected" in message


def test_permanent_error_is_kept_others_go_on_and_fix_resends(store, server):
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    o = home_outfall(store)
    bad = store.enqueue("recordInspection", {"outfallId": o["id"], "observedAt": datetime.now(UTC).isoformat(),
                                             "measurements": [{"parameter": "PH", "value": 15.0}]})
    good = actions.record_inspection(store, outfall=o, note="after the bad one")
    eng.sync(max_seconds=20)
    b = store.item(bad.client_id)
    assert b.state == "failed" and b.error.code == "BAD_USER_INPUT" and "PH" in b.error.message
    assert store.item(good.client_id).state == "sent"
    with pytest.raises(Exception):
        store.fix(good.client_id, {"note": "x"})  # already on the server
    store.fix(bad.client_id, {"measurements": [{"parameter": "PH", "value": 7.5}]})
    eng.sync(max_seconds=20)
    assert store.item(bad.client_id).state == "sent"


def test_discard_removes_record_and_photo_files(store, server, jpeg):
    item = actions.record_inspection(store, outfall="1", photos=[jpeg()])
    path = store.photos(owner=item.client_id)[0].path
    assert path.exists()
    store.discard(item.client_id)
    assert store.item(item.client_id) is None and not path.exists() and store.counts().photos_waiting == 0


def test_expired_session_asks_to_sign_in_and_fails_nothing(store, server):
    eng = engine_for(store, server, "inspector")
    eng.refresh_cache()
    item = actions.record_inspection(store, outfall=home_outfall(store))
    eng.client.token = "expired"
    rep = eng.run_once()
    assert rep.stopped == "sign_in"
    c = store.counts()
    assert c.needs_sign_in and c.failures == 0 and c.records_waiting == 1
    assert store.item(item.client_id).attempts == 0
    actions.sign_in(store, eng.client, "inspector", demo_password("inspector"))
    assert not store.counts().needs_sign_in
    eng.sync(max_seconds=20)
    assert store.item(item.client_id).state == "sent"


def test_offline_backs_off_and_keeps_everything(store, jpeg):
    now = [1000.0]
    eng = SyncEngine(store, Client("http://127.0.0.1:9", timeout=1), base_delay_s=2, max_delay_s=60,
                     rng=random.Random(3), clock=lambda: now[0])
    item = actions.record_inspection(store, outfall="1", photos=[jpeg(), jpeg(), jpeg(), jpeg()])
    rep = eng.run_once()
    assert rep.stopped == "offline" and rep.transport_errors == 3  # gives up the pass after 3 in a row
    ps = store.photos(owner=item.client_id)
    assert [p.attempts for p in ps] == [1, 1, 1, 0]
    assert all(1.0 <= p.next_attempt_at - now[0] <= 2.0 for p in ps[:3])  # 2 s, equal jitter
    assert store.counts().records_waiting == 1 and store.counts().last_error.code == "TRANSPORT"
    assert eng.run_once().requests == 1  # only the photo that is due goes now
    delays = [eng.backoff(a) for a in range(12)]
    assert all(d <= 60 for d in delays) and delays[-1] >= 30  # capped, and it does grow to the cap


def test_officer_and_supervisor_flow_with_replayed_non_idempotent_writes(tmp_path, server, jpeg):
    """Exceedance -> task; officer starts it (the first start 'lost'), submits before/after photos;
    supervisor approves (the first review 'lost'): replays are recognised, not reported as failures."""
    insp_store = Store.open(tmp_path / "inspector")
    eng = engine_for(insp_store, server, "inspector")
    eng.refresh_cache()
    o = home_outfall(insp_store)
    item = actions.record_inspection(insp_store, outfall=o, measurements={"NH3_N": 95.0})
    eng.sync(max_seconds=20)
    raised = insp_store.item(item.client_id).result["raisedTasks"]
    officer_store = Store.open(tmp_path / "officer")
    oeng = engine_for(officer_store, server, "officer")
    oeng.refresh_cache()
    tasks = [t for t in officer_store.tasks() if t["outfall"] and t["outfall"]["id"] == o["id"]
             and t["kind"] == "EXCEEDANCE" and t["status"] == "OPEN"]
    task = tasks[0] if tasks else None
    if task is None:  # an earlier test may have raised it already and left it open elsewhere
        pytest.skip(f"no open exceedance task (raised: {raised})")

    oeng.client.start_task(task["id"])  # as if an earlier try committed and its answer was lost
    st = actions.start_task(officer_store, task["id"])
    sub = actions.submit_rectification(officer_store, task_id=task["id"], before=[jpeg()], after=[jpeg()],
                                       note="已封堵")
    rep = oeng.sync(max_seconds=30)
    assert rep.failed == 0, officer_store.items(state="failed")
    assert officer_store.item(st.client_id).state == "sent"
    submission = officer_store.item(sub.client_id).result
    assert submission["status"] == "PENDING_REVIEW"

    sup_store = Store.open(tmp_path / "supervisor")
    seng = engine_for(sup_store, server, "supervisor")
    seng.refresh_cache()
    assert any(t["id"] == task["id"] for t in sup_store.review_queue())
    seng.client.review_submission({"submissionId": submission["id"], "decision": "APPROVE"})  # "lost" answer
    rv = actions.review_submission(sup_store, submission_id=submission["id"], task_id=task["id"], decision="APPROVE")
    seng.sync(max_seconds=20)
    assert sup_store.item(rv.client_id).state == "sent"
    assert seng.client.task(task["id"])["status"] == "APPROVED"

    # Someone else's review is a failure the user is told about, in words.
    other = actions.review_submission(sup_store, submission_id=submission["id"], task_id=task["id"],
                                      decision="REJECT", reason="照片不清")
    seng.sync(max_seconds=20)
    f = sup_store.item(other.client_id)
    assert f.state == "failed" and f.error.code == "INVALID_STATE" and "already" in f.error.message
    for s in (insp_store, officer_store, sup_store):
        s.close()


def test_patrol_is_recorded_once(store, server):
    eng = engine_for(store, server, "inspector")
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    clock = [t0]
    p = Patrol(store, now=lambda: clock[0])
    p.start()
    for i in range(20):
        clock[0] = t0 + timedelta(seconds=10 * i)
        p.add_fix(Fix(29.55 + i * 0.0002, 106.57, 5.0, at=clock[0]))
    item = p.stop(note="嘉陵江段")
    eng.sync(max_seconds=20)
    sent = store.item(item.client_id)
    assert sent.state == "sent" and sent.result["pointCount"] == 20
    assert abs(sent.result["distanceM"] - p.distance_m) < 5
    assert server.sql("SELECT count(*) FROM patrols WHERE client_id=?", (item.client_id,)) == [(1,)]


def test_sync_sleeps_instead_of_spinning_while_records_wait_for_photos(store, jpeg):
    """A due record held back by a photo in backoff must not make sync() loop without sleeping."""
    now, slept = [0.0], []

    def sleep(d):
        slept.append(d)
        now[0] += d

    eng = SyncEngine(store, Client("http://127.0.0.1:9", timeout=1), base_delay_s=1, max_delay_s=4,
                     rng=random.Random(5), clock=lambda: now[0], sleep=sleep)
    actions.record_inspection(store, outfall="1", photos=[jpeg()])
    rep = eng.sync(max_seconds=30)
    assert rep.passes <= 12 and all(d > 0 for d in slept) and rep.records_sent == 0
    assert store.counts().records_waiting == 1 and store.counts().photos_waiting == 1  # kept, not failed
