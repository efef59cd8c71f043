from datetime import datetime, timedelta, timezone

import pytest

from server.domain.errors import UploadInvalid
from server.images import ExifFacts, process
from tests.factories.images import make_jpeg, make_png, make_video, pixel_bomb_png

CAP = 50_000_000


def test_photo_gets_probe_exif_and_derivatives():
    when = datetime(2024, 6, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    r = process(make_jpeg(2000, 1500, taken_at=when, gps=(31.2, 121.5), orientation=6), max_pixels=CAP)
    assert (r.probe.format, r.probe.width, r.probe.height) == ("JPEG", 2000, 1500)
    assert r.exif.taken_at == when and r.exif.orientation == 6
    assert r.derived.display_size == (750, 1000)


def test_png_without_exif_has_empty_facts():
    r = process(make_png(100, 50), max_pixels=CAP)
    assert r.exif == ExifFacts()
    assert r.derived.display_size == (100, 50)


def test_video_gets_container_facts_not_derivatives():
    r = process(make_video(1.0), max_pixels=CAP)
    assert r.probe.kind == "VIDEO"
    assert r.exif is None and r.derived is None and r.video.duration_s > 0


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 64, make_jpeg(300, 200)[:2000], pixel_bomb_png(30000, 30000)],
    ids=["empty", "zeros", "truncated", "bomb"],
)
def test_bad_uploads_raise_upload_invalid(data):
    with pytest.raises(UploadInvalid) as info:
        process(data, max_pixels=CAP)
    assert info.value.code == "UPLOAD_INVALID"
