"""Rules and transactions of the outfall register."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, overload

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from server.db import upsert
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput, Forbidden, InvalidState, NotFound
from server.domain.evidence import Site
from server.domain.geo.distance import bbox_around, check_in_chongqing, haversine_m
from server.domain.geo.crs import to_crs
from server.domain.geo.service import check_district, check_river
from server.domain.geo.models import District, River
from server.domain.inspections.models import Inspection, Measurement
from server.domain.idempotency import find_replay, insert_once, normalise_client_id, payload_hash
from server.domain.media import service as media
from server.domain.outfalls.labels import category_labels, phase_labels, STATUS_LABELS
from server.domain.outfalls.queries import OutfallFilter, outfall_query, validate_outfall_filter
from server.domain.outfalls.models import (CATEGORIES, PHASES, REMEDIATIONS, STATUSES, WATER_CLASSES,
                                           Outfall, OutfallCodeCounter)
from server.domain.pagination import Order, Page, check_first, decode_cursor, encode_cursor, page
from server.domain.permissions import can, require
from server.domain.text import check_text
from server.domain.sqltypes import utcnow
from server.domain.standards.applicable import initial_standard
from server.domain.lifecycle.receiving import siting_flag
from server.settings import Settings

@dataclass
class Point:
    lat: float
    lon: float
    accuracy_m: float | None = None


def check_point(p: Point, field_name: str = "location") -> None:
    check_in_chongqing(p.lat, p.lon, field=field_name)
    if p.accuracy_m is not None and not (0 <= p.accuracy_m <= 10_000):
        raise BadInput(f"{field_name}.accuracyM must be between 0 and 10000 metres", field=f"{field_name}.accuracyM")


@overload
def _text(value: str | None, field_name: str, max_len: int, *, required: Literal[True]) -> str: ...
@overload
def _text(value: str | None, field_name: str, max_len: int, *, required: bool = False) -> str | None: ...


def _text(value: str | None, field_name: str, max_len: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise BadInput(f"{field_name} is required", field=field_name)
        return None
    v = value.strip()
    if not v:
        if required:
            raise BadInput(f"{field_name} must not be empty", field=field_name)
        return None
    if len(v) > max_len:
        raise BadInput(f"{field_name} is {len(v)} characters; at most {max_len}", field=field_name)
    return check_text(v, field_name)  # the GraphQL layer checked already; the CLI and demo seed did not


@overload
def _one_of(value: str, allowed, field_name: str) -> str: ...
@overload
def _one_of(value: str | None, allowed, field_name: str) -> str | None: ...


def _one_of(value: str | None, allowed, field_name: str) -> str | None:
    if value is not None and value not in allowed:
        raise BadInput(f"{field_name} {value!r} is not one of {', '.join(allowed)}", field=field_name)
    return value


async def _check_refs(session: AsyncSession, river_code: str | None, district_code: str | None) -> None:
    await check_river(session, river_code)
    await check_district(session, district_code)


async def next_code(*, session: AsyncSession, district_code: str) -> str:
    """The district's next readable code, e.g. 500103-00042, under a row lock."""
    await session.execute(upsert(session, OutfallCodeCounter).values(district_code=district_code, last=0)
                          .on_conflict_do_nothing(index_elements=["district_code"]))
    last = (await session.execute(
        update(OutfallCodeCounter).where(col(OutfallCodeCounter.district_code) == district_code)
        .values(last=col(OutfallCodeCounter.last) + 1).returning(col(OutfallCodeCounter.last)))).scalar_one()
    return f"{district_code}-{last:05d}"


