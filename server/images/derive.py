"""Display copy, thumbnail and perceptual hash from one reduced-scale decode."""
from __future__ import annotations

import io
from dataclasses import dataclass

import imagehash
from PIL import Image

from server.domain.errors import UploadInvalid

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = {5, 6, 7, 8}


@dataclass(frozen=True)
class Derived:
    display: bytes  # JPEG, upright, no metadata
    thumbnail: bytes  # JPEG, upright, no metadata
    display_size: tuple[int, int]  # (width, height) after rotation
    thumb_size: tuple[int, int]
    phash: str  # 16 hex chars, 64-bit DCT hash of the upright image


def fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    """Largest size with the same aspect that fits a box x box square; never enlarges."""
    w, h = size
    if max(w, h) <= box:
        return w, h
    scale = box / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


# The DCT may decode down to this share of the display size: a 12 MP photo then decodes at 1/4
# scale (1000 px) instead of 1/2 (2000 px), which is most of the cost. The display copy is never
# upscaled, so it ends between 75% and 100% of display_max on its long edge.
DRAFT_SLACK = 0.75


def derive(data: bytes, *, display_max: int = 1280, thumb_max: int = 320, quality: int = 82) -> Derived:
    try:
        # No `with`: closing would discard the decoded pixels we go on to use.
        img = Image.open(io.BytesIO(data))
        display_target = fit(img.size, display_max)
        # JPEG DCT scaling: decode at 1/2, 1/4 or 1/8 scale, never below the slack of the display size.
        img.draft("RGB", (int(display_target[0] * DRAFT_SLACK), int(display_target[1] * DRAFT_SLACK)))
        img.load()
        display_target = fit(img.size, display_max)
        orientation = _orientation(img)  # after load: a PNG eXIf chunk may follow IDAT
        base = _to_rgb(img)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise UploadInvalid("image is truncated or corrupt") from None

    display = _shrink(base, display_target, gap=2.0)
    thumb = _shrink(display, fit(display.size, thumb_max), gap=1.5)
    # Rotate after shrinking: transposing small images is cheaper than the decoded one.
    if (method := _TRANSPOSE.get(orientation)) is not None:
        display, thumb = display.transpose(method), thumb.transpose(method)
    return Derived(
        display=_jpeg(display, quality),
        thumbnail=_jpeg(thumb, quality),
        display_size=display.size,
        thumb_size=thumb.size,
        phash=str(imagehash.phash(thumb)),
    )


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - broken EXIF: keep pixels as stored
        return 1


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if has_alpha:
        # Flatten onto white: transparent areas would otherwise turn black.
        rgba = img.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if img.mode.startswith("I"):  # 16-bit greyscale: scale to 8 bits rather than clip
        img = img.convert("I").point(lambda v: v / 257).convert("L")
    return img.convert("RGB")


def _shrink(img: Image.Image, size: tuple[int, int], *, gap: float) -> Image.Image:
    if img.size == size:
        return img
    if img.width < 2 * size[0]:
        # Small ratio left after DCT scaling: Hamming (support 1) stays sharp and is
        # ~2x cheaper than bicubic; resampling dominates the cost after the decode.
        return img.resize(size, Image.Resampling.HAMMING)
    # Large ratio: box-reduce by an integer factor first (fast), bicubic finishes.
    return img.resize(size, Image.Resampling.BICUBIC, reducing_gap=gap)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    # A fresh buffer and no exif/icc/xmp/comment arguments: nothing but pixels is written.
    img.info = {}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=False, progressive=False)
    return out.getvalue()
