"""A patrol (巡河): start, accumulate a clean GPS track, stop -> one queued recordPatrol record.

Every kept fix is written to the store as it arrives, so a patrol survives the app being killed:
`Patrol.resume(store)` picks up the running one. Fixes are dropped when their accuracy is poor, when
they go back in time, or when reaching them from the last kept fix would need an impossible speed
(a GPS jump across the river is not a walk).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from mobile.core.device import Fix, Gps
from mobile.core.nearby import haversine_m
from mobile.core.store import OutboxItem, Store

MAX_ACCURACY_M = 50.0
MAX_SPEED_MPS = 40.0  # 144 km/h: faster than any boat or car on a riverside road
MAX_POINTS = 20_000  # the server's cap


@dataclass(frozen=True)
class TrackPoint:
    lat: float
    lon: float
    accuracy_m: float | None
    at: datetime
    mocked: bool | None = None

    def as_input(self) -> dict:
        return {"lat": self.lat, "lon": self.lon, "accuracyM": self.accuracy_m, "at": self.at.isoformat()}


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


class PatrolError(Exception):
    pass


class Patrol:
    def __init__(self, store: Store, gps: Gps | None = None, *, max_accuracy_m: float = MAX_ACCURACY_M,
                 max_speed_mps: float = MAX_SPEED_MPS, now=lambda: datetime.now(UTC)):
        self.store, self.gps = store, gps
        self.max_accuracy_m, self.max_speed_mps = max_accuracy_m, max_speed_mps
        self.now = now
        self.id: str | None = None
        self.started_at: datetime | None = None
        self.points: list[TrackPoint] = []
        self.dropped = 0
        self.distance_m = 0.0

    @classmethod
    def resume(cls, store: Store, gps: Gps | None = None, **kw) -> "Patrol | None":
        """The patrol that was running when the app stopped, with its track; None if there is none."""
        a = store.active_patrol()
        if a is None:
            return None
        p = cls(store, gps, **kw)
        p.id, p.started_at = a["id"], datetime.fromisoformat(a["startedAt"])
        for r in store.patrol_points(p.id):
            tp = TrackPoint(r["lat"], r["lon"], r["accuracy_m"], datetime.fromisoformat(r["at"]),
                            None if r["mocked"] is None else bool(r["mocked"]))
            if p.points:
                p.distance_m += haversine_m(p.points[-1].lat, p.points[-1].lon, tp.lat, tp.lon)
            p.points.append(tp)
        if gps is not None:
            gps.start(p.add_fix)
        return p

    @property
    def running(self) -> bool:
        return self.id is not None

    @property
    def duration_s(self) -> int:
        if self.started_at is None:
            return 0
        return max(0, int((self.now() - self.started_at).total_seconds()))

    def start(self) -> str:
        if self.running:
            raise PatrolError("a patrol is already running")
        if self.store.active_patrol() is not None:
            raise PatrolError("another patrol is running; resume it with Patrol.resume(store)")
        self.id, self.started_at = str(uuid.uuid4()), self.now()
        self.points, self.dropped, self.distance_m = [], 0, 0.0
        self.store.patrol_begin(self.id, self.started_at.isoformat())
        if self.gps is not None:
            self.gps.start(self.add_fix)
        return self.id

    def add_fix(self, fix: Fix) -> bool:
        """Keep the fix unless it is poor or impossible; True if kept."""
        if not self.running:
            return False
        at = _aware(fix.at)
        if fix.accuracy_m is not None and fix.accuracy_m > self.max_accuracy_m:
            self.dropped += 1
            return False
        if not (-90 <= fix.lat <= 90 and -180 <= fix.lon <= 180) or (fix.lat == 0 and fix.lon == 0):
            self.dropped += 1
            return False
        step = 0.0
        if self.points:
            last = self.points[-1]
            dt = (at - last.at).total_seconds()
            if dt < 0:
                self.dropped += 1
                return False
            step = haversine_m(last.lat, last.lon, fix.lat, fix.lon)
            # Allow the accuracies' worth of wobble before calling a step a jump.
            slack = (fix.accuracy_m or 0) + (last.accuracy_m or 0)
            if step - slack > self.max_speed_mps * max(dt, 1.0):
                self.dropped += 1
                return False
        tp = TrackPoint(fix.lat, fix.lon, fix.accuracy_m, at, fix.mocked)
        self.store.patrol_add_point(self.id, len(self.points), tp.lat, tp.lon, tp.accuracy_m, at.isoformat(),
                                    tp.mocked)
        self.points.append(tp)
        self.distance_m += step
        return True

    def stop(self, note: str | None = None) -> OutboxItem | None:
        """End the patrol and queue recordPatrol (None and nothing queued if no fix was kept)."""
        if not self.running:
            raise PatrolError("no patrol is running")
        if self.gps is not None:
            self.gps.stop()
        ended = self.now()
        pts = self.points
        if len(pts) > MAX_POINTS:  # thin evenly, keeping both ends
            step = len(pts) / MAX_POINTS
            pts = [pts[int(i * step)] for i in range(MAX_POINTS - 1)] + [pts[-1]]
        started = min([self.started_at, *(p.at for p in pts)])  # a fix stamped before start still fits
        ended = max([ended, *(p.at for p in pts)])
        payload = None
        if pts:
            payload = {"clientId": self.id, "startedAt": started.isoformat(), "endedAt": ended.isoformat(),
                       "track": [p.as_input() for p in pts], "note": note,
                       "mockedLocation": any(p.mocked for p in pts)}
        item = self.store.patrol_finish(self.id, payload)
        self.id = None
        return item

    def discard(self) -> None:
        if self.running:
            if self.gps is not None:
                self.gps.stop()
            self.store.patrol_finish(self.id, None)
            self.id = None
