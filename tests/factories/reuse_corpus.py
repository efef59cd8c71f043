"""A made corpus for reuse detection: outfall scenes photographed on several days, and doctored copies.

Each scene is a small 3-D layout seen by a hand-held camera: a far bank (sky, trees, buildings), the
river, and the near embankment wall with its outfall pipe, stains, a signboard and weeds. The scene's
seed fixes what stays (the wall's blocks, the pipe, the buildings); the day's seed changes what a
repeat visit changes: the light (gain, colour, a cast shadow), the water, the weeds, the wet stains,
and where the inspector stands (a shift with parallax between the layers, zoom, a slight roll and
tilt). Honest repeat visits are such photos; doctored ones are one stored photo put through each
transformation the issue names.
"""
from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

W, H = 1280, 960  # photos as the server keeps them (display copy, long edge 1280)
_WORLD = (1800, 1350)


def _noise(rng: np.random.Generator, shape, scale: int) -> np.ndarray:
    """Smooth value noise in [0, 1): random grid upsampled with bicubic interpolation."""
    h, w = shape
    g = rng.random((max(2, h // scale + 2), max(2, w // scale + 2))).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


@lru_cache(maxsize=64)
def _static_layers(scene: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(far RGB, near RGB, near alpha, water-line y) of a scene: what is the same on every visit."""
    rng = np.random.default_rng(1000 + scene)
    r = random.Random(scene)
    ww, wh = _WORLD
    far = np.zeros((wh, ww, 3), np.float32)
    sky = np.array([r.uniform(150, 210), r.uniform(170, 220), r.uniform(200, 245)], np.float32)
    far[:] = sky
    horizon = int(wh * r.uniform(0.28, 0.4))
    img = Image.fromarray(far.astype(np.uint8))
    d = ImageDraw.Draw(img)
    x = 0
    while x < ww:  # buildings with windows on the far bank
        bw, bh = r.randint(60, 180), r.randint(80, 300)
        c = tuple(r.randint(90, 200) for _ in range(3))
        d.rectangle((x, horizon - bh, x + bw, horizon + 40), fill=c)
        for wy in range(horizon - bh + 10, horizon, r.randint(18, 30)):
            for wx in range(x + 8, x + bw - 12, r.randint(16, 26)):
                d.rectangle((wx, wy, wx + 8, wy + 10), fill=tuple(max(0, v - 60) for v in c))
        x += bw + r.randint(0, 40)
    for _ in range(r.randint(25, 45)):  # trees
        tx, ty, rad = r.randint(0, ww), horizon + r.randint(-30, 40), r.randint(25, 70)
        d.ellipse((tx - rad, ty - rad, tx + rad, ty + rad), fill=(r.randint(30, 70), r.randint(80, 130), r.randint(30, 60)))
    far = np.asarray(img, np.float32)

    near = np.zeros((wh, ww, 3), np.float32)
    alpha = np.zeros((wh, ww), np.float32)
    top = int(wh * r.uniform(0.45, 0.55))  # top of the embankment wall
    water = int(wh * r.uniform(0.8, 0.88))
    base = np.array([r.uniform(120, 170)] * 3, np.float32) + np.array([r.uniform(-10, 10) for _ in range(3)])
    img = Image.new("RGB", (ww, wh), tuple(int(v) for v in base))
    d = ImageDraw.Draw(img)
    y, row = top, 0
    while y < water:  # stone blocks, offset every other course
        bh = r.randint(40, 70)
        x = -r.randint(0, 80) if row % 2 else 0
        while x < ww:
            bw = r.randint(70, 160)
            shade = r.randint(-35, 35)
            d.rectangle((x + 2, y + 2, x + bw - 2, y + bh - 2), fill=tuple(int(v + shade) for v in base))
            x += bw
        y, row = y + bh, row + 1
    px, py, pr = int(ww * r.uniform(0.35, 0.65)), int(top + (water - top) * r.uniform(0.4, 0.6)), r.randint(60, 110)
    d.ellipse((px - pr - 18, py - pr - 18, px + pr + 18, py + pr + 18), fill=(95, 95, 100))  # pipe rim
    d.ellipse((px - pr, py - pr, px + pr, py + pr), fill=(20, 20, 22))
    sx, sy = int(ww * r.choice([r.uniform(0.12, 0.28), r.uniform(0.72, 0.88)])), top + r.randint(20, 60)
    d.rectangle((sx, sy, sx + 220, sy + 130), fill=(240, 240, 235), outline=(20, 60, 160), width=6)  # signboard
    for k in range(4):
        d.rectangle((sx + 20, sy + 20 + 26 * k, sx + 20 + r.randint(80, 180), sy + 34 + 26 * k), fill=(30, 30, 40))
    near_rgb = np.asarray(img, np.float32)
    near_rgb = near_rgb * (0.85 + 0.3 * _noise(rng, (wh, ww), 6))[..., None]  # grain of the concrete
    near[:] = near_rgb
    alpha[top:water] = 1.0
    return far, near, alpha, np.array([top, water, px, py, pr])


@dataclass(frozen=True)
class Visit:
    scene: int
    day: int


def photo(scene: int, day: int) -> bytes:
    """The inspector's photo of `scene` on `day`, as a JPEG (day 0 is the one that gets reused)."""
    far, near, alpha, geo = _static_layers(scene)
    top, water, px, py, pr = (int(v) for v in geo)
    r = random.Random(scene * 7919 + day)
    rng = np.random.default_rng(scene * 7919 + day)
    wh, ww = alpha.shape

    # The day's changes to the scene itself.
    near = near.copy()
    img = Image.fromarray(near.clip(0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(r.randint(6, 14)):  # weeds along the wall's foot and top
        wx = r.randint(0, ww)
        wy = r.choice([top, water]) + r.randint(-20, 10)
        for _ in range(r.randint(4, 9)):
            d.line((wx, wy, wx + r.randint(-30, 30), wy - r.randint(20, 70)), fill=(40, r.randint(90, 150), 40), width=4)
    near = np.asarray(img, np.float32)
    stain = _noise(rng, (wh, ww), 60) > 0.72  # wet patches come and go
    near[stain] *= 0.7
    river = np.zeros((wh, ww, 3), np.float32)
    wc = np.array([r.uniform(50, 90), r.uniform(80, 110), r.uniform(80, 110)], np.float32)
    ripples = _noise(rng, (wh, ww), 12) * 0.5 + _noise(rng, (wh, ww), 3) * 0.5
    river[:] = wc
    river *= (0.7 + 0.6 * ripples)[..., None]

    # Where the inspector stands: shift, zoom, roll, tilt; nearer layers move more (parallax).
    dx, dy = r.uniform(-60, 60), r.uniform(-40, 40)
    zoom, roll = r.uniform(0.9, 1.1), r.uniform(-3, 3)
    tilt = r.uniform(-0.00006, 0.00006)
    out = np.zeros((H, W, 3), np.float32)
    cx, cy = ww / 2, wh / 2

    def view(depth: float) -> np.ndarray:
        a = cv2.getRotationMatrix2D((cx, cy), roll, zoom * (1 + 0.06 * (1 / depth - 1 / 3)))
        a[0, 2] += dx / depth - (cx - W / 2)
        a[1, 2] += dy / depth - (cy - H / 2)
        m = np.vstack([a, [tilt, tilt / 2, 1]])
        return m

    def put(layer: np.ndarray, a: np.ndarray | None, depth: float) -> None:
        m = view(depth)
        warped = cv2.warpPerspective(layer, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        if a is None:
            out[:] = warped
            return
        aw = cv2.warpPerspective(a, m, (W, H), flags=cv2.INTER_LINEAR)[..., None]
        out[:] = out * (1 - aw) + warped * aw

    put(far, None, 3.0)
    river_alpha = np.zeros((wh, ww), np.float32)
    river_alpha[water - 10:] = 1.0
    put(river, river_alpha, 2.0)
    put(near, alpha, 1.0)

    # The day's light: gain, colour cast, a soft cast shadow over part of the view, sensor noise.
    gain = r.uniform(0.65, 1.25)
    tint = np.array([r.uniform(0.9, 1.1), 1.0, r.uniform(0.9, 1.1)], np.float32)
    out *= gain * tint
    shadow = np.zeros((H, W), np.float32)
    ang = r.uniform(0, math.pi)
    yy, xx = np.mgrid[0:H, 0:W]
    edge = (xx - W * r.uniform(0.3, 0.7)) * math.cos(ang) + (yy - H * r.uniform(0.3, 0.7)) * math.sin(ang)
    shadow = cv2.GaussianBlur((edge > 0).astype(np.float32), (0, 0), 25)
    out *= (1 - r.uniform(0.25, 0.5) * shadow)[..., None]
    out += rng.normal(0, 4, out.shape).astype(np.float32)
    return _jpeg(Image.fromarray(out.clip(0, 255).astype(np.uint8)), r.randint(85, 95))


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def _font(size: int):
    return ImageFont.load_default(size=size)


def _crop(img: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = img.size
    return img.crop((round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom))))


def _overlay_text(img: Image.Image) -> Image.Image:
    img = img.copy()
    d = ImageDraw.Draw(img)
    w, h = img.size
    f = _font(max(18, h // 22))
    d.text((w * 0.04, h * 0.9), "2026-11-28 09:41:07  E106.5512 N29.5630", fill=(255, 230, 0), font=f,
           stroke_width=2, stroke_fill=(0, 0, 0))
    d.text((w * 0.04, h * 0.04), "WATERMARK Camera 水印相机", fill=(255, 255, 255), font=_font(max(22, h // 16)),
           stroke_width=2, stroke_fill=(0, 0, 0))
    return img


def _screenshot(img: Image.Image, *, landscape: bool = False) -> Image.Image:
    """The photo shown in a gallery app on a phone, screen-captured: bars, icons and text around it."""
    sw, sh = (2340, 1080) if landscape else (1080, 2340)
    screen = Image.new("RGB", (sw, sh), (18, 18, 18))
    d = ImageDraw.Draw(screen)
    d.rectangle((0, 0, sw, 90), fill=(0, 0, 0))
    d.text((40, 20), "9:41", fill=(255, 255, 255), font=_font(44))
    d.text((sw - 260, 20), "5G  87%", fill=(255, 255, 255), font=_font(44))
    d.rectangle((0, 90, sw, 250), fill=(30, 30, 30))
    d.text((40, 130), "<  IMG_20261128_094107.jpg", fill=(240, 240, 240), font=_font(48))
    bottom = sh - 220
    d.rectangle((0, bottom, sw, sh), fill=(30, 30, 30))
    for k, label in enumerate(("Share", "Edit", "Favourite", "Delete")):
        x = 60 + k * (sw - 120) // 4
        d.rounded_rectangle((x, bottom + 40, x + 70, bottom + 110), radius=14, outline=(230, 230, 230), width=5)
        d.text((x - 10, bottom + 130), label, fill=(230, 230, 230), font=_font(36))
    area_w, area_h = sw, bottom - 250
    s = min(area_w / img.width, area_h / img.height)
    shown = img.resize((round(img.width * s), round(img.height * s)), Image.Resampling.BILINEAR)
    screen.paste(shown, ((area_w - shown.width) // 2, 250 + (area_h - shown.height) // 2))
    return screen


def _brightness(img: Image.Image, gain: float, offset: float = 0.0, contrast: float = 1.0) -> Image.Image:
    a = np.asarray(img, np.float32)
    a = (a - 128) * contrast + 128
    return Image.fromarray((a * gain + offset).clip(0, 255).astype(np.uint8))


# Every transformation the issue names, one at a time, then a few together. Each takes the stored
# photo and returns the doctored bytes.
TRANSFORMS = {
    "crop_15_each_side": lambda im: _jpeg(_crop(im, 0.15, 0.15, 0.15, 0.15), 90),
    "crop_uneven": lambda im: _jpeg(_crop(im, 0.15, 0.02, 0.0, 0.12), 90),
    "crop_one_corner": lambda im: _jpeg(_crop(im, 0.0, 0.0, 0.15, 0.15), 90),
    "rotate_90": lambda im: _jpeg(im.transpose(Image.Transpose.ROTATE_90), 90),
    "rotate_180": lambda im: _jpeg(im.transpose(Image.Transpose.ROTATE_180), 90),
    "rotate_270": lambda im: _jpeg(im.transpose(Image.Transpose.ROTATE_270), 90),
    "mirror": lambda im: _jpeg(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 90),
    "mirror_vertical": lambda im: _jpeg(im.transpose(Image.Transpose.FLIP_TOP_BOTTOM), 90),
    "scale_30": lambda im: _jpeg(im.resize((round(im.width * 0.3), round(im.height * 0.3)), Image.Resampling.LANCZOS), 90),
    "recompress_q30": lambda im: _jpeg(im, 30),
    "recompress_webp_q40": lambda im: _webp(im, 40),
    "brighter": lambda im: _jpeg(_brightness(im, 1.35, 20), 90),
    "darker": lambda im: _jpeg(_brightness(im, 0.6), 90),
    "contrast_up": lambda im: _jpeg(_brightness(im, 1.0, contrast=1.5), 90),
    "contrast_down": lambda im: _jpeg(_brightness(im, 1.0, contrast=0.6), 90),
    "text_overlay": lambda im: _jpeg(_overlay_text(im), 90),
    "screenshot": lambda im: _png(_screenshot(im)),
    "screenshot_landscape": lambda im: _png(_screenshot(im, landscape=True)),
    "crop_mirror_text_dark": lambda im: _jpeg(_overlay_text(_brightness(
        _crop(im, 0.1, 0.05, 0.08, 0.12).transpose(Image.Transpose.FLIP_LEFT_RIGHT), 0.75, contrast=1.2)), 60),
    "rotate_scale_recompress": lambda im: _jpeg(im.transpose(Image.Transpose.ROTATE_90).resize(
        (round(im.height * 0.4), round(im.width * 0.4)), Image.Resampling.BILINEAR), 40),
    "screenshot_of_cropped_rotated": lambda im: _jpeg(_screenshot(_crop(im, 0.1, 0.1, 0.05, 0.05)
                                                                 .transpose(Image.Transpose.ROTATE_270)), 80),
}


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _webp(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "WEBP", quality=quality)
    return buf.getvalue()


def doctored(scene: int, name: str, *, day: int = 0) -> bytes:
    return TRANSFORMS[name](_open(photo(scene, day)))


@dataclass(frozen=True)
class Corpus:
    stored: dict[str, bytes]  # id -> bytes of photos already in the system (day 0 of every scene)
    doctored: list[tuple[str, str, bytes]]  # (transformation, id of the stored original, bytes)
    honest: list[tuple[str, bytes]]  # (label, bytes): later visits to the same scenes


def build(scenes: int = 6, days: int = 4, transforms: tuple[str, ...] | None = None) -> Corpus:
    names = transforms or tuple(TRANSFORMS)
    stored = {f"s{s}d0": photo(s, 0) for s in range(scenes)}
    doc = [(n, f"s{s}d0", TRANSFORMS[n](_open(stored[f"s{s}d0"]))) for s in range(scenes) for n in names]
    honest = [(f"s{s}d{d}", photo(s, d)) for s in range(scenes) for d in range(1, days + 1)]
    return Corpus(stored, doc, honest)


def with_exif(data: bytes, *, gps: tuple[float, float] | None = None, taken_at=None) -> bytes:
    """The photo as the phone would send it: the same pixels (re-encoded at 95) with EXIF time and place."""
    from tests.factories.images import make_exif

    buf = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(buf, "JPEG", quality=95,
                                                     exif=make_exif(taken_at=taken_at, gps=gps).tobytes())
    return buf.getvalue()