async def register_outfall(*, session: AsyncSession, actor: Actor, client_id, name: str, category: str,
                           river_code: str, district_code: str, location: Point, subtype: str | None = None,
                           water_class: str | None = None, responsible_unit: str | None = None,
                           signboard_installed: bool = False, media_ids: list[int] | None = None,
                           code: str | None = None, settings=None, suspected: bool = False,
                           gps_fix: Point | None = None) -> Outfall:
    """Register an outfall in SURVEYED phase; a replay of the same clientId returns the first one.

    `suspected`: found by remote sensing, UAV or a report and not yet seen on site (HJ 1232 level 1);
    otherwise it is registered on site, VERIFIED. Where the rules forbid a new outfall (class I/II
    receiving water, a protected zone) it is registered all the same, with `siting_flag` saying why.
    `location` is where the outfall is (the pin, maybe moved by hand); `gps_fix` the phone's GPS fix
    when it was registered, stored beside it."""
    client_id = normalise_client_id(client_id)
    payload = dict(name=name, category=category, river_code=river_code, district_code=district_code,
                   lat=location.lat, lon=location.lon, accuracy_m=location.accuracy_m, subtype=subtype,
                   water_class=water_class, responsible_unit=responsible_unit,
                   signboard_installed=bool(signboard_installed), media_ids=sorted(media_ids or []), code=code)
    if suspected:  # only when set, so the hashes of earlier requests still match
        payload["suspected"] = True
    if gps_fix is not None:  # only when given, so replays from phones that never sent one still match
        payload["gps_fix"] = [gps_fix.lat, gps_fix.lon, gps_fix.accuracy_m]
    h = payload_hash(payload)
    def may_see(o: Outfall) -> bool:
        return o.created_by_id == actor.user_id or can(actor, "outfall.read", o.district_code)

    existing = await find_replay(session, Outfall, client_id, h, "outfall", may_see=may_see)
    if existing is not None:
        return existing
    require(actor, "outfall.create", district_code)
    name = _text(name, "name", 100, required=True)
    _one_of(category, CATEGORIES, "category")
    _one_of(water_class, WATER_CLASSES, "waterClass")
    check_point(location)
    if gps_fix is not None:
        check_point(gps_fix, "gpsFix")
    await _check_refs(session, river_code, district_code)
    o = Outfall(
        code=code or await next_code(session=session, district_code=district_code),
        client_id=client_id, request_hash=h, name=name, category=category,
        subtype=_text(subtype, "subtype", 64), river_code=river_code, district_code=district_code,
        lat=location.lat, lon=location.lon, accuracy_m=location.accuracy_m, water_class=water_class,
        responsible_unit=_text(responsible_unit, "responsibleUnit", 200),
        signboard_installed=bool(signboard_installed), created_by_id=actor.user_id,
        discharge_standard=initial_standard(subtype),
        verification="SUSPECTED" if suspected else "VERIFIED",
        siting_flag=await siting_flag(session, location.lat, location.lon, water_class, river_code),
        gps_fix_lat=gps_fix.lat if gps_fix else None, gps_fix_lon=gps_fix.lon if gps_fix else None,
        gps_fix_accuracy_m=gps_fix.accuracy_m if gps_fix else None,
    )
    async def code_taken():  # the unique violation may be the official code's, not the clientId's
        if code and (await session.execute(select(col(Outfall.id)).where(col(Outfall.code) == code))).first():
            raise BadInput(f"outfall code {code!r} already exists", field="code") from None

    o, created = await insert_once(session, o, "outfall", may_see=may_see, on_conflict=code_taken)
    if not created:
        return o
    if media_ids:  # e.g. the signboard photo taken while registering
        await media.attach(session=session, actor=actor, media_ids=list(media_ids), owner_type="outfall",
                           owner_id=o.id, settings=settings or Settings(), site=Site(o.lat, o.lon, o.accuracy_m))
    return o


async def district_near(session: AsyncSession, lat: float, lon: float, radius_m: float = 5_000) -> str | None:
    """The district of the nearest registered outfall within `radius_m` (there are no district polygons)."""
    s, w, n, e = bbox_around(lat, lon, radius_m)
    rows = (await session.execute(select(col(Outfall.district_code), col(Outfall.lat), col(Outfall.lon))
                                  .where(col(Outfall.lat).between(s, n), col(Outfall.lon).between(w, e)))).all()
    best = min(rows, key=lambda r: haversine_m(lat, lon, r[1], r[2]), default=None)
    return best[0] if best and haversine_m(lat, lon, best[1], best[2]) <= radius_m else None


