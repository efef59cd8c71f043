"""Evidence checks on photo facts: pure functions, no I/O. Messages are bilingual (zh for supervisors).

Time rules: EXIF times without an offset are the phone's local time, China Standard Time by default;
`now`, `uploaded_at` and window bounds are server times and are read as UTC if naive. Phone clocks
drift, so every time comparison allows CLOCK_SKEW. EXIF GPS and the site are both WGS-84.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TypeGuard

from server.domain.geo.distance import haversine_m

SEVERITIES = ("INFO", "WARNING", "FAIL")  # ascending
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
CODES = ("NO_EXIF_TIME", "NO_EXIF_GPS", "FAR_FROM_SITE", "TAKEN_BEFORE_TASK", "TAKEN_AFTER_UPLOAD", "TAKEN_IN_FUTURE",
         "DUPLICATE_FILE", "NEAR_DUPLICATE", "AFTER_SAME_AS_BEFORE", "EDITED_BY_SOFTWARE",
         "ATTESTATION_FAILED", "NOT_ATTESTED", "FIX_TIME_MISMATCH", "CLOCK_OFFSET", "ATTESTED",
         "REUSED_PHOTO", "BEFORE_NOT_SAME_VIEW", "DUPLICATE_IN_SUBMISSION", "BEFORE_SAME_VIEW")
SEVERITY = {"NO_EXIF_TIME": "WARNING", "NO_EXIF_GPS": "WARNING", "FAR_FROM_SITE": "FAIL", "TAKEN_BEFORE_TASK": "FAIL",
            "TAKEN_AFTER_UPLOAD": "FAIL", "TAKEN_IN_FUTURE": "FAIL", "DUPLICATE_FILE": "FAIL",
            "NEAR_DUPLICATE": "WARNING", "AFTER_SAME_AS_BEFORE": "FAIL", "EDITED_BY_SOFTWARE": "WARNING",
            "ATTESTATION_FAILED": "FAIL", "NOT_ATTESTED": "WARNING", "FIX_TIME_MISMATCH": "WARNING",
            "CLOCK_OFFSET": "WARNING", "ATTESTED": "INFO", "REUSED_PHOTO": "FAIL", "BEFORE_NOT_SAME_VIEW": "WARNING",
            "DUPLICATE_IN_SUBMISSION": "FAIL", "BEFORE_SAME_VIEW": "INFO"}
CLOCK_SKEW = timedelta(minutes=5)

# Editing apps as they appear in EXIF Software. Short Latin names need word boundaries so camera
# firmware strings ("HDR+ 1.0", "G998BXXU3", "iOS 17.1", "MediaTek Camera Application") never match.
_EDITORS = re.compile(
    r"photoshop|lightroom|snapseed|picsart|pixelmator|affinity|meitu|mtxx|hypic|facetune|polarr|photoscape"
    r"|photodirector|picmonkey|paint\.net|\bgimp\b|\bcanva\b|\bvsco\b|\bfotor\b"
    r"|美图|醒图|美颜|黄油相机|轻颜",
    re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    message_zh: str
    message_en: str
    # What the reviewer is shown beside the words: {"mediaIds": [...]} for the other photo(s) of a
    # reuse or comparison, {"positions": [{"label", "lat", "lon"}, ...]} for a distance.
    evidence: dict | None = None

    def message(self, lang: str = "zh") -> str:
        """"en*" -> English, "both" -> "zh / en", anything else -> Chinese (the supervisors' language)."""
        if lang == "both":
            return f"{self.message_zh} / {self.message_en}"
        return self.message_en if lang.lower().startswith("en") else self.message_zh


@dataclass(frozen=True)
class PhotoFacts:
    media_id: str
    sha256: str
    phash: str | None
    taken_at: datetime | None  # aware, or naive = the phone's local time
    exif_lat: float | None
    exif_lon: float | None
    software: str | None
    uploaded_at: datetime  # aware UTC
    kind: str = "PHOTO"


@dataclass(frozen=True)
class Site:
    lat: float
    lon: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None


def hamming(a_hex: str, b_hex: str) -> int:
    """Bits that differ between two equal-length hex hashes."""
    if len(a_hex) != len(b_hex):
        raise ValueError("hashes of different lengths")
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def phash_bands(hex16: str) -> tuple[int, int, int, int]:
    """The 64-bit hash as four 16-bit bands, high first. Two hashes within 3 bits share a band."""
    if len(hex16) != 16:
        raise ValueError("expected a 64-bit hash as 16 hex digits")
    v = int(hex16, 16)
    return (v >> 48) & 0xFFFF, (v >> 32) & 0xFFFF, (v >> 16) & 0xFFFF, v & 0xFFFF


def worst(checks: Iterable[Check]) -> str | None:
    """The highest severity among the checks, None when there are none."""
    return max((c.severity for c in checks), key=_RANK.__getitem__, default=None)


def is_editor(software: str | None) -> TypeGuard[str]:
    return software is not None and _EDITORS.search(software) is not None


def _check(code: str, zh: str, en: str, evidence: dict | None = None) -> Check:
    return Check(code, SEVERITY[code], zh, en, evidence)


def _utc(t: datetime, local: timezone) -> datetime:
    return (t if t.tzinfo else t.replace(tzinfo=local)).astimezone(timezone.utc)


def _fmt(t: datetime, local: timezone) -> str:
    return f"{t.astimezone(local):%Y-%m-%d %H:%M} {local.tzname(None)}"


def _gps(p: PhotoFacts) -> tuple[float, float] | None:
    """The photo's EXIF position when it is a real one."""
    lat, lon = p.exif_lat, p.exif_lon
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    # (0, 0) is what some phones write without a fix, not a place anyone inspects.
    return (lat, lon) if (lat, lon) != (0.0, 0.0) and -90 <= lat <= 90 and -180 <= lon <= 180 else None


def photo_checks(photo: PhotoFacts, *, now: datetime, site: Site | None = None, window: Window | None = None,
                 far_threshold_m: float = 200.0, duplicate_of: Sequence[str] = (),
                 near_duplicate_of: Sequence[tuple[str, int]] = (), local_tz_offset_hours: float = 8.0,
                 skew: timedelta = CLOCK_SKEW) -> list[Check]:
    """Every check one piece of evidence fails, FAIL first. For a video, time and place are the container's."""
    h = local_tz_offset_hours
    local = timezone(timedelta(hours=h), f"UTC{h:+g}") if h == int(h) else timezone(timedelta(hours=h))
    utc = timezone.utc
    out: list[Check] = []
    photo_like = photo.kind == "PHOTO"

    if photo.taken_at is None:
        if photo_like:
            out.append(_check("NO_EXIF_TIME", "照片没有 EXIF 拍摄时间，无法核对拍摄时间",
                              "No EXIF capture time; when it was taken cannot be verified"))
        else:
            out.append(_check("NO_EXIF_TIME", "视频文件没有拍摄时间（creation_time），无法核对拍摄时间",
                              "The video container has no creation time; when it was taken cannot be verified"))
    else:
        taken = _utc(photo.taken_at, local)
        t = _fmt(taken, local)
        now_u, up = _utc(now, utc), _utc(photo.uploaded_at, utc)
        if taken > now_u + skew:
            out.append(_check("TAKEN_IN_FUTURE", f"拍摄时间 {t} 晚于服务器当前时间 {_fmt(now_u, local)}，手机时钟可能有误",
                              f"Capture time {t} is later than the server time {_fmt(now_u, local)}; "
                              "the phone clock may be wrong"))
        elif taken > up + skew:  # a future time is necessarily after upload too: report it once
            out.append(_check("TAKEN_AFTER_UPLOAD", f"拍摄时间 {t} 晚于上传时间 {_fmt(up, local)}",
                              f"Capture time {t} is after the upload time {_fmt(up, local)}"))
        if window is not None and window.start is not None:
            start = _utc(window.start, utc)
            if taken < start - skew:
                out.append(_check("TAKEN_BEFORE_TASK", f"拍摄时间 {t} 早于任务开始时间 {_fmt(start, local)}",
                                  f"Taken at {t}, before the task started ({_fmt(start, local)})"))

    gps = _gps(photo)
    if gps is None:
        if photo_like:
            out.append(_check("NO_EXIF_GPS", "照片没有 EXIF 位置信息，无法核对拍摄地点",
                              "No EXIF GPS position; where it was taken cannot be verified"))
        else:
            out.append(_check("NO_EXIF_GPS", "视频文件没有位置信息（GPS 原子），无法核对拍摄地点",
                              "The video container has no GPS location atom; where it was taken cannot be verified"))
    elif site is not None:
        d = haversine_m(site.lat, site.lon, *gps)
        acc = max(site.accuracy_m or 0.0, 0.0)
        if d > far_threshold_m + acc:
            zh_t, en_t = f"阈值 {far_threshold_m:,.0f} 米", f"threshold {far_threshold_m:,.0f} m"
            if acc:
                zh_t, en_t = f"{zh_t}，另加定位误差 {acc:,.0f} 米", f"{en_t} + {acc:,.0f} m position accuracy"
            out.append(_check("FAR_FROM_SITE", f"拍摄位置距现场 {d:,.0f} 米（{zh_t}）",
                              f"Taken {d:,.0f} m from the site ({en_t})",
                              {"positions": [{"label": "photo", "lat": photo.exif_lat, "lon": photo.exif_lon},
                                             {"label": "site", "lat": site.lat, "lon": site.lon}],
                               "distanceM": round(d, 1)}))

    if is_editor(photo.software):
        sw = photo.software.strip()[:60]
        out.append(_check("EDITED_BY_SOFTWARE", f"照片经过编辑软件处理（{sw}）", f"Edited with software ({sw})"))

    dups = {i for i in duplicate_of if i != photo.media_id}
    if dups:
        out.append(_check("DUPLICATE_FILE", f"同一文件已用于另外 {len(dups)} 条记录",
                          f"The same file was already used in {len(dups)} other record(s)",
                          {"mediaIds": sorted(dups, key=lambda i: (len(i), i))}))
    near: dict[str, int] = {}
    for other, dist in near_duplicate_of:
        if other != photo.media_id and other not in dups:
            near[other] = min(dist, near.get(other, dist))
    if near:
        n, dist = len(near), min(near.values())
        out.append(_check("NEAR_DUPLICATE", f"与另外 {n} 张照片几乎相同（汉明距离 {dist}）",
                          f"Nearly identical to {n} other photo(s) (Hamming distance {dist})",
                          {"mediaIds": sorted(near, key=lambda i: (len(i), i))}))
    return sort_checks(out)


def pair_checks(before: Sequence[PhotoFacts], after: Sequence[PhotoFacts], *, same_threshold: int = 6) -> list[Check]:
    """AFTER_SAME_AS_BEFORE for each after photo that is (nearly) a before photo; numbers are 1-based."""
    out: list[Check] = []
    for i, a in enumerate(after, 1):
        same = next((j for j, b in enumerate(before, 1) if b.sha256 == a.sha256), None)
        if same is not None:
            out.append(_check("AFTER_SAME_AS_BEFORE", f"整改后第 {i} 张照片与整改前第 {same} 张是同一文件",
                              f"After photo {i} is the same file as before photo {same}",
                              {"mediaIds": [a.media_id, before[same - 1].media_id]}))
            continue
        if not a.phash:
            continue
        dists = [(hamming(a.phash, b.phash), j) for j, b in enumerate(before, 1)
                 if b.phash and len(b.phash) == len(a.phash)]
        if dists and (best := min(dists))[0] <= same_threshold:
            out.append(_check("AFTER_SAME_AS_BEFORE",
                              f"整改后第 {i} 张照片与整改前第 {best[1]} 张几乎相同（汉明距离 {best[0]}）",
                              f"After photo {i} looks the same as before photo {best[1]} (Hamming distance {best[0]})",
                              {"mediaIds": [a.media_id, before[best[1] - 1].media_id]}))
    return out


def sort_checks(checks: Iterable[Check]) -> list[Check]:
    """Most severe first, then in the API enum's order, so lists are stable."""
    return sorted(checks, key=lambda c: (-_RANK[c.severity], CODES.index(c.code)))


def _edits(mirrored: bool, rotation_deg: float, overlap: float, scale: float) -> tuple[list[str], list[str]]:
    zh, en = [], []
    turn = round(rotation_deg / 90) * 90 % 360
    if mirrored:
        zh.append("镜像翻转")
        en.append("mirrored")
    if turn and abs(((rotation_deg - turn) + 180) % 360 - 180) < 10:
        zh.append(f"旋转 {turn}°")
        en.append(f"turned {turn}°")
    if overlap < 0.9:
        zh.append(f"裁剪（保留原图 {overlap:.0%}）")
        en.append(f"cropped to {overlap:.0%} of the original")
    if scale < 0.8 or scale > 1.25:
        zh.append(f"缩放至 {scale:.0%}")
        en.append(f"rescaled to {scale:.0%}")
    return zh, en


def reuse_check(other_id: str, *, mirrored: bool, rotation_deg: float, overlap: float, scale: float,
                agree_share: float, inliers: int) -> Check:
    """REUSED_PHOTO: this photo is an edited copy of another stored photo (server/images/reuse.py)."""
    zh, en = _edits(mirrored, rotation_deg, overlap, scale)
    how_zh = "，".join(zh) or "重新编码、调色或加字"
    how_en = ", ".join(en) or "re-encoded, re-lit or overlaid"
    return _check("REUSED_PHOTO",
                  f"这张照片是已存照片 #{other_id} 的翻拍或编辑副本（{how_zh}；{inliers} 个特征点一致，"
                  f"{agree_share:.0%} 的画面逐块吻合），并非新拍摄",
                  f"This is an edited copy of stored photo #{other_id} ({how_en}; {inliers} features agree, "
                  f"{agree_share:.0%} of the picture matches tile by tile), not a new photo",
                  {"mediaIds": [other_id], "agreeShare": round(agree_share, 3), "inliers": inliers,
                   "mirrored": mirrored, "rotationDeg": round(rotation_deg, 1), "overlap": round(overlap, 3),
                   "scale": round(scale, 3)})


def reuse_edit_words(evidence: dict) -> tuple[list[str], list[str]]:
    """What was done to the stored photo, in words (zh, en), from a REUSED_PHOTO check's evidence.
    Checks stored before the scale was kept say nothing about rescaling."""
    return _edits(bool(evidence.get("mirrored")), float(evidence.get("rotationDeg") or 0.0),
                  float(evidence.get("overlap", 1.0)), float(evidence.get("scale", 1.0)))


def before_view_check(number: int, media_id: str, finding_ids: Sequence[str], matched: str | None,
                      inliers: int = 0) -> Check:
    """The before photo against the task's finding photos: the same place seen the same way, or not."""
    if matched is not None:
        return _check("BEFORE_SAME_VIEW", f"整改前第 {number} 张照片与任务发现照片 #{matched} 是同一地点、同一视角"
                      f"（{inliers} 个特征点一致）",
                      f"Before photo {number} shows the same place and view as finding photo #{matched} "
                      f"({inliers} features agree)", {"mediaIds": [media_id, matched]})
    return _check("BEFORE_NOT_SAME_VIEW", f"整改前第 {number} 张照片与任务的 {len(finding_ids)} 张发现照片都对不上"
                  "（不是同一地点或同一视角）",
                  f"Before photo {number} matches none of the task's {len(finding_ids)} finding photo(s) "
                  "(not the same place or view)", {"mediaIds": [media_id, *finding_ids]})


def duplicate_in_submission_check(slot_zh: str, slot_en: str, i: int, j: int, ids: tuple[str, str]) -> Check:
    return _check("DUPLICATE_IN_SUBMISSION", f"{slot_zh}第 {j} 张照片是第 {i} 张的副本（同一张照片提交了两次）",
                  f"{slot_en} photo {j} is a copy of {slot_en.lower()} photo {i} (one photo presented twice)",
                  {"mediaIds": list(ids)})
