"""Episodes: one alert and one task per episode, one clearance, none repeated, faults only a notice."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from server.domain.notify.models import Notification
from server.domain.stations.ingest import Series, ingest
from server.domain.stations.models import Station, StationEpisode, readings
from server.domain.tasks.models import Task
from tests.server.stations.conftest import slots

# target III: NH3-N III limit is 1.0 (read from domain.json in test_assess; here only "clearly above/below")
LOW, HIGH = 0.4, 1.9


async def _feed(db, settings, code, ts, nh3, flags=None, now=None):
    async with db.transaction() as s:
        return await ingest(session=s, actor=None, settings=settings, now=now,
                            series=[Series(code, "NH3_N", ts, nh3, flags), Series(code, "PH", ts, [7.5] * len(ts),
                                                                                  flags)])


async def _types(db):
    async with db.session() as s:
        rows = (await s.execute(select(Notification.event_key, Notification.payload, Notification.channel,
                                       Notification.recipient))).all()
    return rows


async def test_one_alert_one_task_one_clearance_and_faults_are_maintenance(users, station, db, settings):
    settings = settings.with_(webhook_url="http://hook.invalid/x", sms_gateway_url="http://sms.invalid/x")
    ts = slots(12)
    nh3 = [LOW, HIGH, HIGH, HIGH * 1.3, None, LOW, HIGH, LOW, LOW, LOW, None, None]
    flags = ["VALID"] * 4 + ["FAULT"] + ["VALID"] * 5 + ["FAULT", "FAULT"]
    # Fed one slot at a time, as the network sends them, then the whole batch replayed.
    for i in range(len(ts)):
        await _feed(db, settings, station.code, ts[i:i + 1], nh3[i:i + 1], flags[i:i + 1], now=ts[-1])
    await _feed(db, settings, station.code, ts, nh3, flags, now=ts[-1])
    rows = await _types(db)
    by_type: dict[str, set] = {}
    for key, payload, channel, recipient in rows:
        by_type.setdefault(payload["type"], set()).add(key)
    assert len(by_type["STATION_ALERT"]) == 1
    assert len(by_type["STATION_CLEARED"]) == 1
    assert len(by_type["STATION_FAULT"]) == 1  # slot 4's single fault is below fault_after; 10-11 raise one
    alert = [(c, r) for k, p, c, r in rows if p["type"] == "STATION_ALERT"]
    assert {c for c, _ in alert} == {"log", "webhook", "sms"}
    assert {r for _, r in alert} == {"officer", "supervisor"}  # the district and the city, not 万州's officer
    assert not any(p["type"] == "STATION_ALERT" for k, p, c, r in rows if "FAULT" in p.get("text", ""))
    async with db.session() as s:
        tasks = list((await s.execute(select(Task).where(Task.kind == "EXCEEDANCE"))).scalars())
        eps = list((await s.execute(select(StationEpisode).order_by(StationEpisode.id))).scalars())
    assert len(tasks) == 1 and tasks[0].source == "STATION" and tasks[0].district_code == "500103"
    assert tasks[0].parameter == "NH3_N"
    pol = [e for e in eps if e.kind == "POLLUTION"]
    assert len(pol) == 1 and pol[0].started_at == ts[1] and pol[0].cleared_at == ts[9]
    assert pol[0].task_id == tasks[0].id and pol[0].failing[0]["parameter"] == "NH3_N"
    assert pol[0].failing[0]["multiple"] is not None and pol[0].failing[0]["multiple"] > 0
    assert [e.kind for e in eps if e.cleared_at is None] == ["FAULT"]


async def test_a_single_spike_never_alerts_and_history_is_recorded_silently(users, station, db, settings):
    ts = slots(6)
    await _feed(db, settings, station.code, ts, [LOW, HIGH, LOW, LOW, LOW, LOW])
    assert await _types(db) == []
    # Readings from long ago: the episode is recorded, nobody is told, no task.
    old = [t - timedelta(days=30) for t in slots(6)]
    async with db.transaction() as s:
        await s.execute(delete(readings))
        (await s.get(Station, station.id)).evaluated_through = None
    await _feed(db, settings, station.code, old, [HIGH] * 4 + [LOW] * 2)
    async with db.session() as s:
        eps = list((await s.execute(select(StationEpisode))).scalars())
        n_tasks = len(list((await s.execute(select(Task))).scalars()))
    assert len(eps) == 1 and eps[0].notified is False and n_tasks == 0
    assert await _types(db) == []


async def test_brief_and_outfall_stats_show_the_stations(gql, users, station, db, settings):
    from datetime import timezone as tz

    ts = slots(8)
    await _feed(db, settings, station.code, ts, [LOW, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH], now=ts[-1])
    g = await gql.as_("officer")
    day = ts[-1].astimezone(tz(timedelta(hours=8))).date().isoformat()
    b = (await g('query($d: Date!) { dailyBrief(date: $d) { water { stations offTarget { stationCode parameters '
                 'maxMultiple } offTargetByParameter { key count } newEpisodes { stationCode } } markdown } }',
                 {"d": day}))["dailyBrief"]
    assert b["water"]["stations"] == 1
    assert [e["stationCode"] for e in b["water"]["offTarget"]] == [station.code]
    assert b["water"]["offTarget"][0]["parameters"] == ["NH3_N"] and b["water"]["offTarget"][0]["maxMultiple"] > 0
    assert b["water"]["offTargetByParameter"] == [{"key": "NH3_N", "count": 1}]
    assert "水质自动站" in b["markdown"] and station.code in b["markdown"]
    other = await gql.as_("officer2")  # 万州: not its station
    b2 = (await other('query($d: Date!) { dailyBrief(date: $d) { water { stations offTarget { stationCode } } } }',
                      {"d": day}))["dailyBrief"]
    assert b2["water"] == {"stations": 0, "offTarget": []}
    stats = (await g("{ outfallStats(groupBy: DISTRICT) { key count stations stationsOffTarget } }"))["outfallStats"]
    assert {"key": "500103", "count": 0, "stations": 1, "stationsOffTarget": 1} in stats