def advance_phase(o: Outfall, target: str) -> bool:
    """Move the 查测溯治 phase forward only; returns whether it moved."""
    if PHASES.index(target) > PHASES.index(o.phase):
        o.phase = target
        return True
    return False


# 溯 and 治 follow reviewed records (issue 19 items 3, 4), never a field edit.
PHASE_BY_RECORD = {"TRACED": "TRACED follows an approved tracing record (submitTracingRecord, reviewTracingRecord)",
                   "REMEDIATED": "REMEDIATED follows the city's acceptance of the outfall's remediation plan"}
UPDATABLE = ("name", "category", "subtype", "river_code", "water_class", "phase", "remediation", "status",
             "responsible_unit", "signboard_installed", "location")
# Changing these is a supervised decision (outfall.decide), not a field edit.
DECIDED = ("category", "subtype", "river_code", "water_class", "remediation", "status")
_CAMEL = {"river_code": "riverCode", "water_class": "waterClass"}


async def update_outfall(*, session: AsyncSession, actor: Actor, outfall_id: int, changes: dict) -> Outfall:
    """Apply the given fields (None = leave as is); the phase only moves forward."""
    o = await session.get(Outfall, outfall_id, with_for_update=True)
    if o is None:
        raise NotFound(f"no outfall with id {outfall_id}")
    require(actor, "outfall.update", o.district_code)
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise BadInput(f"cannot update {', '.join(sorted(unknown))}")
    c = {k: v for k, v in changes.items() if v is not None}
    decided = [k for k in DECIDED if k in c and c[k] != getattr(o, k)]
    if decided and not can(actor, "outfall.decide", o.district_code):
        names = ", ".join(_CAMEL.get(k, k) for k in decided)
        raise Forbidden(f"changing {names} is a supervised decision (SUPERVISOR or ADMIN); role {actor.role} may "
                        "only propose it", field=_CAMEL.get(decided[0], decided[0]))
    if "name" in c:
        o.name = _text(c["name"], "name", 100, required=True)
    if "category" in c:
        o.category = _one_of(c["category"], CATEGORIES, "category")
    if "subtype" in c:
        o.subtype = _text(c["subtype"], "subtype", 64)
    if "river_code" in c:
        await _check_refs(session, c["river_code"], None)
        o.river_code = c["river_code"]
    if "water_class" in c:
        o.water_class = _one_of(c["water_class"], WATER_CLASSES, "waterClass")
    if "remediation" in c:
        o.remediation = _one_of(c["remediation"], REMEDIATIONS, "remediation")
    if "status" in c:
        o.status = _one_of(c["status"], STATUSES, "status")
    if "signboard_installed" in c:
        o.signboard_installed = bool(c["signboard_installed"])
    if "location" in c:
        p: Point = c["location"]
        check_point(p)
        o.lat, o.lon, o.accuracy_m = p.lat, p.lon, p.accuracy_m
    if "responsible_unit" in c:
        # A note until a tracing record is approved; typing it no longer makes the outfall TRACED.
        o.responsible_unit = _text(c["responsible_unit"], "responsibleUnit", 200)
    if "phase" in c:
        target = _one_of(c["phase"], PHASES, "phase")
        if PHASES.index(target) < PHASES.index(o.phase):
            raise InvalidState(f"phase cannot move back from {o.phase} to {target}", field="phase")
        if target != o.phase and target in PHASE_BY_RECORD:
            raise InvalidState(PHASE_BY_RECORD[target], field="phase")
        advance_phase(o, target)
    o.updated_at = utcnow()
    o.version += 1
    await session.flush()
    return o


async def get_outfall(*, session: AsyncSession, actor: Actor, outfall_id: int | None = None,
                      code: str | None = None) -> Outfall | None:
    require(actor, "outfall.read")
    if outfall_id is None and code is None:
        raise BadInput("give `id` or `code`", field="id")
    stmt = select(Outfall)
    if outfall_id is not None:
        stmt = stmt.where(col(Outfall.id) == outfall_id)
    if code is not None:
        stmt = stmt.where(col(Outfall.code) == code)
    return (await session.execute(stmt)).scalar_one_or_none()


