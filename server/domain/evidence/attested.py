"""Checks from a capture attestation (pure): the verdict in plain words, and the statement's consistency.

For an ATTESTED photo the signed fix and capture time stand in for EXIF, which the sender can write
freely; media/service.py builds the PhotoFacts from them, so distance and time checks judge the signed
values.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from server.domain.evidence.checks import SEVERITY, Check

FIX_MAX_AGE = timedelta(minutes=2)  # a fix older than this at the shutter may be from somewhere else
CLOCK_MAX_OFFSET_S = 300


def _c(code: str, zh: str, en: str) -> Check:
    return Check(code, SEVERITY[code], zh, en)


def attestation_checks(att: dict | None, *, device_registered: bool) -> list[Check]:
    if not att:
        return []
    status = att.get("status")
    if status == "FAIL":
        return [_c("ATTESTATION_FAILED", f"拍摄签名无效：{att.get('reasonZh') or att.get('reason')}",
                   f"Capture attestation failed: {att.get('reason')}")]
    if status == "NOT_ATTESTED":
        # Only where the uploader's phone could have signed: an unsigned photo then came from elsewhere.
        if not device_registered:
            return []
        return [_c("NOT_ATTESTED", "未经拍摄签名：照片来自相册或其他相机，拍摄地点和时间无法证实",
                   "Not attested: from the gallery or another camera; where and when it was taken is unproven")]
    out = [_c("ATTESTED", att.get("reasonZh") or "", f"Attested: {att.get('reason')}")]
    st = att.get("statement") or {}
    try:
        captured, fixed = datetime.fromisoformat(st["capturedAt"]), datetime.fromisoformat(st["fixTime"])
    except (KeyError, TypeError, ValueError):
        return out
    age = captured - fixed
    if abs(age) > FIX_MAX_AGE:
        mins = abs(age).total_seconds() / 60
        when_zh, when_en = ("之前", "before") if age > timedelta(0) else ("之后", "after")
        out.append(_c("FIX_TIME_MISMATCH", f"GPS 定位时间在拍摄{when_zh} {mins:.0f} 分钟，位置可能不是拍摄地点",
                      f"The GPS fix was taken {mins:.0f} min {when_en} the photo; the position may not be where it "
                      "was taken"))
    off = att.get("deviceClockOffsetS")
    if isinstance(off, (int, float)) and abs(off) > CLOCK_MAX_OFFSET_S:
        ahead_zh, ahead_en = ("快", "ahead of") if off > 0 else ("慢", "behind")
        out.append(_c("CLOCK_OFFSET", f"手机时钟比服务器{ahead_zh} {abs(off) / 60:.0f} 分钟，拍摄时间已按此校正",
                      f"The phone clock is {abs(off) / 60:.0f} min {ahead_en} the server's; capture time corrected "
                      "for it"))
    return out
