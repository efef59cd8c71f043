"""溯 on GraphQL: upstream suspects of a station, tasks for them in one step, 河段贡献."""
from __future__ import annotations

from datetime import date, datetime

import strawberry

from server.domain.stations.models import Station as StationRow
from server.domain.tracing import service
from server.graphql.common import parse_id, parse_ids
from server.graphql.context import Info
from server.graphql.enums import StationParameter
from server.graphql.loop.types import Task
from server.graphql.outfalls.types import Outfall, build_outfalls
from server.graphql.stations.types import Station
from server.graphql.writes import write


@strawberry.type
class RapidTest:
    parameter: str
    value: float
    unit: str
    exceeded: bool
    observed_at: datetime


@strawberry.type
class Suspect:
    outfall: Outfall
    river_code: str
    river_km: float
    distance_km: float = strawberry.field(description="Along the water from the station, upstream.")
    via: list[str] = strawberry.field(description="Rivers from the station to the outfall (confluences crossed).")
    score: float = strawberry.field(description="Suspicion score in [0, 1] (see scoreNote).")
    distance_factor: float
    test_factor: float
    category_factor: float
    open_task_factor: float
    latest_test: RapidTest | None
    open_tasks: int


@strawberry.type
class TraceReach:
    river_code: str
    km_from: float
    km_to: float


@strawberry.type
class UpstreamSuspects:
    parameter: StationParameter
    max_km: float
    tributaries: bool
    total: int
    reaches: list[TraceReach]
    suspects: list[Suspect]
    score_note: str
    course_source: str


def _test(t: dict) -> RapidTest:
    return RapidTest(parameter=t.get("parameter", ""), value=t["value"], unit=t["unit"], exceeded=t["exceeded"],
                     observed_at=t["observedAt"])


async def suspects_type(info: Info, r: service.TraceResult) -> UpstreamSuspects:
    outs = await build_outfalls(info, [s.outfall for s in r.suspects])
    from server.domain.tracing.network import course_source

    return UpstreamSuspects(
        parameter=StationParameter(r.parameter), max_km=r.max_km, tributaries=r.tributaries, total=r.total,
        reaches=[TraceReach(river_code=x.river_code, km_from=x.km_lo, km_to=x.km_hi) for x in r.reaches],
        suspects=[Suspect(outfall=o, river_code=s.river_code, river_km=s.river_km, distance_km=round(s.distance_km, 3),
                          via=list(s.via), score=s.score, distance_factor=s.factors["distance"],
                          test_factor=s.factors["test"], category_factor=s.factors["category"],
                          open_task_factor=s.factors["open_task"], latest_test=_test(s.latest_test) if s.latest_test else None,
                          open_tasks=s.open_tasks) for o, s in zip(outs, r.suspects)],
        score_note=r.score_note, course_source=course_source())


async def upstream_suspects(info: Info, st: StationRow, parameter: StationParameter, max_km: float,
                            tributaries: bool, first: int) -> UpstreamSuspects:
    ctx = info.context
    await service.sync_positions(ctx.db)
    async with ctx.db.session() as s:
        r = await service.upstream_suspects(session=s, actor=ctx.signed_in, station=st, parameter=parameter.value,
                                            max_km=max_km, tributaries=tributaries, first=first)
    return await suspects_type(info, r)


@strawberry.type
class ParameterChange:
    parameter: StationParameter
    upstream: float | None
    downstream: float | None
    change: float | None
    change_pct: float | None


@strawberry.type
class ReachOutfall:
    outfall: Outfall
    river_km: float
    latest: list[RapidTest]


@strawberry.type
class ReachContribution:
    upstream: Station
    downstream: Station
    length_km: float
    start: date
    end: date
    changes: list[ParameterChange]
    outfalls: list[ReachOutfall]
    tributaries: list[str] = strawberry.field(description="Tributaries joining within the reach.")


@strawberry.type
class TracingQuery:
    @strawberry.field(description="河段贡献 between two consecutive stations on one river: each parameter's change "
                                  "over [start, end] and the outfalls in between with their latest rapid tests.")
    async def reach_contribution(self, info: Info, upstream_station_id: strawberry.ID,
                                 downstream_station_id: strawberry.ID, start: date, end: date) -> ReachContribution:
        ctx = info.context
        await service.sync_positions(ctx.db)
        async with ctx.db.session() as s:
            r = await service.reach_contribution(session=s, actor=ctx.signed_in,
                                                 upstream_id=parse_id(upstream_station_id, "upstreamStationId"),
                                                 downstream_id=parse_id(downstream_station_id, "downstreamStationId"),
                                                 start=start, end=end)
        outs = await build_outfalls(info, [o for o, _, _ in r.outfalls])
        return ReachContribution(
            upstream=Station.from_model(r.upstream), downstream=Station.from_model(r.downstream),
            length_km=round(r.length_km, 3), start=start, end=end,
            changes=[ParameterChange(parameter=StationParameter(c.parameter), upstream=c.upstream,
                                     downstream=c.downstream, change=c.change, change_pct=c.change_pct)
                     for c in r.changes],
            outfalls=[ReachOutfall(outfall=o, river_km=round(km, 3),
                                   latest=[_test({"parameter": p, **t}) for p, t in sorted(latest.items())])
                      for o, (_, km, latest) in zip(outs, r.outfalls)],
            tributaries=r.tributaries)


@strawberry.type
class TracingMutation:
    @strawberry.mutation(description="Raise tracing tasks for chosen upstream suspects of a station in one step "
                                     "(SUPERVISOR/ADMIN); idempotent on clientId. Recording the responsible unit "
                                     "on the outfall (updateOutfall) then moves it to TRACED.")
    async def raise_suspect_tasks(self, info: Info, station_id: strawberry.ID, parameter: StationParameter,
                                  outfall_ids: list[strawberry.ID], client_id: strawberry.ID,
                                  max_km: float = 50.0, tributaries: bool = True) -> list[Task]:
        ctx = info.context
        await service.sync_positions(ctx.db)
        async with write(info) as s:
            st = await s.get(StationRow, parse_id(station_id, "stationId"))
            if st is None:
                from server.domain.errors import NotFound

                raise NotFound(f"no station with id {station_id}")
            tasks = await service.raise_suspect_tasks(
                session=s, actor=ctx.signed_in, settings=ctx.settings, station=st, parameter=parameter.value,
                outfall_ids=parse_ids(outfall_ids, "outfallIds"), client_id=client_id, max_km=max_km,
                tributaries=tributaries)
        return [Task.from_model(t) for t in tasks]
