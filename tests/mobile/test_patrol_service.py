"""The patrol foreground service: its recorder (shared store with the app, survives a kill) and the
Android declarations it needs (buildozer.spec, runtime permissions)."""
from __future__ import annotations

import configparser
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mobile.core.device import Fix
from mobile.core.patrol import Patrol
from mobile.core.patrol_service import HEARTBEAT_KEY, PatrolService, service_alive
from mobile.core.store import Store

MOBILE = Path(__file__).resolve().parents[2] / "mobile"


class ScriptedGps:
    """Fixes pushed by the test, as the phone's GPS would deliver them to the service."""

    def __init__(self):
        self.cb, self.stopped = None, False

    def start(self, on_fix):
        self.cb = on_fix

    def stop(self):
        self.stopped = True

    @property
    def last_fix(self):
        return None

    def walk(self, n, start=(29.5610, 106.5815)):
        t0 = datetime.now(UTC)
        for i in range(n):
            self.cb(Fix(start[0], start[1] + i * 0.00002, 5.0, at=t0 + timedelta(seconds=i)))


def _wait(cond, timeout=10):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_service_records_into_the_apps_store_until_the_app_stops_the_patrol(tmp_path):
    app_store = Store.open(tmp_path / "phone")
    app_patrol = Patrol(app_store)
    app_patrol.start()
    svc_store = Store.open(tmp_path / "phone")  # the service process opens the same file
    gps = ScriptedGps()
    svc = PatrolService(svc_store, gps, poll_s=0.02)
    ended = {}
    t = threading.Thread(target=lambda: ended.setdefault("why", svc.run()))
    t.start()
    _wait(lambda: gps.cb is not None)
    gps.walk(8)
    assert svc.kept == 8 and "巡河中" in svc.notification_text()
    _wait(lambda: service_alive(app_store))  # the app sees the service alive and leaves fixes to it
    # The app (screen back on) reads the track the service kept, and stops the patrol.
    resumed = Patrol.resume(app_store)
    assert len(resumed.points) == 8 and resumed.distance_m > 10
    item = resumed.stop(note="service test")
    t.join(5)
    assert ended["why"] == "patrol stopped" and gps.stopped
    assert item.payload["track"] and len(item.payload["track"]) == 8
    assert app_store.get_meta(HEARTBEAT_KEY) is None and not service_alive(app_store)


def test_service_without_a_patrol_ends_at_once(tmp_path):
    s = Store.open(tmp_path / "phone")
    assert PatrolService(s, ScriptedGps()).run() == "no patrol"


def test_a_killed_service_loses_no_kept_point(tmp_path):
    store = Store.open(tmp_path / "phone")
    Patrol(store).start()
    gps = ScriptedGps()
    svc = PatrolService(Store.open(tmp_path / "phone"), gps, poll_s=0.02)
    t = threading.Thread(target=svc.run)
    t.start()
    _wait(lambda: gps.cb is not None)
    gps.walk(5)
    svc.stop()  # as if the process died: nothing more is written
    t.join(5)
    assert len(Patrol.resume(Store.open(tmp_path / "phone")).points) == 5


def test_heartbeat_freshness():
    class Meta:
        def __init__(self, v):
            self.v = v

        def get_meta(self, _k):
            return self.v
    assert service_alive(Meta("100"), now=110) and not service_alive(Meta("100"), now=200)
    assert not service_alive(Meta(None), now=1) and not service_alive(Meta("x"), now=1)


def test_buildozer_spec_declares_the_foreground_location_service():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(MOBILE / "buildozer.spec", encoding="utf-8")
    app = cfg["app"]
    perms = {p.strip() for p in app["android.permissions"].split(",")}
    assert {"FOREGROUND_SERVICE", "FOREGROUND_SERVICE_LOCATION", "ACCESS_BACKGROUND_LOCATION",
            "ACCESS_FINE_LOCATION", "POST_NOTIFICATIONS", "WAKE_LOCK"} <= perms
    assert int(app["android.api"]) >= 34  # the Android 14 rules apply to this target
    name, entry, *opts = app["services"].split(":")
    assert name == "Patrol" and (MOBILE / entry).is_file()
    assert "foreground" in opts and "foregroundServiceType=location" in opts
    # The option is only written into the manifest by python-for-android after PR #3262 (2025-12).
    assert app.get("p4a.branch") == "develop" or app.get("p4a.commit")
    from mobile.app.android import BACKGROUND, RUNTIME, SERVICE_CLASS

    assert SERVICE_CLASS == f"{app['package.domain']}.{app['package.name']}.Service{name}"
    assert "POST_NOTIFICATIONS" in RUNTIME and BACKGROUND == ("ACCESS_BACKGROUND_LOCATION",)
    assert "service" not in app["source.exclude_dirs"].split(",")
