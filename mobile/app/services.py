"""The core objects one running app uses (store, client, sync engine, GPS, camera), made in one place.

Everything here is wiring: which core object to build from the options, and one-line pass-throughs
the screens call. The decisions themselves (what to send, what exceeds, what is near) are the core's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

from mobile.app.labels import error_reason
from mobile.app.options import Options


@dataclass
class Services:
    options: Options
    store: Any
    client: Any
    engine: Any
    gps: Any
    camera: Any
    user: dict | None = None
    online: bool | None = None  # None: not tried yet
    last_report: Any = None
    patrol: Any = None
    drafts: Any = None  # mobile.core.drafts.Drafts: every form's unsaved work, per record
    deliver: Callable[[Callable], None] = field(default=lambda f: f(), repr=False)  # to the UI thread
    fix_listeners: list[Callable] = field(default_factory=list)

    @classmethod
    def start(cls, options: Options, data_dir: str, deliver: Callable[[Callable], None] = lambda f: f()
              ) -> "Services":
        """Open the store, build client/engine/GPS/camera; `deliver` moves GPS callbacks onto the UI
        thread. The GPS starts with start_gps()."""
        from mobile.core import device
        from mobile.core.client import Client
        from mobile.core.drafts import Drafts
        from mobile.core.patrol import Patrol
        from mobile.core.store import Store
        from mobile.core.sync import SyncEngine

        store = Store.open(data_dir)
        client = Client(options.server, token=store.session_token())
        config: dict[str, Any] = {"capture_dir": f"{data_dir}/captures"}
        if options.nmea:
            config["nmea"] = options.nmea
        elif options.gps:
            config["lat"], config["lon"] = options.gps
        if options.photo:
            camera = device.make_camera(config, pick=_cycle_photos(options.photo))
        elif device.is_android():
            camera = device.make_camera(config)
        else:
            from mobile.app.camera import ChooserCamera
            camera = ChooserCamera()
        s = cls(options=options, store=store, client=client, engine=SyncEngine(store, client),
                gps=device.make_gps(config), camera=camera, deliver=deliver)
        # One GPS listener for the whole app (plyer allows one callback): home and patrol subscribe here;
        # the patrol gets no gps of its own.
        s.patrol = Patrol.resume(store) or Patrol(store)
        s.drafts = Drafts(store)
        return s

    def start_gps(self) -> None:
        """Start receiving fixes (on Android only once the location permission is granted)."""
        self.gps.start(lambda fix: self.deliver(lambda: self._on_fix(fix)))

    def _on_fix(self, fix) -> None:
        from mobile.core.patrol_service import service_alive

        if self.patrol.running:
            if service_alive(self.store):  # the foreground service records (Android); show its points
                from mobile.core.patrol import Patrol

                self.patrol = Patrol.resume(self.store) or self.patrol
            else:
                self.patrol.add_fix(fix)
        for listener in list(self.fix_listeners):
            listener(fix)

    def fix(self):
        return self.gps.last_fix

    def tile_source(self):
        """The configured XYZ tiles: --tiles on a desktop, else the phone's saved setting (meta "tiles")."""
        import json

        from mobile.core.mapping import TileSource

        if self.options.tiles:
            return TileSource(url=self.options.tiles, datum=self.options.tiles_crs or "WGS84")
        raw = self.store.get_meta("tiles")
        try:
            return TileSource.from_config(json.loads(raw)) if raw else None
        except ValueError:
            return None

    def fetch_bytes(self, url: str) -> bytes | None:
        """One tile over the core client's connection pool (background thread)."""
        return self.client.get_bytes(url)

    def tile_cache(self):
        from pathlib import Path

        from mobile.core.mapping import TileCache

        src = self.tile_source()
        return TileCache(Path(self.store.data_dir) / "tiles", src) if src else None

    def nearest(self, fix, n: int):
        from mobile.core import nearby

        district = (self.user or {}).get("district") or {}
        return nearby.nearest(self.store, fix, n, district_code=district.get("code"))

    def failures(self) -> list["Failure"]:
        """Failed records with their reasons, and failed photos whose record is not itself listed."""
        out, listed = [], set()
        for it in self.store.items(state="failed"):
            listed.add(it.client_id)
            out.append(Failure(it.client_id, it.kind, _record_title(it.payload),
                               error_reason(it.error), it.created_at))
        for p in self.store.photos(state="failed"):
            if p.owner_client_id in listed:
                continue
            owner = self.store.item(p.owner_client_id) if p.owner_client_id else None
            out.append(Failure(p.owner_client_id or p.client_id, owner.kind if owner else "photo", p.filename,
                               error_reason(p.error), owner.created_at if owner else None))
        return out

    def stop(self) -> None:
        for closer in (getattr(self.gps, "stop", None), self.client.close, self.store.close):
            if closer:
                try:
                    closer()
                except Exception:  # noqa: BLE001 - closing on exit must not raise
                    pass

    # Preferences ------------------------------------------------------------------------------
    def saved_language(self) -> str | None:
        return self.store.get_meta("language")

    def save_language(self, lang: str) -> None:
        self.store.set_meta(language=lang)

    # Session ----------------------------------------------------------------------------------
    def sign_in(self, server: str, username: str, password: str) -> dict:
        """Online if the server answers, else the cached session (core's rule); then refresh the cache."""
        from mobile.core import actions

        if server.rstrip("/") != self.client.base_url:
            self.client.base_url = server.rstrip("/")
        self.user = actions.sign_in(self.store, self.client, username, password)
        self.refresh()
        return self.user

    def refresh(self) -> bool:
        """Refresh the offline cache; False (and online=False) when the server cannot be reached."""
        from mobile.core.client import ClientError

        try:
            self.engine.refresh_cache((self.user.get("district") or {}).get("code") if self.user else None)
            self.online = True
        except ClientError:
            self.online = False
        return self.online

    def sync(self):
        """Send what is waiting, then refresh the cache (background thread)."""
        # Offline, one pass is enough: waiting out the backoff for 20 s with no server only keeps the
        # radio busy; the app's timer (and "Sync now") tries again.
        self.last_report = self.engine.sync(max_seconds=20, offline_pause_s=20)
        self.refresh()
        return self.last_report

    def sign_out(self) -> None:
        self.user = None


class Failure(NamedTuple):
    client_id: str  # what retry/discard act on: the record (or a photo without a record)
    kind: str
    title: str
    reason: str
    created_at: str | None


def _cycle_photos(path: str) -> Callable[[], str | None]:
    """Desktop camera stand-in: a file every time, or a folder's images in turn (before != after)."""
    from pathlib import Path

    p = Path(path)
    if p.is_file():
        return lambda: str(p)
    images = sorted(x for x in p.glob("*") if x.suffix.lower() in (".jpg", ".jpeg", ".png"))
    state = {"i": 0}

    def pick():
        if not images:
            return None
        state["i"] += 1
        return str(images[(state["i"] - 1) % len(images)])

    return pick


def _record_title(payload: dict) -> str:
    return str(payload.get("name") or payload.get("note") or payload.get("taskId") or "")
