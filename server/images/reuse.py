"""Reuse of a photo through editing: local features that survive crops, turns, mirrors, rescaling,
recompression, light changes, overlays and screenshots, then a check that the pixels agree.

Library: OpenCV (opencv-python-headless). ORB keypoints are oriented (turns by 90° keep their
descriptors) and found on an image pyramid (rescaling and crops keep them); a mirror image is matched
by describing the mirrored query too. Matches are verified by RANSAC for one similarity transform
(turn + uniform scale + shift: what editing does to a photo; a new photo of the same place has
parallax, which no single similarity fits), and then the aligned pixels are compared tile by tile
after removing each tile's brightness and contrast: an edited copy agrees almost everywhere, a repeat
visit differs in its water, weeds, stains and shadows.

Pure functions over bytes and arrays; the index that finds candidates lives in server/domain/media.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

WORK = 640  # long edge at which features are computed
N_FEATURES = 700
MIN_INLIERS = 12
PROBE, PROBE_MIN = 150, 5  # the quick first look: this many strongest stored features, this many matches
RANSAC_PX = 4.0  # reprojection threshold at WORK scale
TILE = 24  # tile size (px at COMPARE scale) of the pixel agreement
COMPARE = 320
KEEP = 800  # long edge of the pixels kept with a print (a screenshot's photo stays detailed)
TILE_NCC = 0.6  # a tile agrees when its zero-mean normalised correlation reaches this
AGREE_SHARE = 0.68  # an edited copy: at least this share of the overlapping tiles agree
MIN_TILES = 24  # fewer tiles to compare is too little evidence either way
MIN_OVERLAP = 0.3  # of the stored photo's area: less is not a reuse of that photo

_orb = None


def _detector():
    global _orb
    if _orb is None:
        _orb = cv2.ORB_create(nfeatures=N_FEATURES, scaleFactor=1.2, nlevels=8, edgeThreshold=15,
                              patchSize=31, fastThreshold=10)
    return _orb


@dataclass
class Features:
    size: tuple[int, int]  # (w, h) of the working image
    points: np.ndarray  # (n, 2) float32, keypoint positions in the working image
    descriptors: np.ndarray  # (n, 32) uint8, ORB
    gray: np.ndarray  # the image, uint8: at working size when computed, at COMPARE size when loaded
    mirror: "Features | None" = None  # the same computed on the mirror image (ORB is not mirror-invariant)

    def to_bytes(self) -> bytes:
        """Compact form kept per photo (~60 KB): both sides' features, the pixels at the compared size only."""
        k = min(1.0, KEEP / max(self.size))
        small = cv2.resize(self.gray, (max(1, round(self.size[0] * k)), max(1, round(self.size[1] * k))),
                           interpolation=cv2.INTER_AREA) if k < 1 else self.gray
        mir = self.mirror if self.mirror is not None else mirrored(self)
        buf = io.BytesIO()
        np.savez(buf, size=np.array(self.size, np.int32), points=self.points.astype(np.float32),
                 descriptors=self.descriptors, mpoints=mir.points.astype(np.float32), mdescriptors=mir.descriptors,
                 gray=cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])[1])
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Features":
        z = np.load(io.BytesIO(data))
        gray = cv2.imdecode(z["gray"], cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise ValueError("a print's pixels do not decode")
        size = (int(z["size"][0]), int(z["size"][1]))
        mir = cls(size, z["mpoints"], z["mdescriptors"], np.ascontiguousarray(gray[:, ::-1]))
        return cls(size, z["points"], z["descriptors"], gray, mir)


def working_gray(data: bytes | Image.Image) -> np.ndarray:
    """Upright greyscale at WORK long edge (smaller images are kept as they are)."""
    img = Image.open(io.BytesIO(data)) if isinstance(data, bytes | bytearray) else data
    if isinstance(data, bytes | bytearray):
        img.draft("L", (WORK * 2, WORK * 2))
    img = ImageOps.exif_transpose(img).convert("L")
    long, short = max(img.size), min(img.size)
    # A screen-shaped image (a screenshot) holds the photo in part of it: keep that part at working size.
    s = WORK * 1.25 / short if long > 1.6 * short else WORK / long
    if s < 1:
        img = img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))), Image.Resampling.BILINEAR)
    return np.asarray(img)


