from __future__ import annotations

import strawberry

from datetime import date

from server.domain.errors import BadInput
from server.domain.permissions import require
from server.domain.stations import analysis
from server.domain.stations import ingest as ingest_service
from server.domain.stations import service
from server.graphql.common import parse_id
from server.graphql.context import Info
from server.graphql.stations.types import (CalendarDay, CityCalendarRow, IngestResult, ReadingSeriesInput, Station,
                                          StationFilter, StationInput, WaterQualityReport, WaterQualitySummary)
from server.graphql.writes import write
from server.domain.sqltypes import pk


@strawberry.type
class StationQuery:
    @strawberry.field(description="Monitoring sections / automatic stations (断面/自动站), by river and river-km.")
    async def stations(self, info: Info, filter: StationFilter | None = None) -> list[Station]:
        ctx = info.context
        async with ctx.db.session() as s:
            rows = await service.list_stations(session=s, actor=ctx.signed_in, f=filter.to_domain() if filter else None)
        return [Station.from_model(r) for r in rows]

    @strawberry.field(description="One station by id or code.")
    async def station(self, info: Info, id: strawberry.ID | None = None, code: str | None = None) -> Station | None:
        ctx = info.context
        async with ctx.db.session() as s:
            st = await service.get_station(session=s, actor=ctx.signed_in,
                                           station_id=parse_id(id) if id is not None else None, code=code)
        return Station.from_model(st) if st else None

    @strawberry.field(description="碧水日历 of the city: every active station's class for each day of one month.")
    async def city_calendar(self, info: Info, year: int, month: int) -> list[CityCalendarRow]:
        ctx = info.context
        async with ctx.db.session() as s:
            rows = await service.list_stations(session=s, actor=ctx.signed_in, f=service.StationFilter(status="ACTIVE"))
            cal = await analysis.city_calendar(s, rows, year, month)
        return [CityCalendarRow(station=Station.from_model(r), days=[CalendarDay.from_day(d) for d in cal[pk(r)]])
                for r in rows]

    @strawberry.field(description="The city's and each river's water quality over [start, end] (local days): share "
                                  "of stations meeting their target, share in classes I-III, grade, off-target stations.")
    async def water_quality_summary(self, info: Info, start: date, end: date) -> WaterQualityReport:
        ctx = info.context
        if end < start or (end - start).days > 400:
            raise BadInput("end must be on or after start, at most 400 days later", field="end")
        async with ctx.db.session() as s:
            require(ctx.actor, "station.read")
            city, rivers = await analysis.summaries(s, start, end)
        return WaterQualityReport(start=start, end=end, city=WaterQualitySummary.from_summary(city),
                                  rivers=[WaterQualitySummary.from_summary(r) for r in rivers])


@strawberry.type
class StationMutation:
    @strawberry.mutation(description="Register a station (SUPERVISOR/ADMIN); river-km is derived from the location.")
    async def register_station(self, info: Info, input: StationInput) -> Station:
        async with write(info) as s:
            st = await service.create_station(session=s, actor=info.context.signed_in, data=input.to_domain())
        return Station.from_model(st)

    @strawberry.mutation(description="Edit a station (SUPERVISOR/ADMIN); only the given fields change.")
    async def update_station(self, info: Info, id: strawberry.ID, input: StationInput) -> Station:
        async with write(info) as s:
            st = await service.update_station(session=s, actor=info.context.signed_in, station_id=parse_id(id),
                                              data=input.to_domain())
        return Station.from_model(st)

    @strawberry.mutation(description="The station network's batch of 4-hourly readings (token scope readings:write); "
                                     "idempotent per station + time + parameter, so replays change nothing.")
    async def ingest_station_readings(self, info: Info, series: list[ReadingSeriesInput]) -> IngestResult:
        ctx = info.context
        batch = [ingest_service.Series(station_code=x.station_code, parameter=x.parameter.value,
                                       observed_at=list(x.observed_at), values=list(x.values),
                                       flags=[f.value for f in x.flags] if x.flags is not None else None)
                 for x in series]
        async with write(info) as s:
            r = await ingest_service.ingest(session=s, actor=ctx.actor, settings=ctx.settings, series=batch)
        return IngestResult(inserted=r.inserted, updated=r.updated, unchanged=r.unchanged, suspect=r.suspect)