OUTFALL_ORDER = Order.of("o", col(Outfall.id))


async def list_outfalls(*, session: AsyncSession, actor: Actor, filter: OutfallFilter | None, first: int | None,
                        after: str | None, cap: int, want_total: bool = True, last: int | None = None,
                        before: str | None = None) -> Page:
    """A page of the register: id order, or nearest first when `near` is given."""
    require(actor, "outfall.read")
    f = filter or OutfallFilter()
    await validate_outfall_filter(session, f)
    if f.near:
        return await _near_page(session, f, f.near, check_first(first, cap), after)
    return await page(session, outfall_query(select(Outfall), f), OUTFALL_ORDER, first=first, after=after, last=last,
                      before=before, cap=cap, want_total=want_total)


async def _near_page(session: AsyncSession, f: OutfallFilter, near: tuple[float, float, float], first: int,
                     after: str | None) -> Page:
    """Nearest first; the cursor holds (distance, id), so it survives inserts and deletes like any other."""
    lat, lon, radius = near
    key = decode_cursor(after, "n", (float, int))
    cands = (await session.execute(outfall_query(select(col(Outfall.id), col(Outfall.lat), col(Outfall.lon)), f))).all()
    ranked = sorted((d, i) for i, la, lo in cands if (d := haversine_m(lat, lon, la, lo)) <= radius)
    total = len(ranked)
    if key is not None:
        ranked = [r for r in ranked if r > (key[0], key[1])]
    window = ranked[:first]
    by_id = {}
    if window:
        ids = [i for _, i in window]
        by_id = {o.id: o for o in (await session.execute(select(Outfall).where(col(Outfall.id).in_(ids)))).scalars()}
    items = [by_id[i] for _, i in window]
    return Page(items, [encode_cursor("n", [d, i]) for d, i in window], has_next=len(ranked) > first,
                has_previous=key is not None, total=total,
                extra={i: d for d, i in window})


GROUP_COLUMNS = {"RIVER": col(Outfall.river_code), "DISTRICT": col(Outfall.district_code), "CATEGORY": col(Outfall.category),
                 "PHASE": col(Outfall.phase), "STATUS": col(Outfall.status)}


async def outfall_stats(*, session: AsyncSession, actor: Actor, group_by: str,
                        filter: OutfallFilter | None) -> list[tuple[str, str, int]]:
    """(key, label, count) per group, largest first."""
    require(actor, "outfall.read")
    f = filter or OutfallFilter()
    await validate_outfall_filter(session, f)
    key = GROUP_COLUMNS[group_by]
    stmt = outfall_query(select(key, func.count()).select_from(Outfall), f).group_by(key)
    if f.near:
        # Distance is not SQL here: count the exact circle in Python.
        lat, lon, r = f.near
        pts = (await session.execute(outfall_query(select(key, col(Outfall.lat), col(Outfall.lon)), f))).all()
        counts: dict[str, int] = {}
        for k, la, lo in pts:
            if haversine_m(lat, lon, la, lo) <= r:
                counts[k] = counts.get(k, 0) + 1
        rows = list(counts.items())
    else:
        rows = [(k, n) for k, n in (await session.execute(stmt)).all()]
    labels = await _labels(session, group_by)
    return sorted(((k, labels.get(k, k), n) for k, n in rows), key=lambda t: (-t[2], t[0]))


async def _labels(session: AsyncSession, group_by: str) -> dict[str, str]:
    if group_by == "RIVER":
        return dict((await session.execute(select(col(River.code), col(River.name)))).all())
    if group_by == "DISTRICT":
        return dict((await session.execute(select(col(District.code), col(District.name)))).all())
    return {"CATEGORY": category_labels, "PHASE": phase_labels}.get(group_by, lambda: STATUS_LABELS)()