def features(gray: np.ndarray) -> Features:
    orb = _detector()
    # A screenshot's bars and captions are all sharp corners: a bigger image gets more features so the
    # photo inside it keeps its share.
    orb.setMaxFeatures(max(N_FEATURES, round(N_FEATURES * gray.size / (WORK * WORK * 3 / 4))))
    kps, desc = orb.detectAndCompute(gray, None)
    if desc is None:
        return Features((gray.shape[1], gray.shape[0]), np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8),
                        gray)
    # Strongest first: the quick first look (PROBE) matches only the head of the list.
    order = np.argsort([-k.response for k in kps], kind="stable")
    pts = np.array([kps[i].pt for i in order], np.float32).reshape(-1, 2)
    return Features((gray.shape[1], gray.shape[0]), pts, desc[order], gray)


def features_of(data: bytes | Image.Image) -> Features:
    return features(working_gray(data))


@dataclass(frozen=True)
class Match:
    inliers: int
    agree_share: float  # share of overlapping tiles whose pixels agree
    overlap: float  # share of the stored photo covered by the query
    mirrored: bool
    rotation_deg: float
    scale: float  # query pixels per stored pixel (working scale)

    @property
    def is_reuse(self) -> bool:
        return self.inliers >= MIN_INLIERS and self.overlap >= MIN_OVERLAP and self.agree_share >= AGREE_SHARE


def mirrored(f: Features) -> Features:
    if f.mirror is not None:
        return f.mirror
    if f.gray.shape[::-1] != tuple(f.size):
        raise ValueError("a loaded print carries its mirror side; only a computed one can be mirrored")
    return features(np.ascontiguousarray(f.gray[:, ::-1]))


_matcher = cv2.BFMatcher(cv2.NORM_HAMMING)


def _similarity(q: Features, s: Features):
    """(matrix query->stored, inlier count) of the best similarity transform, or (None, 0).

    Matched from the stored photo into the query: a screenshot's extra corners then never compete
    with the photo's own in the ratio test."""
    if len(q.descriptors) < 8 or len(s.descriptors) < 8:
        return None, 0
    # A quick first look with the stored photo's strongest features: most candidates (other places)
    # end here, for a fraction of the full match.
    head = _matcher.knnMatch(s.descriptors[:PROBE], q.descriptors, k=2)
    if sum(1 for p in head if len(p) == 2 and p[0].distance < 0.85 * p[1].distance and p[0].distance < 80) \
            < PROBE_MIN:
        return None, 0
    pairs = _matcher.knnMatch(s.descriptors, q.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.85 * p[1].distance and p[0].distance < 80]
    if len(good) < MIN_INLIERS:
        return None, 0
    src = q.points[[m.trainIdx for m in good]]
    dst = s.points[[m.queryIdx for m in good]]
    m, inl = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX,
                                         maxIters=1000, confidence=0.99)
    if m is None:
        return None, 0
    scale = float(np.hypot(m[0, 0], m[1, 0]))
    if not 0.1 <= scale <= 10:  # degenerate fits (collinear points) are no transform a photo went through
        return None, 0
    return m, int(inl.sum())


def _normalised(g: np.ndarray) -> np.ndarray:
    g = g.astype(np.float32)
    return cv2.GaussianBlur(g, (0, 0), 1.0) - cv2.GaussianBlur(g, (0, 0), 8)


PROBE_MAGIC = b"OWP2"  # a probe with its features' positions; older probes are the bare descriptors
HEAD_INLIERS = 6  # the first look's geometric bar (see rank)
HEAD_RANSAC_ITERS = 200  # two matches fix a similarity: a copy's consistent majority is found in a few tries
RANK_QUERY = 10_000  # the query's strongest features the first look matches against (all of them)


def probe_bytes(f: Features) -> bytes:
    """The strongest PROBE descriptors and their positions (working px, quarter-pixel steps), kept apart so
    a first look at many candidates reads little."""
    n = min(PROBE, len(f.descriptors))
    pts = np.clip(np.round(f.points[:n] * 4), 0, 65535).astype("<u2")
    return PROBE_MAGIC + np.uint16(n).astype("<u2").tobytes() + f.descriptors[:n].tobytes() + pts.tobytes()


