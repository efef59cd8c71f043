"""The permission-matrix scenarios of the stations area (rows in docs/permissions.md)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from server.domain.stations import service

SPOT = {"500103": (29.5647, 106.587), "500101": (30.80, 108.40)}


async def station(w, d: str, river_km: float | None = None) -> service.Station:
    """A Yangtze station in district d, downstream of the matrix's outfall there (so it is a suspect)."""
    lat, lon = SPOT[d]
    async with w.db.transaction() as s:
        return await service.create_station(session=s, actor=w.admin, data=service.StationInput(
            code=f"M-{uuid.uuid4().hex[:8]}", name="矩阵断面", river_code="YANGTZE", district_code=d, lat=lat,
            lon=lon + 0.05, level="MUNICIPAL", target_class="III", river_km=river_km))


def slot(hours_ago: int = 0) -> str:
    t = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    t -= timedelta(hours=t.hour % 4 + hours_ago)
    return t.isoformat()


async def run(op: str, w, q, d: str) -> dict:
    lat, lon = SPOT[d]
    if op == "Query.stations":
        return await q(f'{{ stations(filter: {{districtCode: "{d}"}}) {{ code }} }}')
    if op == "Query.station":
        return await q(f'{{ station(id: "{(await station(w, d)).id}") {{ code }} }}')
    if op == "Mutation.registerStation":
        return await q("mutation($i: StationInput!) { registerStation(input: $i) { id } }", {"i": {
            "code": f"R-{uuid.uuid4().hex[:8]}", "name": "新断面", "riverCode": "YANGTZE", "districtCode": d,
            "lat": lat, "lon": lon, "level": "DISTRICT", "targetClass": "III"}})
    if op == "Mutation.updateStation":
        return await q(f'mutation {{ updateStation(id: "{(await station(w, d)).id}", input: {{name: "改名"}}) {{ id }} }}')
    if op == "Mutation.ingestStationReadings":
        st = await station(w, d)
        return await q("mutation($s: [ReadingSeriesInput!]!) { ingestStationReadings(series: $s) { inserted } }",
                       {"s": [{"stationCode": st.code, "parameter": "NH3_N", "observedAt": [slot()], "values": [0.3]}]})
    if op == "Query.cityCalendar":
        return await q("{ cityCalendar(year: 2026, month: 11) { station { code } days { day waterClass } } }")
    if op == "Query.waterQualitySummary":
        return await q('{ waterQualitySummary(start: "2026-11-01", end: "2026-11-30") { city { assessed } } }')
    if op == "Query.reachContribution":
        up, down = await station(w, d, river_km=10.0), await station(w, d, river_km=12.0)
        return await q('{ reachContribution(upstreamStationId: "%s", downstreamStationId: "%s", start: "2026-11-01", '
                       'end: "2026-11-30") { lengthKm } }' % (up.id, down.id))
    if op == "Mutation.raiseSuspectTasks":
        st = await station(w, d)
        return await q('mutation($c: ID!, $s: ID!, $o: [ID!]!) { raiseSuspectTasks(clientId: $c, stationId: $s, '
                       'parameter: NH3_N, outfallIds: $o, maxKm: 200) { id } }',
                       {"c": str(uuid.uuid4()), "s": str(st.id), "o": [str(w.outfalls[d])]})
    raise AssertionError(op)


OPS = {"Query.stations", "Query.station", "Query.cityCalendar", "Query.waterQualitySummary", "Mutation.registerStation", "Mutation.updateStation",
       "Mutation.ingestStationReadings", "Query.reachContribution", "Mutation.raiseSuspectTasks"}