@dataclass
class PointColumns:
    """The register of a filter as parallel columns, id order: what an overview map draws."""
    ids: list[int]
    lats: list[float]
    lons: list[float]
    codes: list[str]
    phases: list[str]
    categories: list[str]
    district_codes: list[str]
    river_codes: list[str]
    exceeded: list[int] | None = None  # 1, 0, or -1 for no inspection the caller may see
    # The same two columns dictionary-encoded (an index into the keys): a tenth of the bytes.
    phase_keys: tuple[str, ...] = PHASES
    phase_index: list[int] = field(default_factory=list)
    district_keys: list[str] = field(default_factory=list)
    district_index: list[int] = field(default_factory=list)


# The newest inspection of each outfall of a filter, and whether any of its readings exceeded.
LATEST_INSPECTION = (select(col(Inspection.id), col(Inspection.outfall_id), col(Inspection.district_code),
                  func.row_number().over(partition_by=col(Inspection.outfall_id),
                                         order_by=(col(Inspection.observed_at).desc(), col(Inspection.id).desc()))
                  .label("rn"))
           .subquery())


async def outfall_points(*, session: AsyncSession, actor: Actor, filter: OutfallFilter | None,
                         crs: str = "WGS84", with_exceedance: bool = False) -> PointColumns:
    """Every outfall of `filter` in one read (the same filter and permission as list_outfalls), with
    coordinates in `crs` rounded to 1e-5° (~1 m, finer than a phone's fix). `exceeded` follows the latest-inspection rule of
    the API: a district role sees no other district's inspection, so such an outfall reads -1."""
    require(actor, "outfall.read")
    f = filter or OutfallFilter()
    await validate_outfall_filter(session, f)
    columns = select(col(Outfall.id), col(Outfall.lat), col(Outfall.lon), col(Outfall.code), col(Outfall.phase),
                     col(Outfall.category), col(Outfall.district_code), col(Outfall.river_code))
    rows = (await session.execute(outfall_query(columns, f).order_by(col(Outfall.id)))).all()
    if f.near:
        lat, lon, r = f.near
        rows = [x for x in rows if haversine_m(lat, lon, x[1], x[2]) <= r]
    out = PointColumns([], [], [], [], [], [], [], [])
    convert = None if crs == "WGS84" else (lambda la, lo: to_crs(la, lo, crs))
    for i, la, lo, code, phase, cat, dist, river in rows:
        if convert:
            la, lo = convert(la, lo)
        out.ids.append(i)
        out.lats.append(round(la, 5))
        out.lons.append(round(lo, 5))
        out.codes.append(code)
        out.phases.append(phase)
        out.categories.append(cat)
        out.district_codes.append(dist)
        out.river_codes.append(river)
    phase_at = {p: i for i, p in enumerate(PHASES)}
    out.phase_index = [phase_at[p] for p in out.phases]
    out.district_keys = sorted(set(out.district_codes))
    district_at = {d: i for i, d in enumerate(out.district_keys)}
    out.district_index = [district_at[d] for d in out.district_codes]
    if with_exceedance:
        out.exceeded = await _latest_exceeded(session, actor, f, out.ids)
    return out


async def _latest_exceeded(session: AsyncSession, actor: Actor, f: OutfallFilter, ids: list[int]) -> list[int]:
    exceeded = (select(col(Measurement.id)).where(col(Measurement.inspection_id) == LATEST_INSPECTION.c.id,
                                                  col(Measurement.exceeded))
                .exists())
    stmt = (select(LATEST_INSPECTION.c.outfall_id, LATEST_INSPECTION.c.district_code, exceeded)
            .where(LATEST_INSPECTION.c.rn == 1,
                   LATEST_INSPECTION.c.outfall_id.in_(outfall_query(select(col(Outfall.id)), f).scalar_subquery())))
    district_only = actor.role in ("INSPECTOR", "DISTRICT_OFFICER")
    found = {}
    for oid, dist, exc in (await session.execute(stmt)).all():
        if district_only and dist != actor.district_code:
            continue  # another district's inspection is not the caller's to see
        found[oid] = 1 if exc else 0
    return [found.get(i, -1) for i in ids]
