"""The permission-matrix scenarios of the stations area (rows in docs/permissions.md)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from server.domain.stations import service

SPOT = {"500103": (29.5647, 106.587), "500101": (30.80, 108.40)}


async def station(w, d: str) -> service.Station:
    lat, lon = SPOT[d]
    async with w.db.transaction() as s:
        return await service.create_station(session=s, actor=w.admin, data=service.StationInput(
            code=f"M-{uuid.uuid4().hex[:8]}", name="矩阵断面", river_code="YANGTZE", district_code=d, lat=lat, lon=lon,
            level="MUNICIPAL", target_class="III"))


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
    raise AssertionError(op)


OPS = {"Query.stations", "Query.station", "Query.cityCalendar", "Query.waterQualitySummary", "Mutation.registerStation", "Mutation.updateStation",
       "Mutation.ingestStationReadings"}
