"""GPS and camera behind small protocols, so the core and its tests never need a phone.

Android: plyer's gps and camera (imported lazily: plyer is not needed on a desktop), plus pyjnius to
ask the last Location whether it came from a mock provider (guarded: any failure means "unknown").
Desktop: GPS from a configured point or replayed from an NMEA log ($GPGGA/$GPRMC, any talker),
accuracy estimated from HDOP; the camera is a file-picker callback.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time as dtime
from pathlib import Path
from typing import Protocol

# Horizontal accuracy ≈ HDOP × user-equivalent range error; ~5 m is a fair figure for phone-grade GNSS.
UERE_M = 5.0


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    accuracy_m: float | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    mocked: bool | None = None  # True: a mock-location app supplied it; None: cannot tell
    altitude_m: float | None = None
    speed_mps: float | None = None

    def as_input(self) -> dict:
        """GraphQL GeoPointInput."""
        return {"lat": self.lat, "lon": self.lon, "accuracyM": self.accuracy_m}


FixCallback = Callable[[Fix], None]


class Gps(Protocol):
    def start(self, on_fix: FixCallback) -> None: ...
    def stop(self) -> None: ...
    @property
    def last_fix(self) -> Fix | None: ...


class Camera(Protocol):
    def take(self, on_done: Callable[[str | None], None]) -> None:
        """Take (or pick) a photo; on_done gets the file path, or None if the user cancelled."""


# -- NMEA ---------------------------------------------------------------------------------------

class NmeaError(ValueError):
    pass


def _checksum_ok(sentence: str) -> bool:
    if "*" not in sentence:
        return True  # many loggers drop it; accept
    body, _, cs = sentence[1:].partition("*")
    x = 0
    for ch in body:
        x ^= ord(ch)
    try:
        return x == int(cs[:2], 16)
    except ValueError:
        return False


def _coord(value: str, hemi: str, deg_digits: int) -> float:
    if not value or not hemi:
        raise NmeaError("empty coordinate")
    deg = float(value[:deg_digits])
    minutes = float(value[deg_digits:])
    if minutes >= 60:
        raise NmeaError(f"bad minutes in {value!r}")
    v = deg + minutes / 60
    return -v if hemi in ("S", "W") else v


def _hms(value: str) -> dtime:
    h, m, s = int(value[0:2]), int(value[2:4]), float(value[4:] or 0)
    return dtime(h, m, int(s), int(round((s - int(s)) * 1e6)) % 1_000_000, tzinfo=UTC)


@dataclass
class _Partial:
    t: dtime
    lat: float | None = None
    lon: float | None = None
    hdop: float | None = None
    alt: float | None = None
    speed: float | None = None
    d: date | None = None
    valid: bool = True


def parse_nmea(lines: Iterable[str], *, default_date: date | None = None) -> list[Fix]:
    """Fixes from NMEA sentences. GGA and RMC of the same second are merged (GGA gives HDOP and
    altitude, RMC the date and speed); sentences with a bad checksum, no fix (GGA quality 0) or a
    void status (RMC 'V') are skipped. Date: from RMC, else `default_date`, else today (UTC)."""
    merged: dict[tuple, _Partial] = {}
    order: list[tuple] = []
    for raw in lines:
        s = raw.strip()
        if not s.startswith("$") or not _checksum_ok(s):
            continue
        f = s[1:].split("*")[0].split(",")
        kind = f[0][2:] if len(f[0]) == 5 else f[0]
        try:
            if kind == "GGA" and len(f) >= 10:
                if not f[1] or f[6] in ("", "0"):
                    continue
                key = (f[1],)
                p = merged.get(key) or _Partial(_hms(f[1]))
                p.lat, p.lon = _coord(f[2], f[3], 2), _coord(f[4], f[5], 3)
                p.hdop = float(f[8]) if f[8] else None
                p.alt = float(f[9]) if f[9] else None
            elif kind == "RMC" and len(f) >= 10:
                if not f[1]:
                    continue
                key = (f[1],)
                p = merged.get(key) or _Partial(_hms(f[1]))
                if f[2] != "A":
                    p.valid = False
                else:
                    p.lat, p.lon = _coord(f[3], f[4], 2), _coord(f[5], f[6], 3)
                p.speed = float(f[7]) * 0.514444 if f[7] else None  # knots -> m/s
                if f[9] and f[2] == "A":  # a receiver without a fix may not know the date either
                    p.d = date(2000 + int(f[9][4:6]), int(f[9][2:4]), int(f[9][0:2]))
            else:
                continue
        except (ValueError, IndexError, NmeaError):
            continue  # one garbled sentence must not end a replay
        if key not in merged:
            merged[key] = p
            order.append(key)
    # A GGA-only second takes the date of the last dated sentence before it (else the first after it).
    dated = [merged[k].d for k in order if merged[k].d]
    current = dated[0] if dated else (default_date or datetime.now(UTC).date())
    fixes = []
    for key in order:
        p = merged[key]
        current = p.d or current
        if not p.valid or p.lat is None or p.lon is None:
            continue
        d = current
        fixes.append(Fix(lat=p.lat, lon=p.lon, accuracy_m=p.hdop * UERE_M if p.hdop is not None else None,
                         at=datetime.combine(d, p.t), mocked=False, altitude_m=p.alt, speed_mps=p.speed))
    return fixes


# -- desktop implementations --------------------------------------------------------------------

class FixedGps:
    """A configured point, delivered once on start (desktop testing, or a known site)."""

    def __init__(self, lat: float, lon: float, accuracy_m: float = 5.0):
        self._fix = Fix(lat, lon, accuracy_m, mocked=False)
        self._last: Fix | None = None

    def start(self, on_fix: FixCallback) -> None:
        self._last = replace(self._fix, at=datetime.now(UTC))
        on_fix(self._last)

    def stop(self) -> None:
        pass

    @property
    def last_fix(self) -> Fix | None:
        return self._last


class NmeaReplayGps:
    """Replays an NMEA log: in a background thread at `interval_s` per fix, or all at once with
    interval_s=0 (tests). Timestamps are the log's own."""

    def __init__(self, path: str | os.PathLike, *, interval_s: float = 1.0):
        self.fixes = parse_nmea(Path(path).read_text(encoding="ascii", errors="replace").splitlines())
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: Fix | None = None

    def _run(self, on_fix: FixCallback) -> None:
        for f in self.fixes:
            if self._stop.is_set():
                return
            self._last = f
            on_fix(f)
            if self.interval_s:
                self._stop.wait(self.interval_s)

    def start(self, on_fix: FixCallback) -> None:
        self._stop.clear()
        if self.interval_s == 0:
            self._run(on_fix)
            return
        self._thread = threading.Thread(target=self._run, args=(on_fix,), daemon=True, name="nmea-replay")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    @property
    def last_fix(self) -> Fix | None:
        return self._last


