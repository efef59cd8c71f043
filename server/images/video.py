"""Facts from an MP4 upload, read by FFmpeg's own demuxer and decoder through PyAV.

PyAV (the `av` wheel) brings FFmpeg inside the Python install, so the server parses containers exactly
as ffprobe would without a system package or a subprocess per upload. A box-structure walk is not
enough: a 332-byte file of two boxes is "valid ISO BMFF" and holds no video at all. So a video is
READY only when FFmpeg finds a video stream, a positive duration and a first frame that decodes.

Creation time and GPS come from the container's metadata (mvhd creation_time; the ©xyz / ISO 6709
location atom that Android and iOS write). Both are whatever the sender's muxer wrote: they are
facts to check, not proof (attested capture is the proof), and their absence is reported as
"cannot be verified" by the evidence checks.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from server.domain.errors import UploadInvalid

# One decoded frame of an 8K video is ~50 MB in YUV 4:2:0; anything declaring more is refused unread.
MAX_FRAME_PIXELS = 7680 * 4320
MAX_PACKETS_FOR_FIRST_FRAME = 600  # a first frame arrives within a GOP; never demux a whole file hunting
_ISO6709 = re.compile(r"^\s*([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")
_LOCATION_KEYS = ("location", "com.apple.quicktime.location.ISO6709", "location-eng")
# Muxers write 1904-01-01 or 1970-01-01 when the clock was unknown: that is no time at all.
_EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class VideoFacts:
    duration_s: float
    width: int
    height: int
    codec: str
    created_at: datetime | None  # aware UTC
    lat: float | None
    lon: float | None


def read_video(data: bytes) -> VideoFacts:
    """Parse and decode the first frame; UploadInvalid with the reason when it is not a real video."""
    import av  # imported here: the photo path never pays for loading FFmpeg

    try:
        container = av.open(io.BytesIO(data), mode="r", format="mp4")
    except (av.FFmpegError, ValueError, OSError) as e:
        raise UploadInvalid(f"video container could not be parsed ({_short(e)})") from None
    with container:
        streams = list(container.streams.video)
        if not streams:
            raise UploadInvalid("file has no video stream")
        stream = streams[0]
        width, height = stream.codec_context.width or 0, stream.codec_context.height or 0
        if width <= 0 or height <= 0:
            raise UploadInvalid("video stream has no frame size")
        if width * height > MAX_FRAME_PIXELS:
            raise UploadInvalid(f"video frames of {width}x{height} are over the cap of {MAX_FRAME_PIXELS:,} pixels")
        duration = _duration(container, stream)
        if duration is None or duration <= 0:
            raise UploadInvalid("video has no duration")
        if not _first_frame_decodes(container, stream):
            raise UploadInvalid("video has no frame that decodes")
        meta = {**dict(stream.metadata), **dict(container.metadata)}
        lat, lon = _location(meta)
        return VideoFacts(duration_s=round(duration, 3), width=width, height=height,
                          codec=stream.codec_context.name or "?", created_at=_created(meta), lat=lat, lon=lon)


def _short(e: Exception) -> str:
    return str(e).split(":")[-1].strip()[:80] or type(e).__name__


def _duration(container, stream) -> float | None:
    if container.duration:  # microseconds (AV_TIME_BASE)
        return container.duration / 1_000_000
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _first_frame_decodes(container, stream) -> bool:
    import av

    try:
        for n, packet in enumerate(container.demux(stream)):
            if n >= MAX_PACKETS_FOR_FIRST_FRAME:
                return False
            for _frame in packet.decode():
                return True
    except (av.FFmpegError, ValueError, OSError, MemoryError):
        return False
    return False


def _created(meta: dict) -> datetime | None:
    raw = (meta.get("creation_time") or "").strip()
    if not raw:
        return None
    try:
        t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)  # mvhd times are UTC by definition
    t = t.astimezone(timezone.utc)
    return t if t >= _EARLIEST_PLAUSIBLE else None


def _location(meta: dict) -> tuple[float | None, float | None]:
    for key in _LOCATION_KEYS:
        m = _ISO6709.match(meta.get(key) or "")
        if m:
            lat, lon = float(m.group(1)), float(m.group(2))
            if math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180:
                return lat, lon
    return None, None
