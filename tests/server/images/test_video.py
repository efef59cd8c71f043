"""Video containers parsed for real: a box skeleton is refused, a real clip gives duration, time and place."""
from datetime import datetime, timezone

import pytest

from server.domain.errors import UploadInvalid
from server.images import process
from server.images.video import read_video
from tests.factories.images import make_mp4_bytes, make_video

CAP = 50_000_000


def test_real_clip_gives_duration_size_creation_time_and_gps():
    data = make_video(2.0, width=96, height=64, created_at="2026-11-30T08:15:00.000000Z",
                      location="+29.5647+106.5870/")
    v = read_video(data)
    assert (v.width, v.height, v.codec) == (96, 64, "mpeg4")
    assert v.duration_s == pytest.approx(2.0, abs=0.15)
    assert v.created_at == datetime(2026, 11, 30, 8, 15, tzinfo=timezone.utc)
    assert (v.lat, v.lon) == pytest.approx((29.5647, 106.5870))


def test_clip_without_metadata_has_no_time_or_place():
    v = read_video(make_video(1.0))
    assert v.created_at is None and v.lat is None and v.lon is None and v.duration_s > 0


@pytest.mark.parametrize("stamp", ["1904-01-01T00:00:00.000000Z", "1970-01-01T00:00:00.000000Z"])
def test_muxer_placeholder_times_are_no_time(stamp):
    assert read_video(make_video(1.0, created_at=stamp)).created_at is None


def test_the_332_byte_skeleton_is_not_a_video():
    # ftyp + moov(mvhd) + empty mdat: passes a box walk, holds nothing to play.
    fake = make_mp4_bytes()
    assert len(fake) < 400
    with pytest.raises(UploadInvalid) as e:
        process(fake, max_pixels=CAP)
    assert "video" in e.value.message


def test_a_truncated_clip_is_refused():
    data = make_video(1.0, seed=3)
    with pytest.raises(UploadInvalid):
        process(data[: len(data) // 3], max_pixels=CAP)


def test_process_returns_video_facts():
    r = process(make_video(1.0, created_at="2026-11-30T08:15:00Z"), max_pixels=CAP)
    assert r.probe.kind == "VIDEO" and r.exif is None and r.derived is None
    assert r.video.created_at.year == 2026
