"""The issue's finish line: a patrol (with an inspection and its photos) recorded while the server
cannot be reached, the app killed and restarted, syncs completely once the server is back."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from mobile.core import actions
from mobile.core.client import Client
from mobile.core.device import Fix
from mobile.core.patrol import Patrol
from mobile.core.store import Store
from mobile.core.sync import SyncEngine
from server.demo.seed import demo_password
from tests.mobile.conftest import HOME_DISTRICT

DOWN = "http://127.0.0.1:9"  # nothing listens here: the riverbank with no signal


def test_patrol_recorded_offline_syncs_when_the_server_is_back(tmp_path, server, jpeg):
    data = tmp_path / "phone"
    with Store.open(data) as store:  # signed in once, at the office
        online = Client(server.url, timeout=10)
        actions.sign_in(store, online, "inspector", demo_password("inspector"))
        SyncEngine(store, online).refresh_cache()
        outfall = next(o for o in store.outfalls(HOME_DISTRICT) if o.get("id"))

    with Store.open(data) as store:  # on the bank: the app starts with no connection
        offline = Client(DOWN, timeout=1)
        user = actions.sign_in(store, offline, "inspector", demo_password("inspector"))
        assert user["username"] == "inspector"
        t0 = datetime.now(UTC) - timedelta(minutes=30)
        clock = [t0]
        patrol = Patrol(store, now=lambda: clock[0])
        patrol.start()
        for i in range(30):
            clock[0] = t0 + timedelta(seconds=20 * i)
            patrol.add_fix(Fix(29.5560 + i * 0.00025, 106.5760 + i * 0.0001, 6.0, at=clock[0]))
        insp = actions.record_inspection(store, outfall=outfall["id"], position=Fix(29.5565, 106.5762, 5.0),
                                         flowing=True, measurements={"COD": 18.0, "NH3_N": 0.6},
                                         photos=[jpeg(), jpeg()])
        clock[0] = t0 + timedelta(minutes=11)
        walk = patrol.stop(note="离线巡河")
        report = SyncEngine(store, offline, base_delay_s=0.01, max_delay_s=0.02, rng=random.Random(2)).run_once()
        assert report.transport_errors >= 1 and report.records_sent == 0 and report.failed == 0
        c = store.counts()
        assert (c.records_waiting, c.photos_waiting, c.failures) == (2, 2, 0)
        # The app is killed here: nothing but the store file survives.

    with Store.open(data) as store:  # back in signal, the app restarted
        back = Client(server.url, token=store.session_token(), timeout=10)
        rep = SyncEngine(store, back, base_delay_s=0.01, max_delay_s=0.05, rng=random.Random(3)).sync(max_seconds=30)
        assert rep.failed == 0
        c = store.counts()
        assert (c.records_waiting, c.photos_waiting, c.failures) == (0, 0, 0)
        assert store.item(walk.client_id).state == "sent" and store.item(insp.client_id).state == "sent"

    assert server.sql("SELECT point_count, note FROM patrols WHERE client_id=?", (walk.client_id,)) == [(30, "离线巡河")]
    assert server.sql("SELECT count(*) FROM inspections WHERE client_id=?", (insp.client_id,)) == [(1,)]
    assert server.sql("SELECT count(*) FROM media m JOIN inspections i ON m.owner_type='inspection' AND "
                      "m.owner_id=i.id WHERE i.client_id=?", (insp.client_id,)) == [(2,)]
