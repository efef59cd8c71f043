"""水环境每日简况: one local day's tasks, exceedances, reviews, overdue work and time to close."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import col

from server.domain.actor import Actor
from server.domain.brief.assessment import Assessment, assess
from server.domain.brief.days import day_bounds
from server.domain.geo.models import District
from server.domain.inspections.models import Inspection, Measurement
from server.domain.outfalls.models import Outfall
from server.domain.permissions import require
from server.domain.sqltypes import filled
from server.domain.stations.brief import WaterSection, water_section
from server.domain.standards import exceedance_multiple, stored_direction
from server.domain.tasks.models import OPEN_STATES, Submission, Task


@dataclass
class Exceedance:
    outfall_code: str
    outfall_name: str
    district_code: str
    parameter: str
    value: float
    unit: str
    limit: float | None
    standard: str | None
    multiple: float | None  # 超标倍数 (C − limit)/limit; None for pH and DO
    # What was sampled (EFFLUENT, UPSTREAM, DOWNSTREAM; None before sample types), what it was judged
    # against (DISCHARGE, APPROVED, RECEIVING_WATER) and how it was measured (KIT screens, LAB confirms).
    sample_type: str | None = None
    basis: str | None = None
    method: str = "KIT"


@dataclass
class Brief:
    day: date
    scope: str  # 全市 or the district's name
    # Keyed by code everywhere (kinds by their enum value, districts by GB/T 2260 code, as the stats
    # key them); labels come from `district_names` and the kind labels where the brief is rendered.
    scope_code: str | None = None  # the district's code; None city-wide
    district_names: dict[str, str] = field(default_factory=dict)
    new_by_kind: list[tuple[str, int]] = field(default_factory=list)
    new_by_district: list[tuple[str, int]] = field(default_factory=list)
    exceedances: list[Exceedance] = field(default_factory=list)
    approved: int = 0
    rejected: int = 0
    rejections: list[tuple[str, str]] = field(default_factory=list)  # task code, reason
    overdue_by_district: list[tuple[str, int]] = field(default_factory=list)
    median_hours_to_close: float | None = None
    water: WaterSection = field(default_factory=WaterSection)  # stations: off target, by parameter, episodes
    assessment: Assessment | None = None  # 考核 month to date; None when no settings were given


async def daily_brief(*, session: AsyncSession, actor: Actor, day: date, tz_hours: int = 8, settings=None) -> Brief:
    """Aggregates for one China Standard Time day; district roles see their own district only. With
    `settings` (the city's targets), the district assessment from the 1st of the month to `day`."""
    require(actor, "task.read", actor.district_code)
    start, end = day_bounds(day, tz_hours)
    scoped = actor.role in ("INSPECTOR", "DISTRICT_OFFICER")
    names = dict((await session.execute(select(col(District.code), col(District.name)))).all())

    def only(district_col: Mapped[str]) -> ColumnElement[bool]:
        return district_col == actor.district_code if scoped else true()

    b = Brief(day=day, scope=names.get(actor.district_code or "", "") if scoped else "全市",
              scope_code=actor.district_code if scoped else None, district_names=names)

    new = select(col(Task.kind), col(Task.district_code), func.count()).where(
        col(Task.created_at) >= start, col(Task.created_at) < end, only(col(Task.district_code))).group_by(col(Task.kind), col(Task.district_code))
    by_kind: dict[str, int] = {}
    by_district: dict[str, int] = {}
    for kind, d, n in (await session.execute(new)).all():
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_district[d] = by_district.get(d, 0) + n
    b.new_by_kind = sorted(by_kind.items(), key=lambda t: (-t[1], t[0]))
    b.new_by_district = sorted(by_district.items(), key=lambda t: (-t[1], t[0]))

    ex = (select(col(Outfall.code), col(Outfall.name), col(Outfall.district_code), col(Measurement.parameter), col(Measurement.value),
                 col(Measurement.unit), col(Measurement.limit), col(Measurement.limit_low), col(Measurement.standard),
                 col(Measurement.sample_type), col(Measurement.basis), col(Measurement.method))
          .join(Inspection, col(Inspection.id) == col(Measurement.inspection_id)).join(Outfall, col(Outfall.id) == col(Inspection.outfall_id))
          .where(col(Measurement.exceeded).is_(True), col(Inspection.observed_at) >= start, col(Inspection.observed_at) < end,
                 only(col(Inspection.district_code))))
    b.exceedances = sorted((Exceedance(c, n, d, p, v, u, lim, std,
                                       exceedance_multiple(v, lim, direction=stored_direction(low)), st, basis, m)
                            for c, n, d, p, v, u, lim, low, std, st, basis, m in (await session.execute(ex)).all()),
                           key=lambda e: -(e.multiple or 0))

    rev = (select(col(Submission.decision), col(Task.code), col(Submission.reason)).join(Task, col(Task.id) == col(Submission.task_id))
           .where(col(Submission.reviewed_at) >= start, col(Submission.reviewed_at) < end, only(col(Task.district_code))))
    for decision, code, reason in (await session.execute(rev)).all():
        if decision == "APPROVE":
            b.approved += 1
        else:
            b.rejected += 1
            b.rejections.append((filled(code, "a task's code"), reason or ""))

    late = select(col(Task.district_code), func.count()).where(
        col(Task.status).in_(OPEN_STATES), col(Task.deadline) < end, col(Task.created_at) < end,
        only(col(Task.district_code))).group_by(col(Task.district_code))
    b.overdue_by_district = sorted(((d, n) for d, n in (await session.execute(late)).all()),
                                   key=lambda t: (-t[1], t[0]))

    closed = select(col(Task.created_at), col(Task.closed_at)).where(
        col(Task.status) == "APPROVED", col(Task.closed_at) >= start, col(Task.closed_at) < end, only(col(Task.district_code)))
    hours = [(c - o).total_seconds() / 3600 for o, c in (await session.execute(closed)).all() if c is not None]
    b.median_hours_to_close = round(statistics.median(hours), 2) if hours else None
    b.water = await water_section(session, start, end, actor.district_code if scoped else None)
    if settings is not None:
        b.assessment = await assess(session=session, actor=actor, settings=settings, start=day.replace(day=1),
                                    end=day, tz_hours=tz_hours)
    return b
