"""The patrol's recorder as it runs in an Android foreground service (python-for-android "services",
see mobile/buildozer.spec and mobile/service/patrol.py), so the track keeps growing with the screen
off and the app in a pocket.

Why a separate process: Android suspends an app's activity when the screen goes off; a foreground
service with foregroundServiceType=location (Android 14's rule) keeps running and keeps receiving
fixes, with a notification saying so. The service and the app share the store (one SQLite file in
WAL mode, each change one transaction), so every fix the service keeps is there for the app, and a
kill of either loses none. The app starts the service when a patrol starts and stops it when the
patrol stops; while the service runs the app does not add fixes itself (Services.service_running).
Plain Python: tests drive it with a replayed GPS in a thread.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from mobile.core.patrol import Patrol
from mobile.core.store import Store

HEARTBEAT_KEY = "patrol_service_at"  # epoch seconds of the service's last sign of life
HEARTBEAT_S = 5.0


class PatrolService:
    def __init__(self, store: Store, gps, *, clock: Callable[[], float] = time.time, poll_s: float = 1.0):
        self.store, self.gps, self.clock, self.poll_s = store, gps, clock, poll_s
        self.patrol: Patrol | None = None
        self.kept = 0
        self._stop = threading.Event()

    def notification_text(self) -> str:
        p = self.patrol
        if p is None:
            return "巡河未进行 / no patrol"
        km = p.distance_m / 1000
        return f"巡河中 {km:.2f} km · {len(p.points)} 点 / patrolling {km:.2f} km, {len(p.points)} points"

    def _on_fix(self, fix) -> None:
        if self.patrol is not None and self.patrol.add_fix(fix):
            self.kept += 1

    def run(self) -> str:
        """Record until the patrol is stopped (by the app, in the store) or stop() is called.
        Returns why it ended: "no patrol", "patrol stopped" or "service stopped"."""
        self.patrol = Patrol.resume(self.store)
        if self.patrol is None:
            return "no patrol"
        patrol_id = self.patrol.id
        self.gps.start(self._on_fix)
        try:
            last_beat = 0.0
            while not self._stop.wait(self.poll_s):
                now = self.clock()
                if now - last_beat >= HEARTBEAT_S:
                    self.store.set_meta(**{HEARTBEAT_KEY: str(now)})
                    last_beat = now
                active = self.store.active_patrol()
                if active is None or active["id"] != patrol_id:
                    return "patrol stopped"
            return "service stopped"
        finally:
            self.gps.stop()
            self.store.set_meta(**{HEARTBEAT_KEY: None})

    def stop(self) -> None:
        self._stop.set()


def service_alive(store: Store, *, now: float | None = None, within_s: float = 3 * HEARTBEAT_S) -> bool:
    """Whether a patrol service has shown a sign of life recently (the app then leaves fixes to it)."""
    raw = store.get_meta(HEARTBEAT_KEY)
    try:
        return raw is not None and (now if now is not None else time.time()) - float(raw) <= within_s
    except ValueError:
        return False


def main(data_dir: str) -> str:
    """The service process's entry (mobile/service/patrol.py): the phone's GPS, the app's store."""
    from mobile.core.device import make_gps

    store = Store.open(data_dir)
    try:
        return PatrolService(store, make_gps({})).run()
    finally:
        store.close()
