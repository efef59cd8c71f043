"""Recording and reading patrols; idempotent on the phone's clientId."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, Forbidden
from server.domain.geo.distance import check_in_chongqing, haversine_m
from server.domain.idempotency import find_replay, insert_once, normalise_client_id, payload_hash
from server.domain.outfalls.service import district_near
from server.domain.pagination import Order, Page, page
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
    def mine(p: Patrol) -> bool:  # a patrol's replay is its patroller's own
        return p.inspector_id == actor.user_id

    existing = await find_replay(session, Patrol, client_id, h, "patrol", may_see=mine)
    if existing is not None:
        return existing
    _check_track(track, started_at, ended_at)
    if note is not None and len(note) > 2000:
        raise BadInput("note is longer than 2000 characters", field="note")
    district = actor.district_code
    if district is None:
        district = await district_near(session, track[0].lat, track[0].lon)
    p = Patrol(client_id=client_id, request_hash=h, inspector_id=actor.user_id, district_code=district,
               started_at=started_at, ended_at=ended_at, distance_m=round(track_length_m(track), 1),
               duration_s=int((ended_at - started_at).total_seconds()), point_count=len(track),
               track=json.dumps([[t.lat, t.lon, t.accuracy_m, t.at.timestamp()] for t in track],
                                separators=(",", ":")),
               mocked_location=bool(mocked_location), note=note)
    return (await insert_once(session, p, "patrol", may_see=mine))[0]


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


PATROL_ORDER = Order.of("p", col(Patrol.id), desc=True)


async def list_patrols(*, session: AsyncSession, actor: Actor, first: int | None, after: str | None, cap: int,
                       district_code: str | None = None, mine: bool = False, last: int | None = None,
                       before: str | None = None, updated_since: datetime | None = None) -> Page[Patrol]:
    """Newest first; district roles see their own district's patrols (and their own anywhere)."""
    require(actor, "outfall.read")  # signed in; what is visible is narrowed below
    stmt = select(Patrol)
    if mine:
        stmt = stmt.where(col(Patrol.inspector_id) == actor.user_id)
    elif not can(actor, "patrol.read", None):  # district-scoped role
        if district_code and district_code != actor.district_code:
            raise Forbidden(f"role {actor.role} may not read patrols in district {district_code}")
        stmt = stmt.where((col(Patrol.district_code) == actor.district_code) | (col(Patrol.inspector_id) == actor.user_id))
    elif district_code:
        stmt = stmt.where(col(Patrol.district_code) == district_code)
    if updated_since is not None:
        stmt = stmt.where(col(Patrol.updated_at) >= updated_since)
    return await page(session, stmt, PATROL_ORDER, first=first, after=after, last=last, before=before, cap=cap)
