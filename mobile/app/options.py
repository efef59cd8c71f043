"""What the app is started with (command line on a desktop; defaults on a phone)."""
from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass
class Options:
    server: str = "http://127.0.0.1:8000"
    data_dir: str | None = None          # None: Kivy's per-user folder (App.user_data_dir)
    gps: tuple[float, float] | None = None  # a fixed desktop position (lat, lon)
    nmea: str | None = None              # or replay an NMEA log
    photo: str | None = None             # desktop camera: use this image instead of asking with a file chooser
    language: str | None = None          # None: the last choice, else Chinese
    sync_interval_s: float = 30.0
    theme: str | None = None             # "normal" or "sunlight"; None: the last choice
    tiles: str | None = None             # XYZ tile URL template; None: the saved one, else no tiles
    tiles_crs: str | None = None         # "WGS84" or "GCJ02": the datum the tiles are drawn in


def parse(argv: list[str]) -> Options:
    ap = argparse.ArgumentParser(prog="python -m mobile.main",
                                 description="Outfall Watch phone app (desktop run; on Android the defaults apply).")
    ap.add_argument("--server", default=Options.server, help="server base URL (default %(default)s)")
    ap.add_argument("--data-dir", help="folder for the local store and photos (default: the per-user app folder)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--gps", metavar="LAT,LON", type=_latlon, help="pretend the GPS is at this WGS-84 point")
    where.add_argument("--nmea", metavar="FILE", help="replay GPS fixes from an NMEA log")
    ap.add_argument("--photo", metavar="FILE|DIR",
                    help="camera stand-in: every photo is this image, or a folder's images in turn")
    ap.add_argument("--lang", dest="language", choices=("zh_CN", "en"), help="interface language")
    ap.add_argument("--sync-interval", dest="sync_interval_s", type=float, default=Options.sync_interval_s,
                    help="seconds between background syncs (default %(default)s)")
    ap.add_argument("--theme", choices=("normal", "sunlight"), help="colour theme (sunlight: high contrast)")
    ap.add_argument("--tiles", metavar="URL", help="XYZ tile URL template, e.g. https://host/{z}/{x}/{y}.png")
    ap.add_argument("--tiles-crs", choices=("WGS84", "GCJ02"), help="datum the tiles are drawn in")
    return Options(**vars(ap.parse_args(argv)))


def _latlon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("expected LAT,LON, e.g. 29.5647,106.5770") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError("latitude must be within ±90 and longitude within ±180")
    return lat, lon
