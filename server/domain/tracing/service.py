"""溯: the outfalls upstream of a station, ranked by a documented suspicion score (stations.json suspicion);
tasks for the top suspects in one step; 河段贡献 between two stations on one river.

Outfalls are placed on their river by projecting their location onto its course (outfall_river_positions).
The positions are brought up to date whenever the register's data version (bumped by trigger on every
outfall write) has moved since this process last looked, so a query never ranks a moved outfall by its
old place, and a query on an unchanged register does no placing at all.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.db import Sessions
from server.domain.actor import Actor
from server.domain.data_version import current as data_version
from server.domain.errors import BadInput, Forbidden, NotFound
from server.domain.inspections.models import Inspection, Measurement
from server.domain.outfalls.models import Outfall
from server.domain.permissions import require
from server.domain.sqltypes import pk, utcnow
from server.domain.stations.models import OutfallRiverPosition, Station
from server.domain.stations.params import BY_KEY, rules
from server.domain.stations.series import daily_values
from server.domain.tasks.models import OPEN_STATES, Task
from server.domain.tracing.network import Reach, network

MAX_KM = 200.0
_synced: dict[str, int] = {}  # database url -> data version the positions were last brought up to


async def sync_positions(db: Sessions) -> int:
    """Place outfalls that are new, moved or re-assigned to another river, in its own transaction; returns
    how many. Callers run it before a query that reads positions."""
    async with db.transaction() as session:
        n, v = await _sync(session, db.url)
    if v is not None:  # committed: these positions reflect the register as of version v
        _synced[db.url] = v
    return n


async def _sync(session: AsyncSession, url: str) -> tuple[int, int | None]:
    v = await data_version(session)
    if v is not None and _synced.get(url) == v:
        return 0, v
    net = network()
    P = OutfallRiverPosition
    stale = select(col(Outfall.id), col(Outfall.river_code), col(Outfall.lat), col(Outfall.lon)).outerjoin(
        P, col(P.outfall_id) == col(Outfall.id)).where(or_(col(P.outfall_id).is_(None), col(P.lat) != col(Outfall.lat), col(P.lon) != col(Outfall.lon),
                                                 col(P.river_code) != col(Outfall.river_code)))
    rows = (await session.execute(stale)).all()
    if rows:
        ids = [r[0] for r in rows]
        for k in range(0, len(ids), 5000):
            await session.execute(delete(P).where(col(P.outfall_id).in_(ids[k:k + 5000])))
        new = []
        for oid, river, lat, lon in rows:
            if river in net.courses:
                new.append({"outfall_id": oid, "river_code": river, "river_km": round(net.project(river, lat, lon)[0], 4),
                            "lat": lat, "lon": lon})
        for k in range(0, len(new), 5000):
            await session.execute(insert(P), new[k:k + 5000])
    return len(rows), v


@dataclass
class Suspect:
    outfall: Outfall
    river_code: str
    river_km: float
    distance_km: float
    via: tuple[str, ...]
    score: float
    factors: dict[str, float]
    latest_test: dict | None  # {parameter, value, unit, exceeded, observedAt}
    open_tasks: int


@dataclass
class TraceResult:
    station: Station
    parameter: str
    max_km: float
    tributaries: bool
    reaches: list[Reach]
    total: int
    suspects: list[Suspect] = field(default_factory=list)
    score_note: str = ""


def _cfg() -> dict:
    return rules()["suspicion"]


def _in_reaches(reaches: list[Reach]):
    """Positions within the reaches: one (river_code, river_km) range per reach on the index."""
    P = OutfallRiverPosition
    return or_(*[and_(col(P.river_code) == r.river_code, col(P.river_km) >= r.km_lo, col(P.river_km) <= r.km_hi) for r in reaches])


async def _latest_tests(session, reaches: list[Reach], parameter: str) -> dict[int, dict]:
    """The latest rapid test of `parameter` of each outfall placed within the reaches (one query, joined on
    the positions' range rather than a list of every candidate's id)."""
    P = OutfallRiverPosition
    q = (select(col(Inspection.outfall_id), col(Inspection.observed_at), col(Measurement.value), col(Measurement.unit),
                col(Measurement.exceeded), col(Measurement.limit))
         .join(Measurement, col(Measurement.inspection_id) == col(Inspection.id))
         .join(P, col(P.outfall_id) == col(Inspection.outfall_id))
         .where(_in_reaches(reaches), col(Measurement.parameter) == parameter)
         .order_by(col(Inspection.outfall_id), col(Inspection.observed_at)))
    out: dict[int, dict] = {}
    for oid, at, value, unit, exceeded, lim in (await session.execute(q)).all():
        out[oid] = {"parameter": parameter, "value": value, "unit": unit, "exceeded": bool(exceeded),
                    "limit": lim, "observedAt": at}
    return out


async def _open_tasks(session, reaches: list[Reach]) -> dict[int, int]:
    P = OutfallRiverPosition
    q = (select(col(Task.outfall_id), func.count()).join(P, col(P.outfall_id) == col(Task.outfall_id))
         .where(_in_reaches(reaches), col(Task.status).in_(OPEN_STATES)).group_by(col(Task.outfall_id)))
    return dict((await session.execute(q)).all())


@dataclass
class _Ranked:
    outfall_id: int
    river_code: str
    river_km: float
    distance_km: float
    via: tuple[str, ...]
    score: float
    factors: dict[str, float]
    latest_test: dict | None
    open_tasks: int


async def _rank(session: AsyncSession, station: Station, parameter: str, max_km: float,
                tributaries: bool) -> tuple[list[Reach], list[_Lazy]]:
    """Every ACTIVE outfall within the reaches upstream, scored and best first.

    Three indexed range queries over (river_code, river_km), whatever the register's size: the candidates as
    plain (id, river, km, category) rows, and the rapid tests and open tasks of outfalls in the same ranges.
    The score is then a sum over a few thousand tuples at most; full outfall rows are read by the caller
    only for the page it returns."""
    net = network()
    if station.river_code not in net.courses or station.river_km is None:
        raise BadInput(f"station {station.code} is not placed on a river course", field="stationId")
    reaches = net.upstream(station.river_code, station.river_km, max_km, tributaries=tributaries)
    P = OutfallRiverPosition
    rows = (await session.execute(select(col(P.outfall_id), col(P.river_code), col(P.river_km), col(Outfall.category))
                                  .join(Outfall, col(Outfall.id) == col(P.outfall_id))
                                  .where(_in_reaches(reaches), col(Outfall.status) == "ACTIVE"))).all()
    by_river = {r.river_code: r for r in reaches}
    cfg = _cfg()
    w, tf = cfg["weights"], cfg["test_factor"]
    cat = cfg["category"].get(parameter, cfg["category"]["_default"])
    test_param = cfg["rapid_test_parameter"].get(parameter)
    tests = await _latest_tests(session, reaches, test_param) if test_param and rows else {}
    opens = await _open_tasks(session, reaches) if rows else {}
    # Ranked on plain tuples; the factor dicts are built for the page only (a 50 km trace with tributaries
    # through the city centre has thousands of candidates).
    wd, wt, wc, wo = w["distance"], w["test"], w["category"], w["open_task"]
    untested, exceeded, within = tf["untested"], tf["exceeded"], tf["within"]
    keyed = []
    for oid, river, km, category in rows:
        reach = by_river[river]
        d = reach.base_km + (reach.km_hi - km)
        t = tests.get(oid)
        score = (wd * max(0.0, 1 - d / max_km) + wt * (untested if t is None else exceeded if t["exceeded"] else within)
                 + wc * cat.get(category, 0.5) + wo * (1.0 if oid in opens else 0.0))
        keyed.append((-round(score, 4), d, oid, river, km, category))
    keyed.sort()
    return reaches, [_Lazy(k, by_river, max_km, cat, tf, tests, opens) for k in keyed]


class _Lazy:
    """A ranked candidate whose factors are spelled out only when read."""

    __slots__ = ("key", "ctx")

    def __init__(self, key, by_river, max_km, cat, tf, tests, opens):
        self.key, self.ctx = key, (by_river, max_km, cat, tf, tests, opens)

    @property
    def outfall_id(self) -> int:
        return self.key[2]

    def full(self) -> _Ranked:
        neg, d, oid, river, km, category = self.key
        by_river, max_km, cat, tf, tests, opens = self.ctx
        t = tests.get(oid)
        factors = {
            "distance": max(0.0, 1 - d / max_km),
            "test": tf["untested"] if t is None else (tf["exceeded"] if t["exceeded"] else tf["within"]),
            "category": cat.get(category, 0.5),
            "open_task": 1.0 if oid in opens else 0.0,
        }
        return _Ranked(oid, river, km, d, by_river[river].via, -neg, factors, t, opens.get(oid, 0))


async def _outfalls(session, ids: list[int]) -> dict[int, Outfall]:
    return {o.id: o for o in (await session.execute(select(Outfall).where(col(Outfall.id).in_(ids)))).scalars()} \
        if ids else {}


async def upstream_suspects(*, session: AsyncSession, actor: Actor, station: Station, parameter: str,
                            max_km: float = 20.0, tributaries: bool = False, first: int | None = 20) -> TraceResult:
    """ACTIVE outfalls within `max_km` upstream of the station (never downstream), best suspects first."""
    require(actor, "tracing.read")
    if parameter not in BY_KEY:
        raise BadInput(f"unknown parameter {parameter!r}", field="parameter")
    if not 0 < max_km <= MAX_KM:
        raise BadInput(f"maxKm must be in (0, {MAX_KM:g}]", field="maxKm")
    if first is not None and not 1 <= first <= 500:
        raise BadInput("first must be 1-500", field="first")
    reaches, ranked = await _rank(session, station, parameter, max_km, tributaries)
    page = [r.full() for r in (ranked[:first] if first else ranked)]
    rows = await _outfalls(session, [r.outfall_id for r in page])
    suspects = [Suspect(rows[r.outfall_id], r.river_code, r.river_km, r.distance_km, r.via, r.score, r.factors,
                        r.latest_test, r.open_tasks) for r in page]
    return TraceResult(station, parameter, max_km, tributaries, reaches, len(ranked), suspects, _cfg()["note"])


async def raise_suspect_tasks(*, session: AsyncSession, actor: Actor, settings, station: Station, parameter: str,
                              outfall_ids: list[int], client_id, max_km: float = 50.0,
                              tributaries: bool = True) -> list[Task]:
    """One tracing task per chosen suspect (upstream of the station), in one step; a replay of the clientId
    returns the same tasks. An outfall that already has an open EXCEEDANCE task keeps it (returned)."""
    from server.domain.tasks.service import create_task, may_see_task

    require(actor, "tracing.raise")
    if not outfall_ids:
        raise BadInput("choose at least one outfall", field="outfallIds")
    if len(outfall_ids) > 50:
        raise BadInput("at most 50 outfalls in one step", field="outfallIds")
    try:
        base = uuid.UUID(str(client_id))
    except ValueError:
        raise BadInput("clientId must be a UUID", field="clientId") from None
    if parameter not in BY_KEY:
        raise BadInput(f"unknown parameter {parameter!r}", field="parameter")
    if not 0 < max_km <= MAX_KM:
        raise BadInput(f"maxKm must be in (0, {MAX_KM:g}]", field="maxKm")
    _, ranked = await _rank(session, station, parameter, max_km, tributaries)
    upstream = {r.outfall_id: r for r in ranked}
    missing = [i for i in outfall_ids if i not in upstream]
    if missing:
        raise BadInput(f"outfall {missing[0]} is not within {max_km:g} km upstream of {station.code}",
                       field="outfallIds")
    chosen = await _outfalls(session, list(dict.fromkeys(outfall_ids)))
    p = BY_KEY[parameter]
    out = []
    for oid in dict.fromkeys(outfall_ids):
        s, outfall = upstream[oid].full(), chosen[oid]
        existing = (await session.execute(select(Task).where(
            col(Task.outfall_id) == oid, col(Task.kind) == "EXCEEDANCE", col(Task.status).in_(OPEN_STATES)))).scalars().first()
        cid = uuid.uuid5(base, str(oid))
        replay = (await session.execute(select(Task).where(col(Task.client_id) == str(cid)))).scalar_one_or_none()
        if replay is not None and not may_see_task(actor)(replay):
            raise Forbidden("clientId belongs to a task you may not see", field="clientId")
        found = replay if replay is not None else existing  # this step's replay, or already being handled
        if found is not None:
            out.append(found)
            continue
        t = await create_task(
            session=session, actor=actor, settings=settings, client_id=cid, kind="EXCEEDANCE", source="STATION",
            title=f"溯源排查：{station.name}断面{p.name_zh}超标，上游{s.distance_km:.1f} km {outfall.name}"[:200],
            description=(f"自动站 {station.code}（{station.name}）{p.name_zh}劣于{station.target_class}类目标。"
                         f"该排口位于其上游 {s.distance_km:.1f} km（{' → '.join(s.via)}），嫌疑分 {s.score:.2f}。"
                         "请现场排查、快检并确定责任主体（确定后在排口登记责任单位即进入“溯”阶段）。"),
            district_code=outfall.district_code, outfall_id=oid,
            deadline=utcnow() + timedelta(days=settings.exceedance_deadline_days))
        if t.parameter is None:
            t.parameter = parameter
        out.append(t)
    return out


@dataclass
class ParameterChange:
    parameter: str
    upstream: float | None
    downstream: float | None
    change: float | None
    change_pct: float | None


@dataclass
class Reach_:
    upstream: Station
    downstream: Station
    length_km: float
    changes: list[ParameterChange]
    outfalls: list[tuple[Outfall, float, dict[str, dict]]]  # outfall, river-km, latest reading per parameter
    tributaries: list[str]


async def reach_contribution(*, session: AsyncSession, actor: Actor, upstream_id: int, downstream_id: int,
                             start: date, end: date) -> Reach_:
    """河段贡献: each parameter's change between two consecutive stations on one river over a period, and
    the outfalls in between with their latest rapid-test readings."""
    require(actor, "tracing.read")
    up, down = await session.get(Station, upstream_id), await session.get(Station, downstream_id)
    if up is None or down is None:
        raise NotFound("no such station")
    if up.river_code != down.river_code or up.river_km is None or down.river_km is None:
        raise BadInput("the two stations must be on the same river", field="downstreamStationId")
    if down.river_km <= up.river_km:
        raise BadInput(f"{down.code} is not downstream of {up.code}", field="downstreamStationId")
    between = (await session.execute(select(col(Station.code)).where(
        col(Station.river_code) == up.river_code, col(Station.river_km) > up.river_km, col(Station.river_km) < down.river_km,
        col(Station.status) == "ACTIVE"))).scalars().first()
    if between:
        raise BadInput(f"not consecutive: {between} lies between them", field="downstreamStationId")
    if end < start or (end - start).days > 400:
        raise BadInput("end must be on or after start, at most 400 days later", field="end")
    vals = await daily_values(session, [pk(up), pk(down)], start, end)

    def mean(sid, p):
        xs = [d[p] for d in vals.get(sid, {}).values() if p in d]
        return sum(xs) / len(xs) if xs else None

    changes = []
    for p in BY_KEY:
        a, b = mean(up.id, p), mean(down.id, p)
        ch = None if a is None or b is None else b - a
        changes.append(ParameterChange(p, a, b, ch, None if ch is None or not a else 100 * ch / a))
    P = OutfallRiverPosition
    rows = (await session.execute(select(Outfall, col(P.river_km)).join(P, col(P.outfall_id) == col(Outfall.id)).where(
        col(P.river_code) == up.river_code, col(P.river_km) > up.river_km, col(P.river_km) <= down.river_km,
        col(Outfall.status) == "ACTIVE").order_by(col(P.river_km)))).all()
    latest: dict[int, dict[str, dict]] = {}
    ids = [o.id for o, _ in rows]
    for k in range(0, len(ids), 1000):
        q = (select(col(Inspection.outfall_id), col(Inspection.observed_at), col(Measurement.parameter), col(Measurement.value),
                    col(Measurement.unit), col(Measurement.exceeded))
             .join(Measurement, col(Measurement.inspection_id) == col(Inspection.id))
             .where(col(Inspection.outfall_id).in_(ids[k:k + 1000])).order_by(col(Inspection.observed_at)))
        for oid, at, p, v, u, ex in (await session.execute(q)).all():
            latest.setdefault(oid, {})[p] = {"value": v, "unit": u, "exceeded": bool(ex), "observedAt": at}
    net = network()
    tribs = [t for t, at in net.confluences.get(up.river_code, []) if up.river_km < at <= down.river_km]
    return Reach_(up, down, down.river_km - up.river_km, changes, [(o, km, latest.get(pk(o), {})) for o, km in rows],
                  tribs)


def next_downstream_query(st: Station):
    return (select(Station).where(col(Station.river_code) == st.river_code, col(Station.river_km) > st.river_km,
                                  col(Station.status) == "ACTIVE").order_by(col(Station.river_km)).limit(1))


__all__ = ["upstream_suspects", "raise_suspect_tasks", "reach_contribution", "sync_positions"]
