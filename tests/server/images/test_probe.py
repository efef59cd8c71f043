import io
import os
import struct

import pytest
from PIL import Image

from server.domain.errors import UploadInvalid
from server.images import Probe, probe, sniff
from tests.factories.images import make_jpeg, make_mp4_bytes, make_png, make_webp, pixel_bomb_png


@pytest.mark.parametrize(
    ("data", "fmt", "ctype", "kind"),
    [
        (make_jpeg(64, 48), "JPEG", "image/jpeg", "PHOTO"),
        (make_png(64, 48), "PNG", "image/png", "PHOTO"),
        (make_webp(64, 48), "WEBP", "image/webp", "PHOTO"),
        (make_mp4_bytes(), "MP4", "video/mp4", "VIDEO"),
    ],
)
def test_each_format_identified_by_content(data, fmt, ctype, kind):
    p = probe(data)
    assert (p.format, p.content_type, p.kind) == (fmt, ctype, kind)
    assert sniff(data[:16]) == fmt


def test_image_dimensions_come_from_header():
    assert probe(make_jpeg(320, 200)) == Probe("JPEG", "image/jpeg", "PHOTO", 320, 200)
    assert (probe(make_png(31, 17)).width, probe(make_png(31, 17)).height) == (31, 17)


def test_video_has_no_dimensions():
    p = probe(make_mp4_bytes())
    assert p.width is None and p.height is None


def test_png_bytes_uploaded_as_jpg_are_still_png(tmp_path):
    # The name and declared type never enter the decision; the caller compares.
    path = tmp_path / "evidence.jpg"
    path.write_bytes(make_png(40, 30))
    assert probe(path.read_bytes()).content_type == "image/png"


@pytest.mark.parametrize("brand", [b"isom", b"mp41", b"mp42", b"avc1", b"iso5", b"M4V ", b"3gp4"])
def test_mp4_family_brands_accepted(brand):
    assert probe(make_mp4_bytes(brand=brand)).format == "MP4"


@pytest.mark.parametrize("brand", [b"qt  ", b"heic", b"mif1", b"avif"])
def test_non_mp4_bmff_brands_refused(brand):
    with pytest.raises(UploadInvalid, match="not a JPEG, PNG, WebP or MP4"):
        probe(make_mp4_bytes(brand=brand))


def test_zero_bytes_refused():
    with pytest.raises(UploadInvalid, match="file is empty"):
        probe(b"")


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(4096),
        b"GIF89a" + bytes(100),
        b"%PDF-1.7\n" + bytes(100),
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xff\xd8",  # too short to be JPEG
    ],
)
def test_unknown_content_refused(data):
    with pytest.raises(UploadInvalid, match="not a JPEG, PNG, WebP or MP4"):
        probe(data)


def test_gif_and_tiff_refused_even_though_pillow_reads_them():
    for fmt in ("GIF", "TIFF", "BMP"):
        buf = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buf, fmt)
        with pytest.raises(UploadInvalid):
            probe(buf.getvalue())


@pytest.mark.parametrize("factory", [make_jpeg, make_png, make_webp])
def test_truncated_image_refused(factory):
    data = factory(320, 240, seed=3)
    with pytest.raises(UploadInvalid, match="truncated or corrupt"):
        probe(data[: len(data) // 2])


def test_truncated_jpeg_with_exif_thumbnail_like_eoi_in_app_segment_refused():
    # An EOI inside an APP segment (as in an EXIF thumbnail) must not count as the image's end.
    data = make_jpeg(320, 240)
    app = b"\xff\xe9" + struct.pack(">H", 2 + 6) + b"\xff\xd8ab\xff\xd9"
    spliced = data[:2] + app + data[2:]
    assert probe(spliced).format == "JPEG"
    with pytest.raises(UploadInvalid, match="truncated or corrupt"):
        probe(spliced[: len(spliced) // 2])


def test_jpeg_with_trailer_after_eoi_accepted():
    # Motion photos append a video after EOI; that is not corruption.
    data = make_jpeg(160, 120) + make_mp4_bytes() * 10
    assert probe(data).format == "JPEG"


def test_corrupted_png_crc_refused():
    data = bytearray(make_png(64, 48))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(UploadInvalid, match="truncated or corrupt"):
        probe(bytes(data))


def test_truncated_mp4_refused():
    with pytest.raises(UploadInvalid, match="truncated"):
        probe(make_mp4_bytes()[:-5])


def test_pixel_bomb_refused_from_header():
    bomb = pixel_bomb_png(30000, 30000)
    assert len(bomb) < 200_000  # small on disk, 900 megapixels declared
    with pytest.raises(UploadInvalid, match=r"900,000,000 pixels.*cap of 50,000,000"):
        probe(bomb)


def test_pixel_cap_is_the_callers():
    data = make_jpeg(200, 100)
    assert probe(data, max_pixels=20_000).width == 200
    with pytest.raises(UploadInvalid, match=r"20,001 pixels|20,000 pixels"):
        probe(data, max_pixels=19_999)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_bomb_below_pillow_limit_but_over_our_cap_refused():
    # 10000 x 10000 is under Pillow's own error threshold: our cap must catch it.
    with pytest.raises(UploadInvalid, match=r"100,000,000 pixels"):
        probe(pixel_bomb_png(10000, 10000))


def test_pillow_limit_reported_when_callers_cap_is_higher():
    pillow_cap = f"{2 * Image.MAX_IMAGE_PIXELS:,}"
    with pytest.raises(UploadInvalid, match=rf"900,000,000 pixels, over the cap of {pillow_cap}"):
        probe(pixel_bomb_png(30000, 30000), max_pixels=10**12)
