import io
import struct
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from server.images import ExifFacts, read_exif
from tests.factories.images import make_exif, make_jpeg, make_png, make_webp

CST = timezone(timedelta(hours=8))


def test_time_with_offset_is_aware():
    facts = read_exif(make_jpeg(taken_at=datetime(2024, 5, 1, 9, 30, 15, tzinfo=CST)))
    assert facts.taken_at == datetime(2024, 5, 1, 9, 30, 15, tzinfo=CST)
    assert facts.taken_at.utcoffset() == timedelta(hours=8)
    assert facts.taken_at_has_offset is True


def test_negative_offset():
    tz = timezone(-timedelta(hours=3, minutes=30))
    facts = read_exif(make_jpeg(taken_at=datetime(2023, 12, 31, 23, 59, 59, tzinfo=tz)))
    assert facts.taken_at.utcoffset() == -timedelta(hours=3, minutes=30)


def test_time_without_offset_is_naive():
    facts = read_exif(make_jpeg(taken_at=datetime(2024, 5, 1, 9, 30)))
    assert facts.taken_at == datetime(2024, 5, 1, 9, 30)
    assert facts.taken_at.tzinfo is None
    assert facts.taken_at_has_offset is False


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(31.2304, 121.4737), (-33.8688, 151.2093), (40.7128, -74.0060), (-22.9068, -43.1729)],
)
def test_gps_signs_follow_refs(lat, lon):
    facts = read_exif(make_jpeg(gps=(lat, lon)))
    assert facts.lat == pytest.approx(lat, abs=1e-6)
    assert facts.lon == pytest.approx(lon, abs=1e-6)


@pytest.mark.parametrize("alt", [12.5, -4.25, 0.0])
def test_altitude_sign_follows_ref(alt):
    assert read_exif(make_jpeg(gps=(30.0, 120.0), altitude=alt)).altitude_m == pytest.approx(alt)


def test_device_fields():
    facts = read_exif(make_jpeg(software="MIUI 14.0.4", make="Xiaomi", model="Redmi Note 12", orientation=6))
    assert (facts.make, facts.model, facts.software, facts.orientation) == (
        "Xiaomi", "Redmi Note 12", "MIUI 14.0.4", 6,
    )


def test_no_exif_gives_empty_facts():
    assert read_exif(make_jpeg(exif=False)) == ExifFacts()
    assert read_exif(make_png()) == ExifFacts()


def test_png_and_webp_exif():
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=CST)
    for data in (make_png(taken_at=when, gps=(-1.5, -2.5)), make_webp(taken_at=when, gps=(-1.5, -2.5))):
        facts = read_exif(data)
        assert facts.taken_at == when
        assert (facts.lat, facts.lon) == (pytest.approx(-1.5), pytest.approx(-2.5))


def _jpeg_with_app1(payload: bytes) -> bytes:
    data = make_jpeg(64, 48, exif=False)
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + len(payload)) + payload
    return data[:2] + app1 + data[2:]


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00" + b"\x00" * 40,
        b"Exif\x00\x00II*\x00\xff\xff\xff\x7f" + b"\x01" * 50,  # IFD offset far past the end
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\xab" * 200,  # 65535 entries claimed
        b"Exif\x00\x00" + bytes(range(256)) * 4,
    ],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_garbage_exif_never_raises(payload):
    facts = read_exif(_jpeg_with_app1(payload))
    assert isinstance(facts, ExifFacts)


def test_garbage_input_never_raises():
    for data in (b"", b"\xff\xd8\xff", b"junk" * 100, b"\x89PNG\r\n\x1a\n" + b"\xff" * 30):
        assert read_exif(data) == ExifFacts()


def test_malformed_fields_dropped_individually():
    exif = make_exif(make="Acme", model=None)
    exif.get_ifd(0x8769)[0x9003] = "    :  :     :  :  "  # blank date, as some cameras write
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (1.0, 2.0)  # latitude without longitude
    exif[0x0112] = 42  # out-of-range orientation
    buf = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buf, "JPEG", exif=exif.tobytes())
    facts = read_exif(buf.getvalue())
    assert facts.make == "Acme"
    assert facts.taken_at is None and facts.lat is None and facts.lon is None
    assert facts.orientation is None
