"""Ingesting 4-hourly readings: batch, idempotent per station + time + parameter, with quality flags.

A batch is a list of series (one station, one parameter, times and values), the shape a station
network's system exports. Each value lands in its slot's row; a replay changes nothing, a changed
value or flag for the same slot is a correction and is counted as updated. After the write, the
spike rule (stations.json quality_flags.SUSPECT) judges every value that now has both neighbours,
and the stations' alert state advances over the new slots.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.permissions import require
from server.domain.sqltypes import utcnow
from server.domain.stations.models import Station, readings
from server.domain.stations.params import BY_KEY, FLAGS, rules

SLOT = timedelta(hours=4)
MAX_VALUES = 100_000  # per request: a station-year of all nine parameters is 19,710
# Physically impossible (not merely implausible) values are refused; implausible ones are kept as SUSPECT.
IMPOSSIBLE_BELOW = {"WATER_TEMP": -5.0, "PH": 0.0}
IMPOSSIBLE_ABOVE = {"PH": 14.0, "WATER_TEMP": 60.0}


@dataclass
class Series:
    station_code: str
    parameter: str
    observed_at: list[datetime]
    values: list[float | None]
    flags: list[str] | None = None


@dataclass
class IngestResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    suspect: int = 0
    stations: list[int] = field(default_factory=list)


def slot_hours() -> int:
    return int(rules()["daily"]["slot_hours"])


def check_slot(t: datetime, field_name: str) -> datetime:
    if t.tzinfo is None:
        raise BadInput(f"{field_name}: {t.isoformat()} needs a UTC offset", field=field_name)
    u = t.astimezone(timezone.utc)
    if u.minute or u.second or u.microsecond or u.hour % slot_hours():
        raise BadInput(f"{field_name}: {t.isoformat()} is not on a {slot_hours()}-hour slot boundary "
                       "(00:00, 04:00, ... China time)", field=field_name)
    return u


def _check_value(param: str, v, i: int) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise BadInput(f"series[{i}] {param}: values must be finite numbers or null", field=f"series[{i}].values")
    lo = IMPOSSIBLE_BELOW.get(param, 0.0)
    hi = IMPOSSIBLE_ABOVE.get(param, math.inf)
    if not lo <= v <= hi:
        raise BadInput(f"series[{i}] {param}: value {v:g} is physically impossible", field=f"series[{i}].values")
    return float(v)


def _flag(param: str, v: float | None, given: str | None, i: int) -> tuple[float | None, str]:
    """(value, flag) as stored: the system's FAULT/SUSPECT/MISSING stand; VALID values outside the
    plausible range become SUSPECT; a null value is MISSING unless it is a FAULT."""
    if given is not None and given not in FLAGS:
        raise BadInput(f"series[{i}]: flag {given!r} is not one of {', '.join(FLAGS)}", field=f"series[{i}].flags")
    if given == "MISSING" or (v is None and given != "FAULT"):
        return None, "MISSING"
    if given in ("FAULT", "SUSPECT"):
        return v, given
    lo, hi = BY_KEY[param].plausible
    return v, ("VALID" if lo <= v <= hi else "SUSPECT")


def _insert(dialect: str):
    return pg_insert(readings) if dialect == "postgresql" else sqlite_insert(readings)


async def ingest(*, session: AsyncSession, actor: Actor | None, settings, series: list[Series],
                 now: datetime | None = None, evaluate_alerts: bool = True) -> IngestResult:
    """Write a batch of series in the caller's transaction; returns what changed."""
    from server.domain.stations import alerts

    if actor is not None:
        require(actor, "station.ingest")
    if not series:
        raise BadInput("series must not be empty", field="series")
    total = sum(len(s.values) for s in series)
    if total > MAX_VALUES:
        raise BadInput(f"a batch holds at most {MAX_VALUES} values; this one has {total}", field="series")
    codes = {s.station_code for s in series}
    stations = {st.code: st for st in (await session.execute(select(Station).where(col(Station.code).in_(codes)))).scalars()}
    # station id -> slot -> {column: (value, flag)}
    slots: dict[int, dict[datetime, dict[str, tuple[float | None, str]]]] = {}
    checked: dict[datetime, datetime] = {}  # the nine series of a station share their times: check each once
    for i, s in enumerate(series):
        st = stations.get(s.station_code)
        if st is None:
            raise BadInput(f"series[{i}]: no station with code {s.station_code!r}", field=f"series[{i}].stationCode")
        if s.parameter not in BY_KEY:
            raise BadInput(f"series[{i}]: unknown parameter {s.parameter!r}", field=f"series[{i}].parameter")
        if len(s.observed_at) != len(s.values) or (s.flags is not None and len(s.flags) != len(s.values)):
            raise BadInput(f"series[{i}]: observedAt, values and flags must have the same length",
                           field=f"series[{i}].values")
        column = BY_KEY[s.parameter].column
        per = slots.setdefault(st.id, {})
        for j, (t, v) in enumerate(zip(s.observed_at, s.values)):
            u = checked.get(t)
            t = checked[t] = u if u is not None else check_slot(t, f"series[{i}].observedAt[{j}]")
            v = _check_value(s.parameter, v, i)
            per.setdefault(t, {})[column] = _flag(s.parameter, v, s.flags[j] if s.flags else None, i)
    out = IngestResult(stations=sorted(slots))
    dialect = session.bind.dialect.name
    now = now or utcnow()
    for sid, per in slots.items():
        await _write_station(session, dialect, sid, per, now, out)
        out.suspect += await flag_spikes(session, sid, min(per), max(per), {c for v in per.values() for c in v})
    if evaluate_alerts:
        for sid in out.stations:
            await alerts.evaluate(session=session, settings=settings, station_id=sid, now=now)
    return out


