import io
from datetime import datetime, timezone

import pytest
from PIL import Image

from server.domain.errors import UploadInvalid
from server.images import derive
from tests.factories.images import make_jpeg, make_png, make_webp

LOADED = dict(taken_at=datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc), gps=(-33.86, -151.2),
              altitude=20.0, software="MIUI", make="Xiaomi", model="Redmi Note 12")


def _open(jpeg: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(jpeg))
    assert img.format == "JPEG"
    return img


def test_sizes_fit_their_boxes_and_keep_aspect():
    d = derive(make_jpeg(4000, 3000))
    # 1/4-scale DCT decode (1000 px) is within the 75% slack of 1280: no resize at all.
    assert d.display_size == (1000, 750)
    assert d.thumb_size == (320, 240)
    assert _open(d.display).size == d.display_size
    assert _open(d.thumbnail).size == d.thumb_size


def test_small_images_are_not_enlarged():
    d = derive(make_jpeg(300, 200))
    assert d.display_size == (300, 200)
    assert d.thumb_size == (300, 200)


def test_display_is_between_the_slack_and_the_box():
    from server.images.derive import DRAFT_SLACK

    for w, h in ((4000, 3000), (4080, 3072), (3000, 4000), (2600, 1300), (1700, 1000)):
        d = derive(make_jpeg(w, h), display_max=1280)
        assert 1280 * DRAFT_SLACK <= max(d.display_size) <= 1280, (w, h, d.display_size)


def test_custom_boxes():
    d = derive(make_jpeg(1000, 500), display_max=800, thumb_max=100)
    assert (d.display_size, d.thumb_size) == ((800, 400), (100, 50))


def test_orientation_6_rotates_display_and_thumbnail():
    d = derive(make_jpeg(4000, 3000, orientation=6))
    assert d.display_size == (750, 1000)
    assert d.thumb_size == (240, 320)
    assert _open(d.display).size == (750, 1000)


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_axis_swapping_orientations(orientation):
    assert derive(make_jpeg(64, 32, orientation=orientation)).display_size == (32, 64)


def test_rotation_matches_pillow_exif_transpose():
    from PIL import ImageOps

    data = make_jpeg(80, 60, orientation=8, seed=4)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L").resize((8, 6))
    got = _open(derive(data).display).convert("L").resize((8, 6))
    diff = max(abs(a - b) for a, b in zip(expected.getdata(), got.getdata()))
    assert diff < 40


@pytest.mark.parametrize("factory", [make_jpeg, make_png, make_webp])
def test_outputs_carry_no_metadata(factory):
    d = derive(factory(800, 600, orientation=6, **LOADED))
    for out in (d.display, d.thumbnail):
        img = _open(out)
        assert len(img.getexif()) == 0
        assert img.getexif().get_ifd(0x8825) == {}
        for key in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
            assert key not in img.info
        assert b"Exif\x00\x00" not in out
        assert b"MIUI" not in out and b"Xiaomi" not in out
        assert img.mode == "RGB"


def test_comment_and_icc_in_source_are_dropped():
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.open(io.BytesIO(make_jpeg(200, 100))).save(buf, "JPEG", comment=b"inspector: Wang", icc_profile=icc)
    d = derive(buf.getvalue())
    assert b"inspector" not in d.display and b"inspector" not in d.thumbnail
    assert "icc_profile" not in _open(d.display).info


def test_png_with_alpha_is_flattened_to_rgb():
    d = derive(make_png(100, 80, alpha=True))
    assert _open(d.display).mode == "RGB"


def test_phash_is_16_hex_chars():
    h = derive(make_jpeg()).phash
    assert len(h) == 16
    int(h, 16)


def test_truncated_input_raises_upload_invalid():
    data = make_jpeg(400, 300)
    with pytest.raises(UploadInvalid, match="truncated or corrupt"):
        derive(data[: len(data) // 2])


def _save(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def test_progressive_jpeg_uses_reduced_decode_too():
    src = Image.open(io.BytesIO(make_jpeg(2000, 1000)))
    d = derive(_save(src, "JPEG", progressive=True, quality=85))
    assert d.display_size == (1000, 500)  # 1/2-scale decode, inside the slack of 1280


@pytest.mark.parametrize(
    "img",
    [
        Image.new("CMYK", (400, 300), (0, 255, 255, 0)),
        Image.new("L", (400, 300), 128),
        Image.new("I;16", (400, 300), 65535),
        Image.new("1", (400, 300), 1),
    ],
    ids=lambda im: im.mode,
)
def test_other_modes_become_rgb(img):
    fmt = "JPEG" if img.mode in ("CMYK", "L") else "PNG"
    out = _open(derive(_save(img, fmt)).display)
    assert out.mode == "RGB" and out.size == (400, 300)
    if img.mode in ("I;16", "1"):
        assert out.getpixel((0, 0)) == (255, 255, 255)  # scaled to 8 bits, not clipped to black


def test_png_and_webp_orientation_honoured():
    for factory in (make_png, make_webp):
        assert derive(factory(64, 32, orientation=6)).display_size == (32, 64)
