"""CHAOS: 200 inspections with 400 photos queued offline, synced through a layer that spoils 30 % of
requests (before the server handles them, or after it committed), with the sync engine killed twice
midway (object discarded, store reopened from the file). Everything must arrive exactly once."""
from __future__ import annotations

import random
import time
from collections import Counter

import httpx

from mobile.core import actions
from mobile.core.actions import OutfallRef
from mobile.core.client import Client
from mobile.core.device import Fix
from mobile.core.store import Store
from mobile.core.sync import SyncEngine
from server.demo.seed import demo_password
from tests.mobile.conftest import HOME_DISTRICT, make_jpeg

N_INSPECTIONS, PHOTOS_EACH, N_NEW_OUTFALLS = 200, 2, 4
FAULT_RATE, SEED = 0.30, 20240611
KILL_AFTER_RESPONSE_AT = 450  # the server has answered (maybe committed); the phone dies before noting it
KILL_BEFORE_SEND_AT = 1100  # the phone dies as it is about to send


class Killed(BaseException):
    """The process dies: not an Exception, so nothing on the way up may swallow it."""


class KillSwitch(httpx.BaseTransport):
    """Counts every request the phone makes and 'kills the process' at the chosen ones."""

    def __init__(self, counter: Counter):
        self.inner = httpx.HTTPTransport()
        self.counter = counter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.counter["requests"] += 1
        n = self.counter["requests"]
        if n == KILL_BEFORE_SEND_AT:
            raise Killed(f"killed before request {n}")
        resp = self.inner.handle_request(request)
        if n == KILL_AFTER_RESPONSE_AT:
            resp.read()
            raise Killed(f"killed after the answer to request {n}")
        return resp

    def close(self) -> None:
        self.inner.close()


def test_chaos_everything_arrives_exactly_once(tmp_path, server):
    phone = tmp_path / "phone"
    camera = tmp_path / "camera"
    camera.mkdir()

    # -- offline: sign in and cache once, then queue everything without a network ----------------
    store = Store.open(phone)
    c = Client(server.url, timeout=10)
    actions.sign_in(store, c, "inspector", demo_password("inspector"))
    SyncEngine(store, c).refresh_cache()
    c.close()
    cached = [o for o in store.outfalls(HOME_DISTRICT) if o.get("id")]
    river = cached[0]["river"]["code"]
    new = [actions.register_outfall(store, name=f"混沌测试排口{i}", category="OTHER", river_code=river,
                                    district_code=HOME_DISTRICT, location=Fix(29.556 + i * 0.001, 106.575, 5.0))
           for i in range(N_NEW_OUTFALLS)]
    targets = [OutfallRef(r.client_id) for r in new] + cached
    rng = random.Random(SEED)
    items = []
    for i in range(N_INSPECTIONS):
        photos = [make_jpeg(camera / f"IMG_{i:03d}_{k}.jpg", SEED + i * PHOTOS_EACH + k) for k in range(PHOTOS_EACH)]
        items.append(actions.record_inspection(
            store, outfall=targets[i % len(targets)], flowing=bool(i % 2), note=f"chaos {i}",
            measurements={"PH": round(rng.uniform(6.5, 8.5), 2), "COD": round(rng.uniform(5, 18), 1)},
            photos=photos))
    photos = store.photos()
    assert len(photos) == N_INSPECTIONS * PHOTOS_EACH
    assert len({p.sha256 for p in photos}) == len(photos)  # all different
    expected_outfall = {it.client_id: it.payload["outfallId"] for it in items}
    store.close()

    # -- sync through the faults, killed twice ---------------------------------------------------
    server.faults.configure(FAULT_RATE, SEED)
    counter: Counter = Counter()
    kills = engines = 0
    # Virtual time for the backoff: which item is due then depends on the seeds only, not on how busy
    # the machine is, so the same requests meet the same faults on every run.
    now = [1e9]

    def sleep(d: float) -> None:
        now[0] += d

    started = time.monotonic()
    while True:
        store = Store.open(phone)  # a fresh process: everything it knows comes from the file
        client = Client(server.url, token=store.session_token(), timeout=10, transport=KillSwitch(counter))
        eng = SyncEngine(store, client, base_delay_s=0.005, max_delay_s=0.1, rng=random.Random(SEED + engines),
                         clock=lambda: now[0], sleep=sleep)
        engines += 1
        try:
            rep = eng.sync(max_seconds=150)
        except Killed:
            kills += 1
            client.close()
            store.close()
            continue
        break
    wall = time.monotonic() - started
    f = server.faults
    before, after, resets, reached = f.before, f.after, f.resets, f.requests
    # Retries as the store recorded them (they survive the kills): one attempt per failed try.
    retries = sum(p.attempts for p in store.photos()) + sum(i.attempts for i in store.items())
    print(f"\nCHAOS figures: {N_INSPECTIONS} inspections + {len(photos)} photos + {N_NEW_OUTFALLS} outfalls; "
          f"phone requests {counter['requests']}, reached the fault layer {reached}; faults injected "
          f"{before + after} ({before} before the server, {after} after it committed; "
          f"{resets} as dropped connections); retries {retries}; "
          f"engine kills {kills}; wall time {wall:.1f} s")
    server.faults.configure(0.0, 0)

    # -- the phone: nothing waiting, nothing failed ------------------------------------------------
    counts = store.counts()
    assert (counts.records_waiting, counts.photos_waiting, counts.failures) == (0, 0, 0), store.items("failed")
    assert kills == 2 and before > 50 and after > 50
    assert rep.stopped is None

    # -- the server, read directly: exactly once, correctly linked ---------------------------------
    ids = [it.client_id for it in items]
    marks = ",".join("?" * len(ids))
    rows = server.sql(f"SELECT client_id, id, outfall_id FROM inspections WHERE client_id IN ({marks})", tuple(ids))
    assert len(rows) == N_INSPECTIONS and len({r[0] for r in rows}) == N_INSPECTIONS
    by_client = {r[0]: (r[1], r[2]) for r in rows}

    upload_ids = [p.upload_client_id for p in store.photos()]
    shas = [p.sha256 for p in store.photos()]
    media = server.sql(f"SELECT client_id, status, owner_type, owner_id, sha256 FROM media "
                       f"WHERE sha256 IN ({','.join('?' * len(shas))})", tuple(shas))
    assert len(media) == len(photos)  # no photo arrived twice, not even under another upload clientId
    assert Counter(m[4] for m in media) == Counter(shas)
    assert {m[0] for m in media} == set(upload_ids)
    assert all(m[1] == "READY" and m[2] == "inspection" for m in media)
    owner_of = {m[0]: m[3] for m in media}
    for it in items:
        mine = [p.upload_client_id for p in store.photos(owner=it.client_id)]
        assert len(mine) == PHOTOS_EACH
        assert {owner_of[u] for u in mine} == {by_client[it.client_id][0]}  # its 2 photos, linked to it

    new_ids = {r.client_id: store.server_id_of(r.client_id) for r in new}
    assert server.sql(f"SELECT count(*) FROM outfalls WHERE client_id IN ({','.join('?' * len(new))})",
                      tuple(new_ids)) == [(N_NEW_OUTFALLS,)]
    for cid, ref in expected_outfall.items():
        want = new_ids[ref["$outfall"]] if isinstance(ref, dict) else ref
        assert str(by_client[cid][1]) == str(want)
    store.close()
