"""Registering, editing, listing and importing stations (SUPERVISOR/ADMIN write, every role reads)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, NotFound
from server.domain.filtering import where_equal
from server.domain.geo.distance import check_in_chongqing
from server.domain.geo.models import District, River
from server.domain.permissions import require
from server.domain.sqltypes import pk, utcnow
from server.domain.stations.models import Station
from server.domain.stations.params import LEVELS, STATUSES, WATER_BODIES
from server.domain.tracing.network import network

TARGETS = ("I", "II", "III", "IV", "V")
MAX_LIST = 1000


@dataclass
class StationInput:
    code: str | None = None
    name: str | None = None
    river_code: str | None = None
    district_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    level: str | None = None
    target_class: str | None = None
    water_body: str | None = None
    status: str | None = None
    river_km: float | None = None  # derived from the location on the river's course when not given


@dataclass
class StationFilter:
    river_code: str | None = None
    district_code: str | None = None
    level: str | None = None
    status: str | None = None
    target_class: str | None = None
    search: str | None = None
    updated_since: datetime | None = None


def _choice(v, allowed, field_name):
    if v not in allowed:
        raise BadInput(f"{field_name} must be one of {', '.join(allowed)}; got {v!r}", field=field_name)


def _text(v, field_name, max_len):
    v = (v or "").strip()
    if not v:
        raise BadInput(f"{field_name} is required", field=field_name)
    if len(v) > max_len:
        raise BadInput(f"{field_name} is longer than {max_len} characters", field=field_name)
    return v


async def _validate(session: AsyncSession, st: Station) -> None:
    st.code = _text(st.code, "code", 32)
    st.name = _text(st.name, "name", 100)
    _choice(st.level, LEVELS, "level")
    _choice(st.target_class, TARGETS, "targetClass")
    _choice(st.water_body, WATER_BODIES, "waterBody")
    _choice(st.status, STATUSES, "status")
    check_in_chongqing(st.lat, st.lon, field="location")
    if await session.get(River, st.river_code) is None:
        raise BadInput(f"unknown river code {st.river_code!r}", field="riverCode")
    if await session.get(District, st.district_code) is None:
        raise BadInput(f"unknown district code {st.district_code!r}", field="districtCode")
    net = network()
    if st.river_code in net.courses:
        if st.river_km is None:
            st.river_km = round(net.project(st.river_code, st.lat, st.lon)[0], 3)
        elif not 0 <= st.river_km <= net.length_km(st.river_code) + 1e-6:
            raise BadInput(f"riverKm must be within 0-{net.length_km(st.river_code):.1f} for {st.river_code}",
                           field="riverKm")


async def create_station(*, session: AsyncSession, actor: Actor, data: StationInput) -> Station:
    require(actor, "station.manage")
    missing = [f for f in ("code", "name", "river_code", "district_code", "lat", "lon", "level", "target_class")
               if getattr(data, f) is None]
    if missing:
        raise BadInput(f"{missing[0]} is required", field=_camel(missing[0]))
    st = Station(**{f.name: getattr(data, f.name) for f in fields(data) if getattr(data, f.name) is not None})
    st.water_body = st.water_body or "RIVER"
    st.status = st.status or "ACTIVE"
    await _validate(session, st)
    if (await session.execute(select(col(Station.id)).where(col(Station.code) == st.code))).first():
        raise BadInput(f"a station with code {st.code!r} exists", field="code")
    session.add(st)
    await session.flush()
    return st


async def update_station(*, session: AsyncSession, actor: Actor, station_id: int, data: StationInput) -> Station:
    require(actor, "station.manage")
    st = await session.get(Station, station_id)
    if st is None:
        raise NotFound(f"no station with id {station_id}")
    moved = data.lat is not None or data.lon is not None or data.river_code is not None
    for f in fields(data):
        v = getattr(data, f.name)
        if v is not None:
            setattr(st, f.name, v)
    if moved and data.river_km is None:
        st.river_km = None  # re-derive from the new place
    await _validate(session, st)
    clash = (await session.execute(select(col(Station.id)).where(col(Station.code) == st.code, col(Station.id) != st.id))).first()
    if clash:
        raise BadInput(f"a station with code {st.code!r} exists", field="code")
    st.version += 1
    st.updated_at = utcnow()
    await session.flush()
    return st


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


async def get_station(*, session: AsyncSession, actor: Actor, station_id: int | None = None,
                      code: str | None = None) -> Station | None:
    require(actor, "station.read")
    if station_id is not None:
        return await session.get(Station, station_id)
    if code is not None:
        return (await session.execute(select(Station).where(col(Station.code) == code))).scalar_one_or_none()
    raise BadInput("give id or code", field="id")


async def list_stations(*, session: AsyncSession, actor: Actor, f: StationFilter | None = None) -> list[Station]:
    """Stations by river and river-km (upstream first); a city has tens to a few hundred."""
    require(actor, "station.read")
    f = f or StationFilter()
    for value, allowed, name in ((f.level, LEVELS, "filter.level"), (f.status, STATUSES, "filter.status"),
                                 (f.target_class, TARGETS, "filter.targetClass")):
        if value:
            _choice(value, allowed, name)
    q = where_equal(select(Station), [(col(Station.river_code), f.river_code),
                                      (col(Station.district_code), f.district_code), (col(Station.level), f.level),
                                      (col(Station.status), f.status), (col(Station.target_class), f.target_class)])
    if f.updated_since is not None:
        q = q.where(col(Station.updated_at) >= f.updated_since)
    if f.search:
        like = f"%{f.search.strip()}%"
        q = q.where(or_(col(Station.code).like(like), col(Station.name).like(like)))
    q = q.order_by(col(Station.river_code), col(Station.river_km), col(Station.code)).limit(MAX_LIST)
    return list((await session.execute(q)).scalars())


# Sheet columns: header (Chinese or English) -> field
SHEET_HEADERS = {"code": "code", "编码": "code", "断面编码": "code", "name": "name", "名称": "name", "断面名称": "name",
                 "river": "river_code", "河流": "river_code", "district": "district_code", "区县": "district_code",
                 "lat": "lat", "纬度": "lat", "lon": "lon", "经度": "lon", "level": "level", "级别": "level",
                 "target": "target_class", "水质目标": "target_class", "water_body": "water_body",
                 "水体": "water_body", "status": "status", "状态": "status", "river_km": "river_km"}
LEVEL_ZH = {"国控": "NATIONAL", "市控": "MUNICIPAL", "区控": "DISTRICT", "县控": "DISTRICT"}


@dataclass
class SheetReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)


async def import_sheet(*, session: AsyncSession, actor: Actor, path: Path) -> SheetReport:
    """Create or update stations by code from a CSV/XLSX sheet; all rows or none."""
    from server.register_io.reader import FileError, open_table

    require(actor, "station.manage")
    rivers = {r.code: r.code for r in (await session.execute(select(River))).scalars()}
    rivers.update({r.name: r.code for r in (await session.execute(select(River))).scalars()})
    districts = {d.code: d.code for d in (await session.execute(select(District))).scalars()}
    districts.update({d.name: d.code for d in (await session.execute(select(District))).scalars()})
    report = SheetReport()
    try:
        table = open_table(path)
    except FileError as e:
        raise BadInput(str(e), field="file") from None
    with table:
        cols = {}
        for i, h in enumerate(table.headers):
            key = SHEET_HEADERS.get(str(h or "").strip().lower()) or SHEET_HEADERS.get(str(h or "").strip())
            if key:
                cols[key] = i
        for need in ("code", "name", "river_code", "district_code", "lat", "lon", "level", "target_class"):
            if need not in cols:
                raise BadInput(f"the sheet has no {need} column", field="file")
        rows = []
        for line, cells in table.rows:
            raw = {k: (cells[i] if i < len(cells) else None) for k, i in cols.items()}
            try:
                rows.append((line, _sheet_row(raw, rivers, districts)))
            except BadInput as e:
                report.errors.append((line, e.field or "", e.message))
    if report.errors:
        return report
    for line, data in rows:
        existing = (await session.execute(select(Station).where(col(Station.code) == data.code))).scalar_one_or_none()
        try:
            async with session.begin_nested():
                if existing is None:
                    await create_station(session=session, actor=actor, data=data)
                    report.created += 1
                else:
                    await update_station(session=session, actor=actor, station_id=pk(existing), data=data)
                    report.updated += 1
        except BadInput as e:
            report.errors.append((line, e.field or "", e.message))
    if report.errors:
        raise BadInput(f"line {report.errors[0][0]}: {report.errors[0][2]}", field=report.errors[0][1] or "file")
    return report


def _sheet_row(raw: dict, rivers: dict, districts: dict) -> StationInput:
    def num(k):
        try:
            return float(str(raw[k]).strip()) if raw.get(k) not in (None, "") else None
        except ValueError:
            raise BadInput(f"{k} {raw[k]!r} is not a number", field=_camel(k)) from None

    s = {k: (str(v).strip() if v is not None else None) for k, v in raw.items()}
    level = LEVEL_ZH.get(s.get("level") or "", (s.get("level") or "").upper())
    river = rivers.get(s.get("river_code") or "")
    if river is None:
        raise BadInput(f"unknown river {s.get('river_code')!r}", field="riverCode")
    district = districts.get(s.get("district_code") or "")
    if district is None:
        raise BadInput(f"unknown district {s.get('district_code')!r}", field="districtCode")
    return StationInput(code=s.get("code"), name=s.get("name"), river_code=river, district_code=district,
                        lat=num("lat"), lon=num("lon"), level=level, target_class=(s.get("target_class") or "").upper(),
                        water_body=(s.get("water_body") or "RIVER").upper(), status=(s.get("status") or None),
                        river_km=num("river_km"))


async def episodes(*, session: AsyncSession, station_id: int, first: int = 20) -> list:
    from server.domain.stations.models import StationEpisode

    return list((await session.execute(select(StationEpisode).where(col(StationEpisode.station_id) == station_id)
                                       .order_by(col(StationEpisode.started_at).desc()).limit(first))).scalars())


async def station_counts(*, session: AsyncSession, actor: Actor, by: str) -> dict[str, tuple[int, int]]:
    """ACTIVE stations and those off target now, per river or district code (for outfallStats)."""
    from sqlalchemy import case, func

    require(actor, "station.read")
    key = col(Station.river_code) if by == "RIVER" else col(Station.district_code)
    q = (select(key, func.count(), func.sum(case((col(Station.open_episode_id).is_not(None), 1), else_=0)))
         .where(col(Station.status) == "ACTIVE").group_by(key))
    return {k: (n, int(off or 0)) for k, n, off in (await session.execute(q)).all()}
