"""Benchmark server.images on a 12-megapixel phone-like JPEG against a naive Pillow pipeline.

    python bench/images_bench.py [--rounds N]

Pinned to one core when the OS allows. Prints medians (and minima: the machine may be shared)
and writes the table to bench/out/images.json.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import imagehash  # noqa: E402
import PIL  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from server.images import derive, probe, process, read_exif  # noqa: E402
from tests.factories.images import make_jpeg  # noqa: E402

MAX_PIXELS = 50_000_000


def naive(data: bytes) -> tuple[bytes, bytes, str]:
    """What one writes without thinking about cost: full decode, full-size everything."""
    img = Image.open(io.BytesIO(data))
    img.load()
    img = ImageOps.exif_transpose(img).convert("RGB")
    display = img.copy()
    display.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
    thumb = img.copy()
    thumb.thumbnail((320, 320), Image.Resampling.LANCZOS)
    outs = []
    for im in (display, thumb):
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=82)
        outs.append(buf.getvalue())
    return outs[0], outs[1], str(imagehash.phash(img))


def measure(fn, rounds: int) -> dict:
    fn()  # warm-up: imports (scipy for phash), caches
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "min_ms": round(min(times), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    pinned = False
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {0})
            pinned = True
        except OSError:
            pass

    data = make_jpeg(
        4000, 3000, seed=12, quality=90, orientation=6,
        taken_at=datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),
        gps=(31.2304, 121.4737), altitude=4.5, software="MIUI V14.0.4",
    )
    def decode_floor(size) -> None:
        img = Image.open(io.BytesIO(data))
        img.draft("RGB", size)
        img.load()

    steps = {
        "floor: JPEG decode at 1/2 scale only": lambda: decode_floor((1600, 1200)),
        "floor: JPEG decode at 1/4 scale only (what derive does)": lambda: decode_floor((960, 720)),
        "probe": lambda: probe(data, max_pixels=MAX_PIXELS),
        "read_exif": lambda: read_exif(data),
        "derive (display+thumb+phash)": lambda: derive(data),
        "process (probe+exif+derive)": lambda: process(data, max_pixels=MAX_PIXELS),
        "naive (full decode, LANCZOS, phash on full)": lambda: naive(data),
    }
    results = {name: measure(fn, args.rounds) for name, fn in steps.items()}
    ours = results["process (probe+exif+derive)"]["median_ms"]
    slow = results["naive (full decode, LANCZOS, phash on full)"]["median_ms"]
    ratio = round(slow / ours, 2)

    print(f"input: 4000x3000 JPEG q90 with EXIF, {len(data) / 1e6:.2f} MB; rounds={args.rounds}; "
          f"pinned to one core: {pinned}; Pillow {PIL.__version__}")
    width = max(map(len, results))
    print(f"{'step':<{width}}  {'median ms':>10}  {'min ms':>8}")
    for name, r in results.items():
        print(f"{name:<{width}}  {r['median_ms']:>10.2f}  {r['min_ms']:>8.2f}")
    print(f"naive / ours (process): {ratio}x")

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "images.json").write_text(json.dumps({
        "input": {"width": 4000, "height": 3000, "bytes": len(data), "format": "JPEG", "quality": 90},
        "rounds": args.rounds, "pinned_one_core": pinned, "pillow": PIL.__version__,
        "python": platform.python_version(), "machine": platform.machine(),
        "steps": results, "naive_over_ours": ratio,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