class FilePickerCamera:
    """The desktop 'camera': a callback that returns an image path (a file dialog in the UI)."""

    def __init__(self, pick: Callable[[], str | None]):
        self._pick = pick

    def take(self, on_done: Callable[[str | None], None]) -> None:
        path = self._pick()
        on_done(path if path and Path(path).is_file() else None)


# -- Android ------------------------------------------------------------------------------------

def is_android() -> bool:
    return "ANDROID_ARGUMENT" in os.environ or "ANDROID_PRIVATE" in os.environ


def android_location_mocked() -> bool | None:
    """Whether the last GPS Location came from a mock provider; None if it cannot be told."""
    try:
        from jnius import autoclass  # type: ignore[import-not-found]

        activity = autoclass("org.kivy.android.PythonActivity").mActivity
        context = autoclass("android.content.Context")
        lm = activity.getSystemService(context.LOCATION_SERVICE)
        loc = lm.getLastKnownLocation("gps")
        if loc is None:
            return None
        if hasattr(loc, "isMock"):  # API 31+
            return bool(loc.isMock())
        return bool(loc.isFromMockProvider())  # API 18-30
    except Exception:  # noqa: BLE001 - no pyjnius, no permission, old API: unknown, not an error
        return None


class PlyerGps:
    """plyer.gps; accuracy comes from the platform's `accuracy` in metres."""

    def __init__(self, *, min_time_ms: int = 1000, min_distance_m: float = 0):
        self.min_time_ms, self.min_distance_m = min_time_ms, min_distance_m
        self._last: Fix | None = None
        self._gps = None

    def start(self, on_fix: FixCallback) -> None:
        from plyer import gps  # lazy: only on the phone

        def on_location(**kw) -> None:
            acc = kw.get("accuracy")
            self._last = Fix(lat=float(kw["lat"]), lon=float(kw["lon"]),
                             accuracy_m=float(acc) if acc is not None else None,
                             altitude_m=kw.get("altitude"), speed_mps=kw.get("speed"),
                             mocked=android_location_mocked())
            on_fix(self._last)

        gps.configure(on_location=on_location, on_status=lambda *a, **k: None)
        gps.start(minTime=self.min_time_ms, minDistance=self.min_distance_m)
        self._gps = gps

    def stop(self) -> None:
        if self._gps is not None:
            self._gps.stop()

    @property
    def last_fix(self) -> Fix | None:
        return self._last


class PlyerCamera:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def take(self, on_done: Callable[[str | None], None]) -> None:
        from plyer import camera  # lazy: only on the phone

        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"IMG_{time.strftime('%Y%m%d_%H%M%S')}.jpg"

        def done(path: str | None = None) -> bool:
            on_done(path if path and Path(path).is_file() else None)
            return False  # keep the file: the store copies it, then it may be deleted

        camera.take_picture(filename=str(target), on_complete=done)


def make_gps(config: dict) -> Gps:
    """{"nmea": path, "interval_s": 1} or {"lat":..,"lon":..,"accuracy_m":..} on a desktop; plyer on Android."""
    if is_android() and not config.get("force_desktop"):
        return PlyerGps()
    if config.get("nmea"):
        return NmeaReplayGps(config["nmea"], interval_s=float(config.get("interval_s", 1.0)))
    return FixedGps(float(config.get("lat", 29.5630)), float(config.get("lon", 106.5516)),
                    float(config.get("accuracy_m", 5.0)))


def make_camera(config: dict, pick: Callable[[], str | None] | None = None) -> Camera:
    if is_android() and not config.get("force_desktop"):
        return PlyerCamera(config.get("capture_dir", "captures"))
    if pick is None:
        raise ValueError("a desktop camera needs a pick() callback (e.g. a file dialog)")
    return FilePickerCamera(pick)
