from __future__ import annotations

import strawberry

from server.domain.outfalls import clusters, service
from server.domain.outfalls.models import PHASES
from server.domain.stations.service import station_counts
from server.graphql.common import connection, parse_id, selected_names
from server.graphql.context import Info
from server.graphql.enums import Crs, OutfallGroupBy
from server.graphql.scalars import FloatColumn, IntColumn, StringColumn
from server.graphql.outfalls.types import (Outfall, OutfallClusters, OutfallConnection, OutfallEdge, OutfallFilter,
                                          OutfallPoints, StatBucket,
                                          build_outfalls)


@strawberry.type
class OutfallQuery:
    @strawberry.field(description="One outfall by id or by code.")
    async def outfall(self, info: Info, id: strawberry.ID | None = None, code: str | None = None) -> Outfall | None:
        ctx = info.context
        async with ctx.db.session() as s:
            o = await service.get_outfall(session=s, actor=ctx.signed_in,
                                          outfall_id=parse_id(id) if id is not None else None, code=code)
        return (await build_outfalls(info, [o]))[0] if o else None

    @strawberry.field(description="The register, filtered; nearest first when `filter.near` is given.")
    async def outfalls(self, info: Info, filter: OutfallFilter | None = None, first: int | None = None,
                       after: str | None = None, last: int | None = None,
                       before: str | None = None) -> OutfallConnection:
        ctx = info.context
        async with ctx.db.session() as s:
            page = await service.list_outfalls(
                session=s, actor=ctx.signed_in, filter=filter.to_domain() if filter else None, first=first,
                after=after, last=last, before=before, cap=ctx.settings.max_page,
                want_total="totalCount" in selected_names(info))
        latest = ("latestInspection" in selected_names(info, "edges", "node")
                  or "latestInspection" in selected_names(info, "nodes"))
        nodes = await build_outfalls(info, page.items, page.extra, with_latest=latest)
        return connection(OutfallConnection, OutfallEdge, nodes, page, total_count=page.total or 0)

    @strawberry.field(description=(
        "Every outfall of the filter as columns in one response (the overview map's read); the same "
        "filter, permission and visibility as `outfalls`. Coordinates in `crs` (WGS84 unless asked)."))
    async def outfall_points(self, info: Info, filter: OutfallFilter | None = None,
                             crs: Crs | None = Crs.WGS84) -> OutfallPoints:
        ctx = info.context
        async with ctx.db.session() as s:
            c = await service.outfall_points(session=s, actor=ctx.signed_in, filter=filter.to_domain() if filter else None,
                                             crs=(crs or Crs.WGS84).value,
                                             with_exceedance="exceeded" in selected_names(info))
        return OutfallPoints(count=len(c.ids), ids=IntColumn(c.ids), lats=FloatColumn(c.lats), lons=FloatColumn(c.lons),
                             codes=StringColumn(c.codes), phases=StringColumn(c.phases),
                             categories=StringColumn(c.categories), district_codes=StringColumn(c.district_codes),
                             river_codes=StringColumn(c.river_codes),
                             exceeded=IntColumn(c.exceeded) if c.exceeded is not None else None,
                             phase_keys=list(c.phase_keys), phase_index=IntColumn(c.phase_index),
                             district_keys=c.district_keys, district_index=IntColumn(c.district_index))

    @strawberry.field(description=(
        "The outfalls of the filter counted per cell of a fixed grid for a map zoom (the city overview's "
        "read instead of every point); the same filter, permission and visibility as `outfallPoints`."))
    async def outfall_clusters(self, info: Info, zoom: int, filter: OutfallFilter | None = None,
                               crs: Crs | None = Crs.WGS84) -> OutfallClusters:
        ctx = info.context
        async with ctx.db.session() as s:
            c = await clusters.outfall_clusters(
                session=s, actor=ctx.signed_in, filter=filter.to_domain() if filter else None, zoom=zoom,
                crs=(crs or Crs.WGS84).value,
                with_exceedance=bool({"exceeded", "notExceeded"} & set(selected_names(info))))
        return OutfallClusters(
            zoom=c.zoom, cell_degrees=c.step, count=sum(c.counts), cells=len(c.counts), cell_x=IntColumn(c.cell_x),
            cell_y=IntColumn(c.cell_y), lats=FloatColumn(c.lats), lons=FloatColumn(c.lons), counts=IntColumn(c.counts),
            phase_keys=list(PHASES), phase_counts=IntColumn(c.phase_counts),
            exceeded=IntColumn(c.exceeded) if c.exceeded is not None else None,
            not_exceeded=IntColumn(c.not_exceeded) if c.not_exceeded is not None else None)

    @strawberry.field(description="Counts of outfalls grouped by river, district, category, phase or status.")
    async def outfall_stats(self, info: Info, group_by: OutfallGroupBy,
                            filter: OutfallFilter | None = None) -> list[StatBucket]:
        ctx = info.context
        async with ctx.db.session() as s:
            rows = await service.outfall_stats(session=s, actor=ctx.signed_in, group_by=group_by.value,
                                               filter=filter.to_domain() if filter else None)
        out = [StatBucket(key=k, label=label, count=n) for k, label, n in rows]
        if group_by.value in ("RIVER", "DISTRICT") and filter is None:
            async with ctx.db.session() as s:
                counts = await station_counts(session=s, actor=ctx.signed_in, by=group_by.value)
            seen = {b.key for b in out}
            for b in out:
                b.stations, b.stations_off_target = counts.get(b.key, (0, 0))
            out += [StatBucket(key=k, label=k, count=0, stations=n, stations_off_target=off)
                    for k, (n, off) in sorted(counts.items()) if k not in seen]
        return out
