"""NMEA parsing and replay, desktop GPS/camera, and the patrol track filter."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mobile.core import device
from mobile.core.device import Fix, parse_nmea
from mobile.core.patrol import Patrol, PatrolError


def nmea(body: str) -> str:
    cs = 0
    for ch in body:
        cs ^= ord(ch)
    return f"${body}*{cs:02X}"


GGA = nmea("GPGGA,013012.00,2933.6000,N,10634.2000,E,1,09,1.2,245.3,M,-27.0,M,,")
RMC = nmea("GPRMC,013012.00,A,2933.6000,N,10634.2000,E,2.0,90.0,110624,,,A")


def test_gga_and_rmc_merge_into_one_fix():
    (f,) = parse_nmea([GGA, RMC])
    assert f.lat == pytest.approx(29 + 33.6 / 60) and f.lon == pytest.approx(106 + 34.2 / 60)
    assert f.accuracy_m == pytest.approx(1.2 * device.UERE_M)  # from HDOP
    assert f.altitude_m == 245.3 and f.speed_mps == pytest.approx(1.0289, abs=1e-3)
    assert f.at == datetime(2024, 6, 11, 1, 30, 12, tzinfo=UTC) and f.mocked is False


def test_hemispheres_talkers_and_skips():
    lines = [
        nmea("GNGGA,120000,3350.0000,S,15112.0000,W,1,05,2.0,10,M,,M,,"),  # GN talker, south/west
        nmea("GPGGA,120001,2933.6,N,10634.2,E,0,00,,,M,,M,,"),  # quality 0: no fix
        nmea("GPRMC,120002,V,2933.6,N,10634.2,E,,,110624,,,N"),  # void
        GGA[:-2] + "00",  # bad checksum
        "$GPGGA,garbage",
        "not nmea at all",
        nmea("GPGSV,3,1,11,03,03,111,00"),  # ignored sentence type
    ]
    fixes = parse_nmea(lines, default_date=date(2024, 1, 2))
    assert len(fixes) == 1
    assert fixes[0].lat == pytest.approx(-(33 + 50 / 60)) and fixes[0].lon == pytest.approx(-(151 + 12 / 60))
    assert fixes[0].at.date() == date(2024, 1, 2) and fixes[0].accuracy_m == 10.0


def test_rmc_only_has_no_accuracy():
    (f,) = parse_nmea([RMC])
    assert f.accuracy_m is None and f.at.date() == date(2024, 6, 11)


def test_replay_from_file_and_fixed_point(tmp_path):
    log = tmp_path / "walk.nmea"
    lines = []
    for i in range(5):
        lines.append(nmea(f"GPGGA,0130{10 + i:02d}.00,2933.{6000 + i * 10:04d},N,10634.2000,E,1,08,0.9,240,M,,M,,"))
        lines.append(nmea(f"GPRMC,0130{10 + i:02d}.00,A,2933.{6000 + i * 10:04d},N,10634.2000,E,1.0,0.0,110624,,,A"))
    log.write_text("\n".join(lines))
    got = []
    gps = device.make_gps({"nmea": str(log), "interval_s": 0})
    gps.start(got.append)
    assert len(got) == 5 and gps.last_fix == got[-1]
    assert [f.at.second for f in got] == [10, 11, 12, 13, 14]
    fixed = device.make_gps({"lat": 29.5, "lon": 106.5, "accuracy_m": 3})
    fixed.start(got.append)
    assert got[-1].lat == 29.5 and got[-1].accuracy_m == 3


def test_desktop_camera_and_android_helpers_without_a_phone(tmp_path, monkeypatch):
    pic = tmp_path / "a.jpg"
    pic.write_bytes(b"\xff\xd8\xff")
    out = []
    device.make_camera({}, pick=lambda: str(pic)).take(out.append)
    device.make_camera({}, pick=lambda: None).take(out.append)
    assert out == [str(pic), None]
    with pytest.raises(ValueError):
        device.make_camera({})
    monkeypatch.delenv("ANDROID_ARGUMENT", raising=False)
    assert not device.is_android() and device.android_location_mocked() is None  # no pyjnius: unknown


def test_patrol_drops_bad_fixes_and_queues_record(store):
    t0 = datetime(2024, 6, 11, 1, 0, tzinfo=UTC)
    clock = [t0]
    p = Patrol(store, now=lambda: clock[0])
    with pytest.raises(PatrolError):
        p.stop()
    pid = p.start()
    step = 0.0001  # ~11 m north per fix, one fix every 10 s: a walk
    kept = [p.add_fix(Fix(29.55 + i * step, 106.57, 5.0, at=t0 + timedelta(seconds=10 * i))) for i in range(10)]
    assert all(kept)
    t = t0 + timedelta(seconds=100)
    assert not p.add_fix(Fix(29.5511, 106.57, 120.0, at=t))  # poor accuracy
    assert not p.add_fix(Fix(29.60, 106.57, 5.0, at=t))  # 5 km in 10 s: a jump
    assert not p.add_fix(Fix(29.5510, 106.57, 5.0, at=t0))  # back in time
    assert p.add_fix(Fix(29.55 + 10 * step, 106.57, 5.0, at=t, mocked=True))
    assert p.dropped == 3 and len(p.points) == 11
    assert p.distance_m == pytest.approx(10 * 11.12, rel=0.01)

    # Killed here: the running patrol and its track come back from the store.
    again = Patrol.resume(store, now=lambda: clock[0])
    assert again.id == pid and len(again.points) == 11 and again.distance_m == pytest.approx(p.distance_m)
    clock[0] = t0 + timedelta(minutes=5)
    assert again.duration_s == 300
    item = again.stop(note="测试")
    assert item.kind == "recordPatrol" and item.client_id == pid
    pl = item.payload
    assert pl["clientId"] == pid and len(pl["track"]) == 11 and pl["mockedLocation"] is True
    assert pl["startedAt"] == t0.isoformat() and pl["endedAt"] == clock[0].isoformat()
    assert pl["track"][0] == {"lat": 29.55, "lon": 106.57, "accuracyM": 5.0, "at": t0.isoformat()}
    assert store.active_patrol() is None and store.patrol_points(pid) == []
    assert Patrol.resume(store) is None


def test_patrol_with_gps_and_discard(store):
    gps = device.FixedGps(29.5, 106.5)
    p = Patrol(store, gps)
    p.start()
    assert len(p.points) == 1  # the fixed GPS delivers at start
    with pytest.raises(PatrolError):
        Patrol(store).start()  # one patrol at a time
    p.discard()
    assert store.items() == [] and store.active_patrol() is None


def test_gga_only_second_takes_the_nearest_date():
    early = nmea("GPGGA,235959.00,2933.6000,N,10634.2000,E,1,09,1.0,245.3,M,-27.0,M,,")
    fixes = parse_nmea([early, RMC], default_date=date(2000, 1, 1))
    assert [f.at.date() for f in fixes] == [date(2024, 6, 11), date(2024, 6, 11)]
