"""Outfall Watch phone core: plain Python (no Kivy), so the UI in mobile/app/ stays a thin layer.

Rule of the house: every action is written to the local store FIRST (one SQLite file, WAL), then the
sync engine sends it when there is signal. Nothing is lost, nothing is sent twice (every record and
photo carries a client UUID made on the phone; the server answers a replay with the first result).

Quick start (what a screen does)::

    from mobile.core import actions, limits, nearby
    from mobile.core.store import Store
    from mobile.core.client import Client, ClientError, ApiError, TransportError
    from mobile.core.sync import SyncEngine
    from mobile.core.device import Fix, make_gps, make_camera
    from mobile.core.patrol import Patrol

    store = Store.open(data_dir)                      # <data_dir>/outfallwatch.sqlite3 + <data_dir>/photos/
    client = Client("https://server.example", token=store.session_token())
    engine = SyncEngine(store, client)                # stateless: all progress lives in the store

    # Sign-in: online when the server answers, else offline against this user's last online sign-in.
    user = actions.sign_in(store, client, "inspector", "inspector-demo")  # -> User dict; SignInError(.offline)

    # Actions (offline-first; photos are paths or (path, role); copied + hashed + queued in one transaction):
    item = actions.record_inspection(store, outfall=<server id | cached outfall dict | OutfallRef>,
                                     observed_at=None, position=Fix|None, flowing=True, note="...",
                                     measurements={"COD": 80.0, "PH": 7.1}, photos=[path, (path, "SAMPLE")])
    reg = actions.register_outfall(store, name=..., category=..., river_code=..., district_code=...,
                                   location=Fix, photos=[...])      # inspect it at once: OutfallRef(reg.client_id)
    actions.start_task(store, task_id)
    actions.submit_rectification(store, task_id=..., before=[paths], after=[paths], note=None)
    actions.review_submission(store, submission_id=..., task_id=..., decision="APPROVE"|"REJECT", reason=None)
    actions.verify_outfall(store, outfall=..., outcome="VERIFIED"|"NOT_OUTFALL")  # a suspect, on site
    actions.submit_tracing_record(store, outfall=..., party_name=..., party_type=..., uscc=..., contact=...,
                                  sources=[...], methods=[...], report=...)   # or determined=False, undetermined_reason=
    actions.may_verify(user, outfall) / actions.may_trace(user, outfall)  # what the server's roles allow
    # -> each returns an OutboxItem(client_id, kind, payload, state, attempts, error, server_id, result, ...)

    # Sync (background thread; safe to interrupt at any point, even by killing the process):
    engine.run_once() -> SyncReport(records_sent, photos_ready, failed, retries_scheduled, transport_errors,
                                    requests, stopped: None | "offline" | "sign_in", errors)
    engine.sync(max_seconds=60) -> SyncReport     # passes until nothing is due, sleeping for the backoff
    engine.refresh_cache(district_code=None)      # register of the district, districts, rivers, limits,
                                                  # my tasks, review queue (SUPERVISOR) -> counts dict

    # Badge, lists and the user's remedies:
    store.counts() -> SyncCounts(records_waiting, photos_waiting, failures, last_sync_at, needs_sign_in, last_error)
    store.items(state="failed") / store.photos(state="failed")   # .error = ErrorInfo(code, message)
    store.retry(client_id)                  # a failed record (with its failed photos) or photo goes again
    store.fix(client_id, {"measurements": [...]})   # change a failed record's fields, then it goes again
    store.replace_photo(photo_client_id, new_path)  # swap a rejected photo's file
    store.discard(client_id)                # drop an unsent record and its photos
    store.outfalls(district) / store.outfall(id) / store.tasks() / store.review_queue() / store.districts()
    store.rivers() / store.limits() / store.session() / store.get_meta(k) / store.set_meta(k=v)

    # Offline helpers:
    nearby.nearest(store, fix_or_(lat, lon), n=10) -> [NearbyOutfall(outfall, distance_m, bearing_deg,
                                                                       compass_zh, compass_en)]
    limits.for_outfall(store.limits(), outfall, {"COD": 80.0}) -> [Judgement(exceeded, limit, standard,
                                                                              exceedance_multiple, ...).text()]
    limits.plausibility_error("PH", 15) -> "PH: value 15 exceeds the plausible maximum 14"

    # Device and patrol:
    gps = make_gps({"nmea": path} | {"lat":.., "lon":..})   # plyer on Android
    camera = make_camera(config, pick=callback)             # take(on_done(path | None))
    patrol = Patrol.resume(store) or Patrol(store)          # survives a kill
    patrol.start(); patrol.add_fix(fix) -> kept?; patrol.distance_m, patrol.duration_s
    patrol.stop(note=None) -> OutboxItem (recordPatrol) | None

Modules:
    store.py   Store: outbox, photos, cached reference data, session, sync metadata (transactional).
    client.py  Client: GraphQL over HTTP (httpx); TransportError (retry) vs ApiError(code, message).
    sync.py    SyncEngine: photos first (requestUpload -> bytes -> completeUpload), then records in order,
               local references substituted, exponential backoff with jitter, permanent failures kept.
    actions.py The user's actions as one call each: copy photos + enqueue the record in one transaction.
    nearby.py  Haversine distance, bearing, 8-point compass (中文/English); N nearest cached outfalls.
    limits.py  Offline exceedance check against cached standard limits (same rules as the server).
    uscc.py    统一社会信用代码 check (GB 32100-2015), offline, the same as the server's python-stdnum check.
    device.py  Fix, GPS and camera protocols; plyer on Android (lazy), fixed point / NMEA file on desktop.
    patrol.py  Patrol: a GPS track with bad fixes dropped, distance/duration; stop() enqueues recordPatrol.

Outbox kinds: registerOutfall, recordInspection, submitRectification, reviewSubmission, startTask, recordPatrol,
createTask, verifyOutfall, submitTracingRecord.
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
