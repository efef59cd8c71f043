"""Ingest: idempotent per station + time + parameter, flags, the token scope, clear errors."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.domain.stations.ingest import Series, ingest
from server.domain.stations.models import readings
from tests.server.stations.conftest import slots

INGEST = "mutation($s: [ReadingSeriesInput!]!) { ingestStationReadings(series: $s) { inserted updated unchanged suspect } }"
CREATE_TOKEN = 'mutation($s:[Scope!]!){createApiToken(name:"站网",username:"integrator",scopes:$s){token}}'


def batch(code, ts, **series):
    return [{"stationCode": code, "parameter": p, "observedAt": [t.isoformat() for t in ts], "values": v}
            for p, v in series.items()]


async def test_replays_change_nothing_and_corrections_update(gql, users, station, db):
    admin = await gql.as_("admin")
    ts = slots(6)
    b = batch(station.code, ts, NH3_N=[0.3, 0.31, 0.32, 0.3, 0.29, 0.3], PH=[7.5] * 6)
    first = (await admin(INGEST, {"s": b}))["ingestStationReadings"]
    assert first == {"inserted": 12, "updated": 0, "unchanged": 0, "suspect": 0}
    for _ in range(2):
        again = (await admin(INGEST, {"s": b}))["ingestStationReadings"]
        assert again == {"inserted": 0, "updated": 0, "unchanged": 12, "suspect": 0}
    b[0]["values"][5] = 0.4  # a correction of one value
    fixed = (await admin(INGEST, {"s": b}))["ingestStationReadings"]
    assert fixed == {"inserted": 0, "updated": 1, "unchanged": 11, "suspect": 0}
    async with db.session() as s:
        n = (await s.execute(select(func.count()).select_from(readings))).scalar_one()
        last = (await s.execute(select(readings.c.v_nh3_n, readings.c.v_ph).where(
            readings.c.observed_at == ts[-1]))).one()
    assert n == 6 and tuple(last) == (0.4, 7.5)
    # Another parameter for the same slots fills its own columns and leaves the others alone.
    more = (await admin(INGEST, {"s": batch(station.code, ts, TP=[0.1] * 6)}))["ingestStationReadings"]
    assert more["inserted"] == 0 and more["updated"] == 6
    async with db.session() as s:
        row = (await s.execute(select(readings).where(readings.c.observed_at == ts[-1]))).one()._mapping
    assert (row["v_nh3_n"], row["v_tp"], row["f_tp"]) == (0.4, 0.1, "VALID")


async def test_flags_missing_fault_and_spike_rule(users, station, db, settings):
    ts = slots(7)
    vals = [0.3, 0.31, 2.5, 0.3, None, 0.5, 0.33]  # 2.5: an isolated spike; None: missing
    flags = ["VALID", "VALID", "VALID", "VALID", "MISSING", "FAULT", "VALID"]
    async with db.transaction() as s:
        r = await ingest(session=s, actor=None, settings=settings,
                         series=[Series(station.code, "NH3_N", ts, vals, flags),
                                 Series(station.code, "PH", ts, [7.5, 7.6, 7.4, 12.5, 7.5, 7.5, 7.5])])
    assert r.suspect == 1
    async with db.session() as s:
        got = [(row.v_nh3_n, row.f_nh3_n, row.f_ph) for row in
               (await s.execute(select(readings).order_by(readings.c.observed_at))).all()]
    assert [g[1] for g in got] == ["VALID", "VALID", "SUSPECT", "VALID", "MISSING", "FAULT", "VALID"]
    assert got[3][2] == "SUSPECT"  # pH 12.5 is outside the plausible river range
    # A spike is only judged once its next value exists: the last slot stays VALID.
    async with db.transaction() as s:
        r = await ingest(session=s, actor=None, settings=settings,
                         series=[Series(station.code, "NH3_N", [ts[-1] + timedelta(hours=4)], [0.34])])
    assert r.suspect == 0


async def test_bad_input_names_the_field(gql, users, station):
    admin = await gql.as_("admin")
    ts = slots(2)
    cases = [
        (batch("NOPE", ts, NH3_N=[0.1, 0.2]), "series[0].stationCode"),
        (batch(station.code, ts, NH3_N=[0.1]), "series[0].values"),
        (batch(station.code, [ts[0] + timedelta(hours=1), ts[1]], NH3_N=[0.1, 0.2]), "series[0].observedAt[0]"),
        (batch(station.code, ts, NH3_N=[-1.0, 0.2]), "series[0].values"),
        (batch(station.code, ts, PH=[15.0, 7.0]), "series[0].values"),
        ([], "series"),
    ]
    for b, field in cases:
        err = await admin.error(INGEST, {"s": b})
        assert err["extensions"]["code"] == "BAD_USER_INPUT", err
        assert err["extensions"]["field"] == field, err


async def test_only_the_readings_scope_ingests(gql, users, station):
    admin = await gql.as_("admin")
    writer = (await admin(CREATE_TOKEN, {"s": ["READINGS_WRITE"]}))["createApiToken"]["token"]
    other = (await admin(CREATE_TOKEN, {"s": ["TASKS_CREATE", "READ"]}))["createApiToken"]["token"]
    b = batch(station.code, slots(1), DO=[6.5])
    assert (await gql(INGEST, {"s": b}, token=writer))["ingestStationReadings"]["inserted"] == 1
    err = await gql.error(INGEST, {"s": b}, token=other)
    assert err["extensions"]["code"] == "FORBIDDEN"
    # the scope writes readings, nothing else
    err = await gql.error('mutation { updateStation(id: "%s", input: {name: "x"}) { id } }' % station.id, token=writer)
    assert err["extensions"]["code"] == "FORBIDDEN"
