"""The register of a filter counted per grid cell: what the city overview map draws instead of
60,000 points (a few hundred cells, computed by the database).

The grid is fixed per zoom so answers are cacheable and every client can place a point in its cell
without asking: a cell is 2^(6 - zoom) degrees square (about 45 screen pixels at any zoom), and a point
at (lat, lon) WGS-84 is in cell (floor((lon + 180) / step), floor((lat + 90) / step)). The step is a
power of two, so the division is exact in binary floating point and SQL and JavaScript agree on the
cell of every stored coordinate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.errors import BadInput
from server.domain.geo.crs import to_crs
from server.domain.geo.distance import haversine_m
from server.domain.inspections.models import Measurement
from server.domain.outfalls.models import PHASES, Outfall
from server.domain.outfalls.queries import OutfallFilter, outfall_query, validate_outfall_filter
from server.domain.outfalls.service import LATEST_INSPECTION
from server.domain.permissions import require

MIN_ZOOM, MAX_ZOOM = 0, 22


def cell_degrees(zoom: int) -> float:
    return 2.0 ** (6 - zoom)


@dataclass
class Clusters:
    """Parallel columns, one entry per non-empty cell, ordered by (cellY, cellX)."""
    zoom: int
    step: float
    cell_x: list[int] = field(default_factory=list)
    cell_y: list[int] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)  # centroid of the cell's outfalls, in the asked datum
    lons: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    phase_counts: list[int] = field(default_factory=list)  # cell-major, len(PHASES) per cell
    exceeded: list[int] | None = None  # outfalls whose latest visible inspection exceeded
    not_exceeded: list[int] | None = None  # ... whose latest visible inspection did not


def _floor(x: ColumnElement, dialect: str) -> ColumnElement:
    # x is never negative here (lon + 180, lat + 90): SQLite's CAST truncates, which is floor for
    # x >= 0; PostgreSQL's CAST rounds, so it needs floor() (SQLite builds may lack it).
    return cast(func.floor(x), Integer) if dialect == "postgresql" else cast(x, Integer)


def _exceedance(actor: Actor) -> ColumnElement:
    """1 / 0 / -1 per outfall row joined to its latest inspection: the rule of outfallPoints.exceeded
    (a district role does not see another district's inspection, so that outfall reads -1)."""
    latest = LATEST_INSPECTION
    hit = select(col(Measurement.id)).where(col(Measurement.inspection_id) == latest.c.id, col(Measurement.exceeded)).exists()
    hidden: ColumnElement = literal(False)
    if actor.role in ("INSPECTOR", "DISTRICT_OFFICER"):
        hidden = latest.c.district_code != actor.district_code
    return case((latest.c.id.is_(None), -1), (hidden, -1), (hit, 1), else_=0)


async def outfall_clusters(*, session: AsyncSession, actor: Actor, filter: OutfallFilter | None, zoom: int,
                           crs: str = "WGS84", with_exceedance: bool = False) -> Clusters:
    """The outfalls of `filter` (the same filter and permission as list_outfalls and outfall_points)
    counted per cell of `zoom`'s grid, with counts by phase and, when asked, by latest exceedance."""
    require(actor, "outfall.read")
    if not (MIN_ZOOM <= zoom <= MAX_ZOOM):
        raise BadInput(f"zoom must be between {MIN_ZOOM} and {MAX_ZOOM}; got {zoom}", field="zoom")
    f = filter or OutfallFilter()
    await validate_outfall_filter(session, f)
    step = cell_degrees(zoom)
    dialect = session.get_bind().dialect.name
    cx = _floor((col(Outfall.lon) + 180.0) / step, dialect).label("cx")
    cy = _floor((col(Outfall.lat) + 90.0) / step, dialect).label("cy")
    exc = _exceedance(actor) if with_exceedance else literal(-1)
    out = Clusters(zoom=zoom, step=step)
    if with_exceedance:
        out.exceeded, out.not_exceeded = [], []

    def base(*cols):
        stmt = select(*cols).select_from(Outfall)
        if with_exceedance:
            latest = LATEST_INSPECTION
            stmt = stmt.outerjoin(latest, and_(latest.c.outfall_id == Outfall.id, latest.c.rn == 1))
        return outfall_query(stmt, f)

    rows: list[tuple]
    if f.near:
        # The circle is not SQL here (as in outfall_points): aggregate the box's rows after cutting it.
        lat0, lon0, r = f.near
        cells: dict[tuple[int, int], list] = {}
        for x, y, la, lo, phase, e in (await session.execute(
                base(cx, cy, col(Outfall.lat), col(Outfall.lon), col(Outfall.phase), exc))).all():
            if haversine_m(lat0, lon0, la, lo) > r:
                continue
            c = cells.setdefault((x, y), [0, 0.0, 0.0, 0, 0] + [0] * len(PHASES))
            c[0] += 1
            c[1] += la
            c[2] += lo
            c[3] += e == 1
            c[4] += e == 0
            c[5 + PHASES.index(phase)] += 1
        rows = [(x, y, c[0], c[1] / c[0], c[2] / c[0], c[3], c[4], *c[5:])
                for (x, y), c in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    else:
        one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
        stmt = base(cx, cy, func.count(), func.avg(Outfall.lat), func.avg(Outfall.lon), one(exc == 1), one(exc == 0),
                    *(one(col(Outfall.phase) == p) for p in PHASES)).group_by(cx, cy).order_by(cy, cx)
        rows = [tuple(r) for r in (await session.execute(stmt)).all()]
    for x, y, n, la, lo, n_exc, n_ok, *phases in rows:
        la, lo = to_crs(float(la), float(lo), crs)
        out.cell_x.append(int(x))
        out.cell_y.append(int(y))
        out.lats.append(round(la, 5))
        out.lons.append(round(lo, 5))
        out.counts.append(int(n))
        out.phase_counts.extend(int(p) for p in phases)
        if out.exceeded is not None and out.not_exceeded is not None:
            out.exceeded.append(int(n_exc))
            out.not_exceeded.append(int(n_ok))
    return out
