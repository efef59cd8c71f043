import io
import itertools

import pytest
from PIL import Image

from server.images import derive, hamming, phash_bands
from tests.factories.images import make_jpeg, make_png


def _reencode(data: bytes, *, quality: int, scale: float = 1.0) -> bytes:
    img = Image.open(io.BytesIO(data))
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(5))
def test_phash_stable_under_reencode_and_resize(seed):
    original = make_jpeg(1200, 900, seed=seed)
    h = derive(original).phash
    assert hamming(h, derive(_reencode(original, quality=60)).phash) <= 6
    assert hamming(h, derive(_reencode(original, quality=75, scale=0.7)).phash) <= 6
    assert hamming(h, derive(make_png(600, 450, seed=seed)).phash) <= 6  # same scene, other format


def test_phash_far_for_different_seeds():
    hashes = [derive(make_jpeg(320, 240, seed=s)).phash for s in range(8)]
    for a, b in itertools.combinations(hashes, 2):
        assert hamming(a, b) >= 16


def test_phash_ignores_orientation_tag_difference_when_pixels_agree():
    # Same upright picture, stored rotated + tagged vs stored upright: same hash.
    upright = Image.open(io.BytesIO(make_jpeg(400, 300, seed=7)))
    rotated = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 undoes this
    exif = Image.Exif()
    exif[0x0112] = 6
    a, b = io.BytesIO(), io.BytesIO()
    upright.save(a, "JPEG", quality=90)
    rotated.save(b, "JPEG", quality=90, exif=exif.tobytes())
    assert hamming(derive(a.getvalue()).phash, derive(b.getvalue()).phash) <= 6


def test_hamming():
    assert hamming("0000000000000000", "0000000000000000") == 0
    assert hamming("0000000000000000", "ffffffffffffffff") == 64
    assert hamming("8000000000000001", "0000000000000000") == 2
    assert hamming("abcdef0123456789", "abcdef0123456788") == 1
    with pytest.raises(ValueError):
        hamming("00", "000")


def test_phash_bands():
    assert phash_bands("0123456789abcdef") == (0x0123, 0x4567, 0x89AB, 0xCDEF)
    assert phash_bands("ffff000000000000") == (0xFFFF, 0, 0, 0)
    with pytest.raises(ValueError):
        phash_bands("abc")


def test_bands_pigeonhole_within_distance_3():
    base = int("d1c3a5b7e9f00123", 16)
    for bits in itertools.combinations(range(64), 3):
        if bits[0] % 7:  # a deterministic sample of the 41664 triples keeps this fast
            continue
        other = base
        for b in bits:
            other ^= 1 << b
        a_hex, b_hex = f"{base:016x}", f"{other:016x}"
        assert hamming(a_hex, b_hex) == 3
        assert any(x == y for x, y in zip(phash_bands(a_hex), phash_bands(b_hex)))
