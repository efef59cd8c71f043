"""Mutated uploads: the only error that may escape is UploadInvalid; read_exif never raises."""
import random
from datetime import datetime

import pytest

from server.domain.errors import UploadInvalid
from server.images import process, read_exif
from tests.factories.images import make_jpeg, make_mp4_bytes, make_png, make_video, make_webp

SEEDS = [
    make_jpeg(120, 90, taken_at=datetime(2024, 1, 1), gps=(1.0, 2.0), orientation=6),
    make_png(60, 40, taken_at=datetime(2024, 1, 1)),
    make_webp(60, 40, taken_at=datetime(2024, 1, 1)),
    make_mp4_bytes(),
    make_video(0.5),
]


def _mutate(rnd: random.Random, data: bytes) -> bytes:
    d = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        p, op = rnd.randrange(len(d)), rnd.random()
        if op < 0.6:
            d[p] = rnd.randrange(256)
        elif op < 0.8:
            del d[p : p + rnd.randint(1, 50)]
        else:
            d[p:p] = rnd.randbytes(rnd.randint(1, 20))
    return bytes(d)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("seed", range(4))
def test_mutated_inputs_fail_cleanly(seed):
    rnd = random.Random(seed)
    for _ in range(100):
        data = _mutate(rnd, rnd.choice(SEEDS))
        read_exif(data)
        try:
            process(data, max_pixels=50_000_000)
        except UploadInvalid as e:
            assert e.message