def parse_probe(data: bytes) -> tuple[np.ndarray, np.ndarray | None]:
    """(descriptors, positions or None for a probe stored before positions were kept)."""
    # Bare descriptors are 32 bytes each, so a length of 2 modulo 4 can only be the newer form.
    if len(data) % 4 == 2 and data[:4] == PROBE_MAGIC:
        n = int(np.frombuffer(data[4:6], "<u2")[0])
        if len(data) == 6 + n * 36:
            desc = np.frombuffer(data[6:6 + n * 32], np.uint8).reshape(-1, 32)
            pts = np.frombuffer(data[6 + n * 32:], "<u2").reshape(-1, 2).astype(np.float32) / 4
            return desc, pts
    return np.frombuffer(data, np.uint8).reshape(-1, 32), None


def rank(query: Features, query_mirror: Features, probes: list[tuple[int, bytes]],
         keep: int) -> list[tuple[int, tuple[bool, ...]]]:
    """The candidates worth a full comparison, most promising first, each with the sides of the query
    (False: as it is, True: its mirror image) worth comparing in full.

    One brute-force match of every candidate's strongest features against the query's strongest (and its
    mirror image's); then, per candidate, the matches that one similarity transform explains (RANSAC, few
    iterations). Chance matches with another place's photo point every which way and leave 2-3 such
    inliers; a copy, or a photo of the same place, leaves most of its matches. A candidate below
    HEAD_INLIERS is dropped without a full comparison. Probes stored without positions are ranked by
    their match count alone, as before."""
    if not probes or len(query.descriptors) < 2:
        return []
    parsed = [parse_probe(b) for _, b in probes]
    owner = np.concatenate([np.full(len(d), i) for i, (d, _p) in enumerate(parsed)]) if parsed else np.zeros(0)
    if not len(owner):
        return []
    stacked = np.ascontiguousarray(np.concatenate([d for d, _p in parsed]))
    offset = np.concatenate([[0], np.cumsum([len(d) for d, _p in parsed])])
    best = np.zeros(len(probes), np.float64)
    sides: list[list[bool]] = [[] for _ in probes]
    for flip, q in ((False, query), (True, query_mirror)):
        if len(q.descriptors) < 2:
            continue
        qd, qp = q.descriptors[:RANK_QUERY], q.points[:RANK_QUERY]
        pairs: list[list[tuple[int, int]]] = [[] for _ in probes]
        for p in _matcher.knnMatch(stacked, qd, k=2):
            if len(p) == 2 and p[0].distance < 0.85 * p[1].distance and p[0].distance < 80:
                i = int(owner[p[0].queryIdx])
                pairs[i].append((p[0].queryIdx - int(offset[i]), p[0].trainIdx))
        for i, got in enumerate(pairs):
            if len(got) < PROBE_MIN:
                continue
            pts = parsed[i][1]
            if pts is None:
                best[i] = max(best[i], len(got))  # no positions: the match count, as before
                sides[i].append(flip)
                continue
            src = qp[[j for _k, j in got]]
            dst = pts[[k for k, _j in got]]
            m, inl = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX,
                                                 maxIters=HEAD_RANSAC_ITERS, confidence=0.99)
            # A degenerate fit (a tiny scale folds every point onto one spot) explains nothing.
            n = int(inl.sum()) if m is not None and 0.1 <= float(np.hypot(m[0, 0], m[1, 0])) <= 10 else 0
            if n >= HEAD_INLIERS:
                best[i] = max(best[i], n)
                sides[i].append(flip)
    order = [i for i in np.argsort(-best, kind="stable") if best[i] >= PROBE_MIN][:keep]
    return [(probes[i][0], tuple(sides[i])) for i in order]


def _scaling(k: float) -> np.ndarray:
    return np.array([[k, 0, 0], [0, k, 0], [0, 0, 1]], np.float64)