async def _write_station(session, dialect, sid, per, now, out: IngestResult) -> None:
    cols = sorted({c for v in per.values() for c in v})
    lo, hi = min(per), max(per)
    existing: dict[datetime, dict[str, tuple]] = {}
    sel = select(readings.c.observed_at, *[readings.c[f"v_{c}"] for c in cols], *[readings.c[f"f_{c}"] for c in cols])
    for row in (await session.execute(sel.where(readings.c.station_id == sid, readings.c.observed_at >= lo,
                                                readings.c.observed_at <= hi))).all():
        existing[row[0]] = {c: (row[1 + k], row[1 + len(cols) + k]) for k, c in enumerate(cols)}
    # Group by the set of columns carried, so each statement updates exactly the parameters it was given.
    groups: dict[tuple[str, ...], list[dict]] = {}
    for t, vals in per.items():
        old = existing.get(t, {})
        changed = False
        for c, vf in vals.items():
            if t not in existing:
                out.inserted += 1
                changed = True
            elif old.get(c) == vf:
                out.unchanged += 1
            else:
                out.updated += 1
                changed = True
        if not changed:
            continue
        row = {"station_id": sid, "observed_at": t, "updated_at": now}
        for c, (v, f) in vals.items():
            row[f"v_{c}"], row[f"f_{c}"] = v, f
        groups.setdefault(tuple(sorted(vals)), []).append(row)
    for carried, rows in groups.items():
        if dialect == "postgresql":
            await _pg_upsert(session, carried, rows)
            continue
        stmt = _insert(dialect)
        set_ = {"updated_at": stmt.excluded.updated_at}
        for c in carried:
            set_[f"v_{c}"] = stmt.excluded[f"v_{c}"]
            set_[f"f_{c}"] = stmt.excluded[f"f_{c}"]
        stmt = stmt.on_conflict_do_update(index_elements=["station_id", "observed_at"], set_=set_)
        for k in range(0, len(rows), 5000):
            await session.execute(stmt, rows[k:k + 5000])


async def _pg_upsert(session, carried: tuple[str, ...], rows: list[dict]) -> None:
    """One INSERT ... SELECT FROM unnest(arrays) per chunk: a station-year in one round trip, not 2,190 rows
    of bound parameters."""
    cols = ["station_id", "observed_at", "updated_at"] + [f"{k}_{c}" for c in carried for k in ("v", "f")]
    types = {"station_id": "int[]", "observed_at": "timestamptz[]", "updated_at": "timestamptz[]"}
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols[2:])
    sel = ", ".join(f"CAST(:{c} AS {types.get(c, 'float8[]' if c.startswith('v_') else 'text[]')})" for c in cols)
    sql = text(f"INSERT INTO station_readings ({', '.join(cols)}) SELECT * FROM unnest({sel}) "
               f"ON CONFLICT (station_id, observed_at) DO UPDATE SET {sets}")
    for k in range(0, len(rows), 20000):
        chunk = rows[k:k + 20000]
        await session.execute(sql, {c: [r[c] for r in chunk] for c in cols})


async def flag_spikes(session: AsyncSession, sid: int, lo: datetime, hi: datetime, cols: set[str]) -> int:
    """Mark VALID values that are isolated spikes (stations.json) as SUSPECT; returns how many."""
    by_col = {p.column: p for p in BY_KEY.values()}
    lo, hi = lo - SLOT, hi + SLOT
    sel = select(readings.c.observed_at, *[readings.c[f"v_{c}"] for c in cols], *[readings.c[f"f_{c}"] for c in cols])
    rows = (await session.execute(sel.where(readings.c.station_id == sid, readings.c.observed_at >= lo - SLOT,
                                            readings.c.observed_at <= hi + SLOT)
                                  .order_by(readings.c.observed_at))).all()
    cols = list(cols)
    marks: dict[datetime, list[str]] = {}
    for k, c in enumerate(cols):
        p = by_col[c]
        for i in range(1, len(rows) - 1):
            a, b, n = rows[i - 1], rows[i], rows[i + 1]
            if not (lo <= b[0] <= hi) or b[0] - a[0] != SLOT or n[0] - b[0] != SLOT:
                continue
            va, vb, vn = a[1 + k], b[1 + k], n[1 + k]
            fa, fb, fn = a[1 + len(cols) + k], b[1 + len(cols) + k], n[1 + len(cols) + k]
            if fb != "VALID" or fa != "VALID" or fn != "VALID":
                continue
            if is_spike(va, vb, vn, p.spike_abs, p.spike_rel):
                marks.setdefault(b[0], []).append(c)
    for t, cs in marks.items():
        await session.execute(update(readings).where(readings.c.station_id == sid, readings.c.observed_at == t)
                              .values({f"f_{c}": "SUSPECT" for c in cs}))
    return sum(len(v) for v in marks.values())


def is_spike(prev: float, value: float, nxt: float, abs_: float, rel: float) -> bool:
    """An isolated spike: away from both neighbours in the same direction by more than the threshold,
    while the neighbours agree with each other within it."""
    thr = max(abs_, rel * (prev + nxt) / 2)
    up = value - prev > thr and value - nxt > thr
    down = prev - value > thr and nxt - value > thr
    return (up or down) and abs(prev - nxt) <= thr
