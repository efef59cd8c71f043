"""Decoded memory is bounded: a tiny PNG declaring 49 MP is refused from its header, and eight large
uploads at once cost at most `concurrency` decodes. Peak memory is measured as the resident-set high-water
mark (VmHWM, per address space, so not inherited through fork as ru_maxrss is) of a fresh child process,
since Pillow's pixel buffers live outside tracemalloc's view."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server.domain.errors import UploadInvalid
from server.images import process
from server.images.process import PIXEL_BUDGET
from tests.factories.images import make_png, pixel_bomb_png

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")

CAP = 50_000_000

CHILD = r"""
import json, re, sys, threading
from server.images import process
from server.images.process import set_concurrency
from server.domain.errors import UploadInvalid

path, workers, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
set_concurrency(concurrency)
def hwm_kb():
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))
base = hwm_kb()
out = []
def go():
    try:
        process(data, max_pixels=50_000_000)
        out.append("READY")
    except UploadInvalid as e:
        out.append(e.message)
ts = [threading.Thread(target=go) for _ in range(workers)]
[t.start() for t in ts]
[t.join() for t in ts]
peak = hwm_kb()
print(json.dumps({"size": len(data), "mb": (peak - base) / 1024, "out": out}))
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Made here, not in the child: making a big scene would set the child's high-water mark itself."""
    d = tmp_path_factory.mktemp("pngs")
    (d / "bomb.png").write_bytes(pixel_bomb_png(7000, 7000))
    (d / "big.png").write_bytes(make_png(3800, 3800, noise=0))
    return d


def run_child(path, workers: int, concurrency: int) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(path), str(workers), str(concurrency)],
                       capture_output=True, text=True, timeout=300, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_small_png_declaring_49_megapixels_is_refused_from_its_header():
    bomb = pixel_bomb_png(7000, 7000)
    assert len(bomb) < 20_000
    with pytest.raises(UploadInvalid) as e:
        process(bomb, max_pixels=CAP)
    assert "49,000,000 pixels" in e.value.message and f"{PIXEL_BUDGET['PNG']:,}" in e.value.message


def test_eight_bombs_at_once_cost_almost_nothing(files):
    r = run_child(files / "bomb.png", 8, 2)
    assert len(r["out"]) == 8 and all("over the cap" in o for o in r["out"])
    assert r["mb"] < 40, r  # the unguarded decode of one was ~285 MB


def test_eight_large_pngs_at_once_cost_at_most_two_decodes(files):
    # 14.4 MP each, inside the PNG budget: one decode is ~100 MB; eight unguarded would be ~800 MB.
    one = run_child(files / "big.png", 1, 2)
    eight = run_child(files / "big.png", 8, 2)
    assert eight["out"] == ["READY"] * 8
    assert one["mb"] > 40, one  # the measurement sees a decode at all
    assert eight["mb"] < 2.6 * one["mb"], (one, eight)
    unguarded = run_child(files / "big.png", 8, 8)  # the same with eight slots: the bound is the semaphore's
    assert unguarded["mb"] > 2.6 * one["mb"], (one, unguarded)
