"""The daily brief's water-quality section: stations off target at the day's end, by parameter, and the
episodes that began or cleared during the day."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.stations.models import Station, StationEpisode


@dataclass
class EpisodeLine:
    station_code: str
    station_name: str
    district_code: str
    started_at: datetime
    cleared_at: datetime | None
    worst_class: str | None
    parameters: list[str]
    max_multiple: float | None


@dataclass
class WaterSection:
    stations: int = 0
    off_target: list[EpisodeLine] = field(default_factory=list)
    by_parameter: list[tuple[str, int]] = field(default_factory=list)
    new: list[EpisodeLine] = field(default_factory=list)
    cleared: list[EpisodeLine] = field(default_factory=list)
    faults_open: int = 0


def _line(ep: StationEpisode, st: Station) -> EpisodeLine:
    mults = [d.get("multiple") for d in ep.failing if d.get("multiple") is not None]
    return EpisodeLine(st.code, st.name, st.district_code, ep.started_at, ep.cleared_at, ep.worst_class,
                       [d["parameter"] for d in ep.failing], max(mults) if mults else None)


async def water_section(session: AsyncSession, start: datetime, end: datetime,
                        district_code: str | None) -> WaterSection:
    q = select(Station).where(col(Station.status) == "ACTIVE")
    if district_code:
        q = q.where(col(Station.district_code) == district_code)
    stations = {s.id: s for s in (await session.execute(q)).scalars()}
    w = WaterSection(stations=len(stations))
    if not stations:
        return w
    eps = (await session.execute(select(StationEpisode).where(
        col(StationEpisode.station_id).in_(list(stations)), col(StationEpisode.started_at) < end,
        or_(col(StationEpisode.cleared_at).is_(None), col(StationEpisode.cleared_at) >= start))
        .order_by(col(StationEpisode.started_at)))).scalars()
    counts: dict[str, int] = {}
    for ep in eps:
        st = stations[ep.station_id]
        if ep.kind == "FAULT":
            w.faults_open += ep.cleared_at is None or ep.cleared_at >= end
            continue
        line = _line(ep, st)
        if ep.cleared_at is None or ep.cleared_at >= end:
            w.off_target.append(line)
            for p in line.parameters:
                counts[p] = counts.get(p, 0) + 1
        if ep.started_at >= start:
            w.new.append(line)
        if ep.cleared_at is not None and start <= ep.cleared_at < end:
            w.cleared.append(line)
    w.by_parameter = sorted(counts.items(), key=lambda t: (-t[1], t[0]))
    return w


__all__ = ["water_section", "WaterSection", "EpisodeLine"]
