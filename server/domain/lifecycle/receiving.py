"""Receiving water (受纳水体) as reference data: the reach an outfall discharges into is derived from where
it is (the nearest reference river course, lifecycle.json receiving_waters), with that reach's water
function zone and target class; protected zones are entered by supervisors with their source. Only a
supervisor changes an outfall's receiving water. A new outfall where the rules forbid one (GB 8978: class
I/II waters, protected zones) is flagged at registration."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, NotFound
from server.domain.geo.distance import bbox_around, check_in_chongqing, haversine_m
from server.domain.lifecycle.models import ZONE_KINDS, ProtectedZone
from server.domain.lifecycle.rules import reach_max_distance_m, reaches
from server.domain.outfalls.models import WATER_CLASSES, Outfall
from server.domain.permissions import require
from server.domain.sqltypes import utcnow
from server.domain.standards.applicable import new_outfall_prohibited, river_target
from server.domain.tracing.network import network

MAX_ZONE_RADIUS_M = 50_000.0


@dataclass
class ReceivingWater:
    reach: dict | None
    derived: bool  # from the location (False: a supervisor chose it)
    distance_m: float | None
    target_class: str | None
    target_basis: str  # OUTFALL (a supervisor's class), REACH, or NONE
    zones: list[ProtectedZone] = field(default_factory=list)
    new_outfall_prohibited: str | None = None


def derive_reach(lat: float, lon: float, river: str | None) -> tuple[dict | None, float | None]:
    """The reference reach of `river` at the point's place along its course (within the configured
    distance of it), and how far the point is from the course."""
    net = network()
    if river not in net.courses:
        return None, None
    km, d = net.project(river, lat, lon)
    if d > reach_max_distance_m():
        return None, d
    for r in reaches().values():
        if r["river"] == river and (r["km_from"] is None or km >= r["km_from"]) and (
                r["km_to"] is None or km <= r["km_to"]):
            return r, d
    return None, d


async def zones_at(session: AsyncSession, lat: float, lon: float) -> list[ProtectedZone]:
    return (await zones_near(session, [(lat, lon)]))[0]


async def zones_near(session: AsyncSession, points: list[tuple[float, float]]) -> list[list[ProtectedZone]]:
    """The protected zones around each point, in one query for all of them: the zones in the box that holds
    every point's search box, then each point's own by distance (zones are few; outfalls on a page many)."""
    if not points:
        return []
    boxes = [bbox_around(lat, lon, MAX_ZONE_RADIUS_M) for lat, lon in points]
    s, w = min(b[0] for b in boxes), min(b[1] for b in boxes)
    n, e = max(b[2] for b in boxes), max(b[3] for b in boxes)
    rows = list((await session.execute(select(ProtectedZone).where(
        col(ProtectedZone.lat).between(s, n), col(ProtectedZone.lon).between(w, e))
        .order_by(col(ProtectedZone.id)))).scalars())
    return [[z for z in rows if haversine_m(lat, lon, z.lat, z.lon) <= z.radius_m] for lat, lon in points]


def reach_of(o: Outfall) -> dict | None:
    """The supervisor's reach, else the one derived from the location."""
    if o.receiving_reach and o.receiving_reach in reaches():
        return reaches()[o.receiving_reach]
    return derive_reach(o.lat, o.lon, o.river_code)[0]


async def receiving_water(session: AsyncSession, o: Outfall) -> ReceivingWater:
    return receiving_water_with(o, await zones_at(session, o.lat, o.lon))


def receiving_water_with(o: Outfall, zones: list[ProtectedZone]) -> ReceivingWater:
    """The receiving water of `o`, given the protected zones at its place (zones_near batches them)."""
    reach: dict | None
    if o.receiving_reach and o.receiving_reach in reaches():
        reach, derived, dist = reaches()[o.receiving_reach], False, None
    else:
        (reach, dist), derived = derive_reach(o.lat, o.lon, o.river_code), True
    target = o.water_class or (reach or {}).get("target_class")
    basis = "OUTFALL" if o.water_class else ("REACH" if target else "NONE")
    if target is None:
        target = river_target(o.river_code)
        basis = "REACH" if target else "NONE"
    return ReceivingWater(reach, derived, dist, target, basis, zones,
                          new_outfall_prohibited(target, [z.kind for z in zones]))


async def siting_flag(session: AsyncSession, lat: float, lon: float, water_class: str | None,
                      river_code: str | None) -> str | None:
    """Why the rules forbid a new outfall here, or None (GB 8978 §4.1; lifecycle.json new_outfall_prohibited)."""
    reach, _ = derive_reach(lat, lon, river_code)
    target = water_class or (reach or {}).get("target_class") or river_target(river_code)
    zones = await zones_at(session, lat, lon)
    why = new_outfall_prohibited(target, [z.kind for z in zones])
    if why and zones:
        why = f"{why}：{'、'.join(z.name for z in zones)}"[:200]
    return why


async def set_receiving_water(*, session: AsyncSession, actor: Actor, outfall_id: int, reach_key: str | None,
                              water_class: str | None) -> Outfall:
    """A supervisor's choice of reach (None: derive from the location again) and class (None: the reach's)."""
    o = await session.get(Outfall, outfall_id, with_for_update=True)
    if o is None:
        raise NotFound(f"no outfall with id {outfall_id}")
    require(actor, "outfall.decide", o.district_code)
    if reach_key is not None and reach_key not in reaches():
        raise BadInput(f"reachKey {reach_key!r} is not a reference reach", field="reachKey")
    if water_class is not None and water_class not in WATER_CLASSES:
        raise BadInput(f"waterClass must be one of {', '.join(WATER_CLASSES)}", field="waterClass")
    o.receiving_reach, o.water_class = reach_key, water_class
    if reach_key is not None:
        o.river_code = reaches()[reach_key]["river"]
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return o


async def record_zone(*, session: AsyncSession, actor: Actor, name: str, kind: str, lat: float, lon: float,
                      radius_m: float, source: str) -> ProtectedZone:
    require(actor, "zone.manage")
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise BadInput("name must be 1-100 characters", field="name")
    if kind not in ZONE_KINDS:
        raise BadInput(f"kind must be one of {', '.join(ZONE_KINDS)}", field="kind")
    check_in_chongqing(lat, lon, field="center")
    if not (math.isfinite(radius_m) and 0 < radius_m <= MAX_ZONE_RADIUS_M):
        raise BadInput(f"radiusM must be in (0, {MAX_ZONE_RADIUS_M:.0f}]", field="radiusM")
    source = (source or "").strip()
    if not 1 <= len(source) <= 300:
        raise BadInput("source is required (the published plan that draws the zone), at most 300 characters",
                       field="source")
    if (await session.execute(select(col(ProtectedZone.id)).where(col(ProtectedZone.name) == name))).first():
        raise BadInput(f"a zone named {name!r} exists", field="name")
    z = ProtectedZone(name=name, kind=kind, lat=lat, lon=lon, radius_m=radius_m, source=source,
                      created_by_id=actor.user_id)
    session.add(z)
    await session.flush()
    return z


async def list_zones(*, session: AsyncSession, actor: Actor) -> list[ProtectedZone]:
    require(actor, "outfall.read")
    return list((await session.execute(select(ProtectedZone).order_by(col(ProtectedZone.id)))).scalars())
