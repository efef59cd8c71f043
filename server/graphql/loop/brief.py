from __future__ import annotations

import datetime as dt

import strawberry

from server.domain.brief import daily_brief, to_html, to_markdown
from server.domain.stations.params import BY_KEY
from server.domain.tasks.labels import KIND_LABELS
from server.graphql.context import Info
from server.graphql.enums import JudgementBasis, MeasurementMethod, SampleType
from server.graphql.lifecycle.types import DistrictAssessment
from server.graphql.outfalls.types import StatBucket


PARAMETER_LABELS = {k: p.name_zh for k, p in BY_KEY.items()}


@strawberry.type
class BriefExceedance:
    outfall_code: str
    outfall_name: str
    district_code: str = strawberry.field(description="The outfall's district (GB/T 2260 code).")
    district: str = strawberry.field(description="The district's name (the label beside `districtCode`).")
    parameter: str
    value: float
    unit: str
    limit: float | None
    standard: str | None
    multiple: float | None = strawberry.field(
        description="超标倍数 as the bureaus define it, (value − limit) / limit; null for pH and DO.")
    ratio: float | None = strawberry.field(
        description="value / limit (not 超标倍数).", deprecation_reason="Use multiple (超标倍数, (C − limit)/limit).")
    sample_type: SampleType | None = strawberry.field(
        default=None, description="What was sampled: the outfall's effluent, or river water up- or downstream.")
    basis: JudgementBasis | None = strawberry.field(
        default=None, description="What it was judged against: the outfall's standard, its approved limits, or "
                                  "the receiving water's target class.")
    method: MeasurementMethod = strawberry.field(
        default=MeasurementMethod.KIT, description="KIT: a screening result until a lab confirms it.")


@strawberry.type
class BriefRejection:
    task_code: str
    reason: str


@strawberry.type
class BriefEpisode:
    station_code: str
    station_name: str
    district_code: str
    started_at: dt.datetime
    cleared_at: dt.datetime | None
    worst_class: str | None
    parameters: list[str]
    max_multiple: float | None = strawberry.field(description="The largest 超标倍数 seen in the episode.")


@strawberry.type
class BriefWater:
    stations: int
    off_target: list[BriefEpisode] = strawberry.field(description="Stations off target at the day's end.")
    off_target_by_parameter: list[StatBucket]
    new_episodes: list[BriefEpisode]
    cleared_episodes: list[BriefEpisode]
    instrument_faults: int


def _episodes(lines) -> list[BriefEpisode]:
    return [BriefEpisode(station_code=e.station_code, station_name=e.station_name, district_code=e.district_code,
                         started_at=e.started_at, cleared_at=e.cleared_at, worst_class=e.worst_class,
                         parameters=e.parameters, max_multiple=e.max_multiple) for e in lines]


@strawberry.type
class DailyBrief:
    date: dt.date
    scope: str = strawberry.field(description="全市 (city-wide) or the caller's district's name.")
    scope_code: str | None = strawberry.field(description="The caller's district's code; null city-wide.")
    new_tasks_by_kind: list[StatBucket] = strawberry.field(
        description="Tasks raised that day: `key` the TaskKind, `label` its Chinese name.")
    new_tasks_by_district: list[StatBucket] = strawberry.field(
        description="Tasks raised that day: `key` the district's code, `label` its name.")
    exceedances: list[BriefExceedance]
    approved: int
    rejected: int
    rejections: list[BriefRejection]
    overdue_by_district: list[StatBucket] = strawberry.field(
        description="Tasks open past their deadline at the day's end: `key` the district's code, `label` its name.")
    median_hours_to_close: float | None
    water: BriefWater = strawberry.field(description="The automatic stations' water quality that day.")
    markdown: str
    html: str
    assessment: DistrictAssessment = strawberry.field(
        description="考核 month to date: tasks due from the 1st of the brief's month to its day, per district, "
                    "against the city's targets (when set; unset: no pass/fail). The Markdown and HTML show it too.")


@strawberry.type
class BriefQuery:
    @strawberry.field(description="水环境每日简况 for one China Standard Time day, within the caller's scope.")
    async def daily_brief(self, info: Info, date: dt.date) -> DailyBrief:
        async with info.context.db.session() as s:
            b = await daily_brief(session=s, actor=info.context.signed_in, day=date, settings=info.context.settings)
        def buckets(pairs, labels) -> list[StatBucket]:  # codes as keys, labels beside
            return [StatBucket(key=k, label=labels.get(k, k), count=n) for k, n in pairs]

        names = b.district_names
        return DailyBrief(
            date=b.day, scope=b.scope, scope_code=b.scope_code, new_tasks_by_kind=buckets(b.new_by_kind, KIND_LABELS),
            new_tasks_by_district=buckets(b.new_by_district, names),
            exceedances=[BriefExceedance(outfall_code=e.outfall_code, outfall_name=e.outfall_name,
                                         district_code=e.district_code, district=names.get(e.district_code, ""),
                                         parameter=e.parameter, value=e.value, unit=e.unit, limit=e.limit,
                                         standard=e.standard, multiple=e.multiple,
                                         ratio=None if e.multiple is None else e.multiple + 1,
                                         sample_type=SampleType(e.sample_type) if e.sample_type else None,
                                         basis=JudgementBasis(e.basis) if e.basis else None,
                                         method=MeasurementMethod(e.method)) for e in b.exceedances],
            approved=b.approved, rejected=b.rejected,
            rejections=[BriefRejection(task_code=c, reason=r) for c, r in b.rejections],
            overdue_by_district=buckets(b.overdue_by_district, names), median_hours_to_close=b.median_hours_to_close,
            water=BriefWater(stations=b.water.stations, off_target=_episodes(b.water.off_target),
                             off_target_by_parameter=buckets(b.water.by_parameter, PARAMETER_LABELS),
                             new_episodes=_episodes(b.water.new), cleared_episodes=_episodes(b.water.cleared),
                             instrument_faults=b.water.faults_open),
            markdown=to_markdown(b), html=to_html(b), assessment=DistrictAssessment.from_domain(b.assessment))
