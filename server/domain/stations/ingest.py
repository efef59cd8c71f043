"""Ingesting 4-hourly readings: batch, idempotent per station + time + parameter, with quality flags.

A batch is a list of series (one station, one parameter, times and values), the shape a station
network's system exports. Each value lands in its slot's row; a replay changes nothing, a changed
value or flag for the same slot is a correction and is counted as updated. Before the write, the
spike rule (stations.json quality_flags.SUSPECT) judges every value that then has both neighbours, on
the stored series overlaid with the batch, so a replay compares equal and writes nothing; after it,
the stations' alert state advances over the new slots.

Cost: per station one read of the stored slots in the batch's span and one multi-row upsert of the
rows that change (PostgreSQL: INSERT ... SELECT FROM unnest(arrays), one round trip per 20,000 rows;
SQLite: executemany), so a station-year is a few statements, not one per value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import Insert as PgInsert, insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert, insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from server.db import dialect_of

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.permissions import require
from server.domain.sqltypes import utcnow
from server.domain.stations.models import Station, readings
from server.domain.stations.params import BY_KEY, FLAGS, PARAMS, rules

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


def _insert(dialect: str) -> PgInsert | SqliteInsert:
    return pg_insert(readings) if dialect == "postgresql" else sqlite_insert(readings)


async def ingest(*, session: AsyncSession, actor: Actor | None, settings, series: list[Series],
                 now: datetime | None = None, evaluate_alerts: bool = True) -> IngestResult:
    """Write a batch of series in the caller's transaction (all of it or, on any error, none); returns
    what changed."""
    from server.domain.stations import alerts

    if actor is not None:
        require(actor, "station.ingest")
    if not series:
        raise BadInput("series must not be empty", field="series")
    total = sum(len(s.values) for s in series)
    if total > MAX_VALUES:
        raise BadInput(f"a batch holds at most {MAX_VALUES} values; this one has {total}", field="series")
    codes = {s.station_code for s in series}
    q = select(col(Station.id), col(Station.code)).where(col(Station.code).in_(codes)).order_by(col(Station.id))
    if dialect_of(session) == "postgresql":
        # Concurrent batches for one station queue here, so each compares against what the other wrote
        # (counts stay true, the spike rule sees both); ordered by id so two batches cannot deadlock.
        q = q.with_for_update()
    ids = {code: sid for sid, code in (await session.execute(q)).all() if sid is not None}  # a primary key: never null
    slots = _validated(series, ids)
    out = IngestResult(stations=sorted(slots))
    dialect = dialect_of(session)
    now = now or utcnow()
    for sid, per in slots.items():
        await _write_station(session, dialect, sid, per, now, out)
    if evaluate_alerts:
        for sid in out.stations:
            await alerts.evaluate(session=session, settings=settings, station_id=sid, now=now)
    return out


def _validated(series: list[Series], ids: dict[str, int]) -> dict[int, dict[datetime, dict[str, list]]]:
    """station id -> slot -> {column: [value, flag]}, or BadInput naming the first bad field. Nothing is
    written before the whole batch has passed."""
    slots: dict[int, dict[datetime, dict[str, list]]] = {}
    checked: dict[datetime, datetime] = {}  # the nine series of a station share their times: check each once
    for i, s in enumerate(series):
        sid = ids.get(s.station_code)
        if sid is None:
            raise BadInput(f"series[{i}]: no station with code {s.station_code!r}", field=f"series[{i}].stationCode")
        p = BY_KEY.get(s.parameter)
        if p is None:
            raise BadInput(f"series[{i}]: unknown parameter {s.parameter!r}", field=f"series[{i}].parameter")
        if len(s.observed_at) != len(s.values) or (s.flags is not None and len(s.flags) != len(s.values)):
            raise BadInput(f"series[{i}]: observedAt, values and flags must have the same length",
                           field=f"series[{i}].values")
        column = p.column
        lo_imp, hi_imp = IMPOSSIBLE_BELOW.get(s.parameter, 0.0), IMPOSSIBLE_ABOVE.get(s.parameter, math.inf)
        plo, phi = p.plausible
        flags = s.flags
        per = slots.setdefault(sid, {})
        for j, (t, v) in enumerate(zip(s.observed_at, s.values)):
            u = checked.get(t)
            if u is None:
                u = checked[t] = check_slot(t, f"series[{i}].observedAt[{j}]")
            given = flags[j] if flags is not None else None
            if v is not None:
                if type(v) is not float:
                    if isinstance(v, bool) or not isinstance(v, (int, float)):
                        raise BadInput(f"series[{i}] {s.parameter}: values must be finite numbers or null",
                                       field=f"series[{i}].values")
                    v = float(v)
                if not math.isfinite(v):
                    raise BadInput(f"series[{i}] {s.parameter}: values must be finite numbers or null",
                                   field=f"series[{i}].values")
                if not lo_imp <= v <= hi_imp:
                    raise BadInput(f"series[{i}] {s.parameter}: value {v:g} is physically impossible",
                                   field=f"series[{i}].values")
            # As stored: the system's FAULT/SUSPECT/MISSING stand; VALID values outside the plausible range
            # become SUSPECT; a null value is MISSING unless it is a FAULT.
            cell: list[float | str | None]
            if given is None or given == "VALID":
                cell = [None, "MISSING"] if v is None else [v, "VALID" if plo <= v <= phi else "SUSPECT"]
            elif given == "MISSING" or (v is None and given != "FAULT"):
                if given not in FLAGS:
                    raise BadInput(f"series[{i}]: flag {given!r} is not one of {', '.join(FLAGS)}",
                                   field=f"series[{i}].flags")
                cell = [None, "MISSING"]
            elif given in ("FAULT", "SUSPECT"):
                cell = [v, given]
            else:
                raise BadInput(f"series[{i}]: flag {given!r} is not one of {', '.join(FLAGS)}",
                               field=f"series[{i}].flags")
            slot = per.get(u)
            if slot is None:
                slot = per[u] = {}
            slot[column] = cell
    return slots



async def _write_station(session, dialect, sid, per, now, out: IngestResult) -> None:
    """Compare the station's slots with what is stored, judge spikes on the merged series, and upsert only
    the rows that change (a replay writes nothing)."""
    cols = sorted({c for v in per.values() for c in v})
    lo, hi = min(per), max(per)
    existing: dict[datetime, dict[str, tuple]] = {}
    sel = select(readings.c.observed_at, *[readings.c[f"v_{c}"] for c in cols], *[readings.c[f"f_{c}"] for c in cols])
    k = len(cols)
    # Two slots either side: a new value can make its neighbour a spike, judged with the neighbour's neighbour.
    for row in (await session.execute(sel.where(readings.c.station_id == sid, readings.c.observed_at >= lo - 2 * SLOT,
                                                readings.c.observed_at <= hi + 2 * SLOT))).all():
        existing[row[0]] = {c: (row[1 + j], row[1 + k + j]) for j, c in enumerate(cols)}
    out.suspect += _mark_spikes(per, existing, cols, lo - SLOT, hi + SLOT)
    # Group by the set of columns carried, so each statement updates exactly the parameters it was given.
    groups: dict[tuple[str, ...], list[dict]] = {}
    for t, vals in per.items():
        old = existing.get(t)
        write = False
        for c, vf in vals.items():
            if type(vf) is tuple:  # a stored neighbour's value re-flagged by the spike rule, not the batch's
                write = True
            elif old is None:
                out.inserted += 1
                write = True
            elif old.get(c) == (vf[0], vf[1]):
                out.unchanged += 1
            else:
                out.updated += 1
                write = True
        if not write:
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
        for j in range(0, len(rows), 5000):
            await session.execute(stmt, rows[j:j + 5000])


def _mark_spikes(per: dict[datetime, dict[str, list | tuple]], existing: dict[datetime, dict[str, tuple]],
                 cols: list[str], lo: datetime, hi: datetime) -> int:
    """The spike rule (stations.json quality_flags.SUSPECT) on the stored series overlaid with the batch, for
    the slots in [lo, hi]: a VALID value between two VALID neighbours that is an isolated spike becomes
    SUSPECT. Batch cells are re-flagged in place; a stored value outside the batch is added to `per` as a
    (value, "SUSPECT") tuple so it is written too. Returns how many values now turn SUSPECT (a replay: 0)."""
    by_col = {p.column: p for p in PARAMS}
    times = sorted({t for t in per if lo - SLOT <= t <= hi + SLOT} | {t for t in existing if lo - SLOT <= t <= hi + SLOT})
    # next_ok[i]: times[i + 1] is the slot right after times[i] (a missing row breaks the neighbourhood)
    next_ok = [b - a == SLOT for a, b in zip(times, times[1:])] + [False]
    judged = [lo <= t <= hi for t in times]
    empty: dict = {}
    n = 0
    for c in cols:
        p = by_col[c]
        cells = []
        for t in times:
            x = per.get(t, empty).get(c)
            if x is None:
                x = existing.get(t, empty).get(c)
            cells.append(x if x is not None and x[1] == "VALID" else None)
        marks = []
        for i in range(1, len(times) - 1):
            xb = cells[i]
            if xb is None or not judged[i] or not next_ok[i - 1] or not next_ok[i]:
                continue
            xa, xn = cells[i - 1], cells[i + 1]
            if xa is not None and xn is not None and is_spike(xa[0], xb[0], xn[0], p.spike_abs, p.spike_rel):
                marks.append(times[i])
        for b in marks:  # after judging the column, so a mark never changes its neighbours' judgement
            s = per.get(b)
            x = s.get(c) if s is not None else None
            if isinstance(x, list):  # the batch's cell (a stored one is only ever added below, as a tuple)
                x[1] = "SUSPECT"
                if existing.get(b, {}).get(c) != (x[0], "SUSPECT"):
                    n += 1
            else:
                per.setdefault(b, {})[c] = (existing[b][c][0], "SUSPECT")
                n += 1
    return n


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


def is_spike(prev: float, value: float, nxt: float, abs_: float, rel: float) -> bool:
    """An isolated spike: away from both neighbours in the same direction by more than the threshold,
    while the neighbours agree with each other within it."""
    thr = max(abs_, rel * (prev + nxt) / 2)
    up = value - prev > thr and value - nxt > thr
    down = prev - value > thr and nxt - value > thr
    return (up or down) and abs(prev - nxt) <= thr