def agreement(query: Features, stored: Features, m: np.ndarray) -> tuple[float, float]:
    """(share of tiles that agree, share of the stored image covered) with the query warped onto the stored.

    Compared over the part of the stored photo the query covers, at COMPARE pixels across: a photo that
    fills a small part of a screenshot is judged at the same detail as a whole one."""
    sw, sh = stored.size
    qw, qh = query.size
    corners = cv2.transform(np.array([[[0, 0], [qw, 0], [qw, qh], [0, qh]]], np.float32), m)[0]
    x0, y0 = max(0.0, float(corners[:, 0].min())), max(0.0, float(corners[:, 1].min()))
    x1, y1 = min(float(sw), float(corners[:, 0].max())), min(float(sh), float(corners[:, 1].max()))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return 0.0, 0.0
    gk = stored.gray.shape[1] / sw  # kept pixels per working pixel
    k = min(COMPARE / max(x1 - x0, y1 - y0), gk)
    size = (max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k)))
    canvas = np.array([[k, 0, -x0 * k], [0, k, -y0 * k], [0, 0, 1]], np.float64)  # stored working -> canvas
    q_gray = query.gray
    qk = q_gray.shape[1] / qw  # the query's pixels may be kept smaller than its working size
    mk = (canvas @ np.vstack([m, [0, 0, 1]]) @ _scaling(1 / qk))[:2]
    warped = cv2.warpAffine(q_gray.astype(np.float32), mk, size, flags=cv2.INTER_AREA)
    valid = cv2.warpAffine(np.ones(q_gray.shape, np.float32), mk, size, flags=cv2.INTER_NEAREST)
    stored_px = cv2.warpAffine(stored.gray.astype(np.float32), (canvas @ _scaling(1 / gk))[:2], size,
                               flags=cv2.INTER_AREA)
    covered = float(valid.sum()) / (k * k) / (sw * sh)
    a, b = _normalised(warped), _normalised(stored_px)
    ty, tx = size[1] // TILE, size[0] // TILE
    if not ty or not tx:
        return 0.0, covered

    def tiles(x: np.ndarray) -> np.ndarray:
        return x[:ty * TILE, :tx * TILE].reshape(ty, TILE, tx, TILE).transpose(0, 2, 1, 3).reshape(ty * tx, -1)

    ta, tb, tv = tiles(a), tiles(b), tiles(valid)
    ta = ta - ta.mean(axis=1, keepdims=True)
    tb = tb - tb.mean(axis=1, keepdims=True)
    na, nb = np.sqrt((ta * ta).sum(axis=1)), np.sqrt((tb * tb).sum(axis=1))
    # Only tiles the query covers, and where the stored photo has some texture (a flat tile says nothing).
    use = (tv.mean(axis=1) >= 0.95) & (nb >= 1e-3 * TILE * TILE)
    ncc = (ta * tb).sum(axis=1) / np.maximum(na * nb, 1e-9)
    total = int(use.sum())
    agree = int((use & (na > 0) & (ncc >= TILE_NCC)).sum())
    return (agree / total if total >= MIN_TILES else 0.0), covered


def compare(query: Features, stored: Features, query_mirror: Features | None = None,
            sides: tuple[bool, ...] = (False, True)) -> Match | None:
    """How the query reuses the stored photo, or None when no similarity transform links them.
    `sides`: the query as it is (False) and/or its mirror image (True); rank() says which are worth it."""
    best = None
    for flip in sides:
        q = query if not flip else query_mirror if query_mirror is not None else mirrored(query)
        m, n = _similarity(q, stored)
        if m is None or n < MIN_INLIERS:
            continue
        share, overlap = agreement(q, stored, m)
        sc = float(np.hypot(m[0, 0], m[1, 0]))
        cand = Match(n, share, overlap, flip, float(np.degrees(np.arctan2(m[1, 0], m[0, 0]))), 1 / sc if sc else 0)
        if best is None or (cand.is_reuse, cand.agree_share, cand.inliers) > (best.is_reuse, best.agree_share,
                                                                             best.inliers):
            best = cand
    return best


def orientation_phashes(gray: np.ndarray) -> list[str]:
    """The 64-bit DCT hash of the image in each of its 8 turns and mirrors (same hash as derive()).

    The picture is shrunk to the hash's 32 x 32 once, then turned: shrinking commutes with turns and
    mirrors (up to rounding), and the 8 shrinks of the full picture were most of this function's time."""
    import imagehash

    size = 32  # imagehash.phash's hash_size 8 x highfreq_factor 4
    small = Image.fromarray(gray).resize((size, size), Image.Resampling.LANCZOS)
    out = []
    for mirror in (False, True):
        base = small.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if mirror else small
        for turn in (None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270):
            out.append(str(imagehash.phash(base if turn is None else base.transpose(turn))))
    return out
