"""Recording and reading patrols; idempotent on the phone's clientId."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.actor import Actor
from server.domain.errors import BadInput, Forbidden
from server.domain.geo.distance import check_in_chongqing, haversine_m
from server.domain.idempotency import check_replay, normalise_client_id, payload_hash
from server.domain.pagination import check_first, decode_cursor, encode_cursor
from server.domain.patrols.models import Patrol
from server.domain.permissions import can, require
from server.domain.sqltypes import utcnow

MAX_POINTS = 20_000  # one fix every 5 s for 24 h is 17,280
MAX_DURATION = timedelta(hours=24)
CLOCK_SLACK = timedelta(minutes=10)


@dataclass
class TrackPoint:
    lat: float
    lon: float
    at: datetime
    accuracy_m: float | None = None


def _check_track(track: list[TrackPoint], started_at: datetime, ended_at: datetime) -> None:
    for name, t in (("startedAt", started_at), ("endedAt", ended_at)):
        if t.tzinfo is None:
            raise BadInput(f"{name} needs a UTC offset", field=name)
    if ended_at < started_at:
        raise BadInput("endedAt is before startedAt", field="endedAt")
    if ended_at - started_at > MAX_DURATION:
        raise BadInput("a patrol lasts at most 24 hours", field="endedAt")
    if ended_at > utcnow() + CLOCK_SLACK:
        raise BadInput("endedAt is in the future", field="endedAt")
    if started_at < utcnow() - timedelta(days=60):
        raise BadInput("startedAt is more than 60 days ago", field="startedAt")
    if not track:
        raise BadInput("track needs at least one point", field="track")
    if len(track) > MAX_POINTS:
        raise BadInput(f"track has {len(track)} points; at most {MAX_POINTS}", field="track")
    prev = None
    for i, p in enumerate(track):
        f = f"track[{i}]"
        check_in_chongqing(p.lat, p.lon, field=f)
        if p.accuracy_m is not None and not (0 <= p.accuracy_m <= 10_000):
            raise BadInput(f"{f}.accuracyM must be between 0 and 10000 metres", field=f"{f}.accuracyM")
        if p.at.tzinfo is None:
            raise BadInput(f"{f}.at needs a UTC offset", field=f"{f}.at")
        if not (started_at - CLOCK_SLACK <= p.at <= ended_at + CLOCK_SLACK):
            raise BadInput(f"{f}.at is outside the patrol's startedAt..endedAt", field=f"{f}.at")
        if prev is not None and p.at < prev:
            raise BadInput(f"{f}.at is earlier than the point before it", field=f"{f}.at")
        prev = p.at


def track_length_m(track: list[TrackPoint]) -> float:
    return sum(haversine_m(a.lat, a.lon, b.lat, b.lon) for a, b in zip(track, track[1:]))


async def record_patrol(*, session: AsyncSession, actor: Actor, client_id, started_at: datetime,
                        ended_at: datetime, track: list[TrackPoint], note: str | None = None,
                        mocked_location: bool = False) -> Patrol:
    """Store a finished patrol; a replay of the clientId returns the first record."""
    client_id = normalise_client_id(client_id)
    require(actor, "patrol.create")
    h = payload_hash(dict(started_at=started_at, ended_at=ended_at, note=note, mocked=bool(mocked_location),
                          track=[[p.lat, p.lon, p.accuracy_m, p.at.isoformat()] for p in track]))
    existing = (await session.execute(select(Patrol).where(Patrol.client_id == client_id))).scalar_one_or_none()
    if existing is not None:
        if existing.inspector_id != actor.user_id:
            raise Forbidden("clientId belongs to another user's patrol")
        return check_replay(existing, h, "patrol")
    _check_track(track, started_at, ended_at)
    if note is not None and len(note) > 2000:
        raise BadInput("note is longer than 2000 characters", field="note")
    district = actor.district_code
    if district is None:
        district = await _district_near(session, track[0])
    p = Patrol(client_id=client_id, request_hash=h, inspector_id=actor.user_id, district_code=district,
               started_at=started_at, ended_at=ended_at, distance_m=round(track_length_m(track), 1),
               duration_s=int((ended_at - started_at).total_seconds()), point_count=len(track),
               track=json.dumps([[t.lat, t.lon, t.accuracy_m, t.at.timestamp()] for t in track],
                                separators=(",", ":")),
               mocked_location=bool(mocked_location), note=note)
    try:  # add inside the savepoint: begin_nested() autoflushes pending objects outside it
        async with session.begin_nested():
            session.add(p)
            await session.flush()
    except IntegrityError:  # a concurrent replay won the race on client_id
        existing = (await session.execute(select(Patrol).where(Patrol.client_id == client_id))).scalar_one()
        return check_replay(existing, h, "patrol")
    return p


async def _district_near(session: AsyncSession, p: TrackPoint) -> str | None:
    # No district polygons here: the district of the nearest registered outfall within 5 km.
    from server.domain.geo.distance import bbox_around
    from server.domain.outfalls.models import Outfall

    s, w, n, e = bbox_around(p.lat, p.lon, 5_000)
    rows = (await session.execute(select(Outfall.district_code, Outfall.lat, Outfall.lon)
                                  .where(Outfall.lat.between(s, n), Outfall.lon.between(w, e)))).all()
    best = min(rows, key=lambda r: haversine_m(p.lat, p.lon, r[1], r[2]), default=None)
    return best[0] if best and haversine_m(p.lat, p.lon, best[1], best[2]) <= 5_000 else None


def decode_track(p: Patrol) -> list[TrackPoint]:
    from datetime import timezone

    return [TrackPoint(lat=a, lon=o, accuracy_m=acc, at=datetime.fromtimestamp(t, timezone.utc))
            for a, o, acc, t in json.loads(p.track)]


async def get_patrol(*, session: AsyncSession, actor: Actor, patrol_id: int) -> Patrol | None:
    p = await session.get(Patrol, patrol_id)
    if p is None:
        return None
    require(actor, "outfall.read")  # signed in
    if p.inspector_id != actor.user_id:
        require(actor, "patrol.read", p.district_code)
    return p


async def list_patrols(*, session: AsyncSession, actor: Actor, first: int | None, after: str | None, cap: int,
                       district_code: str | None = None, mine: bool = False) -> tuple[list[Patrol], list[str], bool]:
    """Newest first; district roles see their own district's patrols (and their own anywhere)."""
    require(actor, "outfall.read")  # signed in; what is visible is narrowed below
    first = check_first(first, cap)
    stmt = select(Patrol)
    if mine:
        stmt = stmt.where(Patrol.inspector_id == actor.user_id)
    elif not can(actor, "patrol.read", None):  # district-scoped role
        if district_code and district_code != actor.district_code:
            raise Forbidden(f"role {actor.role} may not read patrols in district {district_code}")
        stmt = stmt.where((Patrol.district_code == actor.district_code) | (Patrol.inspector_id == actor.user_id))
    elif district_code:
        stmt = stmt.where(Patrol.district_code == district_code)
    after_id = decode_cursor(after, "p")
    if after_id is not None:
        stmt = stmt.where(Patrol.id < after_id)
    rows = list((await session.execute(stmt.order_by(Patrol.id.desc()).limit(first + 1))).scalars())
    return rows[:first], [encode_cursor("p", r.id) for r in rows[:first]], len(rows) > first
