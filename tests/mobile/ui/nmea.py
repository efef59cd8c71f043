"""Write a small NMEA log (GGA + RMC per second) of a walk, for the app's --nmea GPS replay."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path


def _cs(body: str) -> str:
    x = 0
    for ch in body:
        x ^= ord(ch)
    return f"{x:02X}"


def _dm(value: float, deg_digits: int) -> str:
    deg = int(abs(value))
    return f"{deg:0{deg_digits}d}{(abs(value) - deg) * 60:07.4f}"


def walk(path: Path, start: tuple[float, float], step_deg: tuple[float, float], seconds: int,
         t0: datetime | None = None, hdop: float = 0.9) -> Path:
    t0 = t0 or datetime.now(UTC)
    lines = []
    for i in range(seconds):
        lat, lon = start[0] + step_deg[0] * i, start[1] + step_deg[1] * i
        t = t0 + timedelta(seconds=i)
        hms, dmy = t.strftime("%H%M%S.00"), t.strftime("%d%m%y")
        ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
        gga = f"GPGGA,{hms},{_dm(lat, 2)},{ns},{_dm(lon, 3)},{ew},1,09,{hdop:.1f},240.0,M,-30.0,M,,"
        rmc = f"GPRMC,{hms},A,{_dm(lat, 2)},{ns},{_dm(lon, 3)},{ew},2.5,90.0,{dmy},,,A"
        lines += [f"${gga}*{_cs(gga)}", f"${rmc}*{_cs(rmc)}"]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path
