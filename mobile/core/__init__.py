"""Outfall Watch phone core: plain Python (no Kivy), so the UI in mobile/app/ stays a thin layer.

Rule of the house: every action is written to the local store FIRST (one SQLite file, WAL), then the
sync engine sends it when there is signal. Nothing is lost, nothing is sent twice (every record and
photo carries a client UUID made on the phone; the server answers a replay with the first result).

Quick start (what a screen does)::

    from mobile.core import Store, Client, SyncEngine, actions, nearby, limits

    store = Store.open(app.user_data_dir)             # <data_dir>/outfallwatch.sqlite3 + <data_dir>/photos/
    client = Client("https://server.example", token=store.session_token())
    engine = SyncEngine(store, client)

    # Sign-in: online when possible, else offline against the last successful sign-in.
    user = actions.sign_in(store, client, "inspector", "inspector-demo")   # -> dict (the User), raises SignInError

    # Record an inspection (photos are copied into the app's own folder, hashed, queued):
    item = actions.record_inspection(store, outfall="123" or OutfallRef(client_id), observed_at=datetime,
                                     position=Fix|None, flowing=True, note="...",
                                     measurements={"COD": 80.0, "PH": 7.1},
                                     photos=[("/sdcard/DCIM/a.jpg", "GENERAL"), ...])   # -> OutboxItem
    actions.register_outfall(store, name=..., category=..., river_code=..., district_code=..., location=Fix,
                             photos=[...]) -> OutboxItem    # usable offline: item.client_id is the outfall's ref
    actions.start_task(store, task_id) / actions.submit_rectification(store, task_id, before=[paths],
        after=[paths], note=None) / actions.review_submission(store, submission_id, task_id, decision, reason)

    # Sync (call from a background thread; every call is safe to interrupt, even by killing the process):
    report = engine.run_once()        # one pass over what is due now -> SyncReport
    engine.sync(max_seconds=60)       # passes until nothing is due or time is up (sleeps for backoff)
    engine.refresh_cache(district_code)   # outfall register, districts/rivers, limits, my tasks, review queue

    # Badge and lists:
    store.counts()  -> SyncCounts(records_waiting, photos_waiting, failures, last_sync_at, needs_sign_in)
    store.items(state="failed") -> list[OutboxItem]   # .error = ErrorInfo(code, message) in plain words
    store.retry(client_id) / store.discard(client_id) / store.fix(client_id, payload_changes)

    # Offline helpers:
    nearby.nearest(store, fix, n=10) -> list[NearbyOutfall(outfall, distance_m, bearing_deg, compass_zh, compass_en)]
    limits.check(store.limits(), "COD", 80.0, category="INDUSTRIAL", water_class="III") -> Judgement

    # Device (GPS/camera behind protocols; Android via plyer, desktop via a fixed point / NMEA replay):
    gps = device.make_gps(config)  ;  camera = device.make_camera(config)
    patrol = Patrol(store, gps) ; patrol.start() ; patrol.add_fix(fix) ; patrol.stop(note=None) -> OutboxItem

Modules:
    store.py   Store: outbox, photos, cached reference data, session, sync metadata (transactional).
    client.py  Client: GraphQL over HTTP (httpx); TransportError (retry) vs ApiError(code, message).
    sync.py    SyncEngine: photos first (requestUpload -> bytes -> completeUpload), then records in order,
               local references substituted, exponential backoff with jitter, permanent failures kept.
    actions.py The user's actions as one call each: copy photos + enqueue the record in one transaction.
    nearby.py  Haversine distance, bearing, 8-point compass (中文/English); N nearest cached outfalls.
    limits.py  Offline exceedance check against cached standard limits (same rules as the server).
    device.py  Fix, GPS and camera protocols; plyer on Android (lazy), fixed point / NMEA file on desktop.
    patrol.py  Patrol: a GPS track with bad fixes dropped, distance/duration; stop() enqueues recordPatrol.

Outbox kinds: registerOutfall, recordInspection, submitRectification, reviewSubmission, startTask, recordPatrol.
States: records pending -> sent | failed; photos pending -> ready | failed. Times are UTC ISO-8601 strings.
Local references inside a payload: {"$photo": "<photo client uuid>"} (becomes the server media id) and
{"$outfall": "<registerOutfall client uuid>"} (becomes the server outfall id) - see actions.py.
"""
from __future__ import annotations

__all__ = ["Store", "Client", "SyncEngine", "Patrol"]


def __getattr__(name: str):
    # Lazy so `import mobile.core` stays cheap and a broken optional module never blocks the UI's import.
    if name == "Store":
        from mobile.core.store import Store
        return Store
    if name == "Client":
        from mobile.core.client import Client
        return Client
    if name == "SyncEngine":
        from mobile.core.sync import SyncEngine
        return SyncEngine
    if name == "Patrol":
        from mobile.core.patrol import Patrol
        return Patrol
    raise AttributeError(name)
