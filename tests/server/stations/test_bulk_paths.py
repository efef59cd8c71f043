"""The bulk paths keep their promises: a replay (spikes included) writes nothing, a batch or file that fails
midway leaves nothing, concurrent batches for one station keep both and count true, the per-slot
classifier agrees with the full assessment, and tracing's ranking is the documented score."""
from __future__ import annotations

import asyncio
import math
import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from server.domain.errors import BadInput
from server.domain.stations import assess as A
from server.domain.stations import csv_import
from server.domain.stations.ingest import Series, ingest
from server.domain.stations.models import readings
from server.domain.stations.params import CLASSES
from tests.server.stations.conftest import slots
from tests.server.stations.test_ingest import INGEST, batch


async def _stored(db):
    async with db.session() as s:
        return [tuple(r) for r in (await s.execute(select(
            readings.c.observed_at, readings.c.updated_at, readings.c.v_nh3_n, readings.c.f_nh3_n, readings.c.f_ph)
            .order_by(readings.c.observed_at))).all()]


async def test_replays_of_a_batch_with_spikes_write_nothing(db, settings, station):
    ts = slots(8)
    series = [Series(station.code, "NH3_N", ts, [0.3, 0.31, 2.5, 0.3, 0.32, 0.3, 2.6, 0.31]),
              Series(station.code, "PH", ts, [7.5] * 8)]
    async with db.transaction() as s:
        r = await ingest(session=s, actor=None, settings=settings, series=series)
    assert (r.inserted, r.updated, r.unchanged, r.suspect) == (16, 0, 0, 2)
    first = await _stored(db)
    assert [row[3] for row in first] == ["VALID", "VALID", "SUSPECT", "VALID", "VALID", "VALID", "SUSPECT", "VALID"]
    for k in range(2):
        async with db.transaction() as s:
            r = await ingest(session=s, actor=None, settings=settings, series=series,
                             now=datetime.now(timezone.utc) + timedelta(minutes=k + 1))
        assert (r.inserted, r.updated, r.unchanged, r.suspect) == (0, 0, 16, 0)
    assert await _stored(db) == first  # updated_at included: not a row was rewritten


async def test_a_later_value_makes_its_stored_neighbour_a_spike_once(db, settings, station):
    ts = slots(3)
    async with db.transaction() as s:
        r = await ingest(session=s, actor=None, settings=settings, series=[Series(station.code, "NH3_N", ts[:2], [0.3, 2.5])])
    assert r.suspect == 0  # 2.5 has no next value yet
    for expected_suspect, expected_inserted in ((1, 1), (0, 0)):  # then a replay of the same slot
        async with db.transaction() as s:
            r = await ingest(session=s, actor=None, settings=settings,
                             series=[Series(station.code, "NH3_N", ts[2:], [0.31])])
        assert (r.suspect, r.inserted) == (expected_suspect, expected_inserted)
        assert [row[3] for row in await _stored(db)] == ["VALID", "SUSPECT", "VALID"]


async def test_a_csv_failing_after_written_chunks_leaves_nothing(db, settings, station, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_VALUES", 10)  # so chunks are ingested before the bad lines are read
    ts = slots(30)
    good = "".join(f"{station.code},{t.isoformat()},NH3_N,0.3\n" for t in ts)
    for bad, where in ((f"{station.code},{ts[-1].isoformat()},NH3_N,abc\n", "line 32"),
                       (f"NOPE,{ts[-1].isoformat()},NH3_N,0.3\n", "stationCode")):
        path = tmp_path / "r.csv"
        path.write_text("station_code,observed_at,parameter,value\n" + good + bad, encoding="utf-8")
        with pytest.raises(BadInput) as e:
            await csv_import.import_csv(db=db, settings=settings, path=path)
        assert where in e.value.message or where in (e.value.field or "")
        async with db.session() as s:
            assert (await s.execute(select(func.count()).select_from(readings))).scalar_one() == 0


async def test_an_api_batch_bad_in_its_last_series_writes_none_of_it(gql, users, station, db):
    admin = await gql.as_("admin")
    ts = slots(6)
    b = batch(station.code, ts, NH3_N=[0.3] * 6, TP=[0.1] * 6, PH=[7.5] * 5 + [15.0])
    err = await admin.error(INGEST, {"s": b})
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and err["extensions"]["field"] == "series[2].values"
    async with db.session() as s:
        assert (await s.execute(select(func.count()).select_from(readings))).scalar_one() == 0


async def test_concurrent_batches_for_one_station_keep_both_and_count_true(db, settings, station):
    ts = slots(30)

    async def one(param, value):
        async with db.transaction() as s:
            return await ingest(session=s, actor=None, settings=settings,
                                series=[Series(station.code, param, ts, [value] * 30)])

    a, b = await asyncio.gather(one("NH3_N", 0.3), one("TP", 0.1))
    # One went first and inserted the slots; the other filled its column into them.
    assert sorted([(a.inserted, a.updated), (b.inserted, b.updated)]) == [(0, 30), (30, 0)]
    async with db.session() as s:
        rows = (await s.execute(select(readings.c.v_nh3_n, readings.c.v_tp))).all()
    assert len(rows) == 30 and set(rows) == {(0.3, 0.1)}


def test_the_per_slot_classifier_agrees_with_assess():
    rng = random.Random(11)
    edges = {}
    for p in ("PH", "DO", "CODMN", "NH3_N", "TP", "TN"):
        for body in ("RIVER", "LAKE"):
            for cls in CLASSES[:5]:
                lim = A.limit(p, cls, body)
                if lim is not None:
                    # the interval's finite ends are the boundaries (a maximum's low end is -inf)
                    for b in (x for x in (lim.low, lim.high) if math.isfinite(x)):
                        edges.setdefault(p, set()).update({b, b * 0.999, b * 1.001})
    for _ in range(3000):
        vals = {p: rng.choice(sorted(e) + [None]) for p, e in edges.items()}
        vals["WATER_TEMP"] = rng.uniform(0, 30)
        for target in ("I", "II", "III", "IV", "V"):
            for body in ("RIVER", "LAKE"):
                a = A.assess(vals, target, body)
                assert A.classify(vals, target, body) == (a.cls, a.meets_target), (vals, target, body)


async def test_tracing_ranks_by_the_documented_score(db, settings, users, admin):
    """The ranking on plain tuples equals the score spelled out in stations.json, factors and all."""
    from server.domain.stations import service as stations
    from server.domain.stations.params import rules
    from server.domain.tasks.service import create_task
    from server.domain.tracing import service as tracing
    from server.domain.tracing.network import network
    from tests.server.stations.test_tracing import _outfall

    net = network()
    async with db.transaction() as s:
        st = await stations.create_station(session=s, actor=admin, data=stations.StationInput(
            code="S-RANK", name="排序", river_code="WU", district_code="500102",
            lat=net.point_at("WU", 100)[0], lon=net.point_at("WU", 100)[1], level="MUNICIPAL", target_class="II",
            river_km=100.0))
        made = [await _outfall(s, admin, "WU", 100 - d, category=c, district="500102")
                for d, c in ((1, "INDUSTRIAL"), (3, "URBAN_SEWAGE_PLANT"), (6, "AGRICULTURAL"), (9, "OTHER"),
                             (12, "INDUSTRIAL"))]
        await create_task(session=s, actor=admin, settings=settings, client_id=uuid.uuid4(), kind="EXCEEDANCE",
                          source="STATION", title="t", description="d", district_code="500102",
                          outfall_id=made[4].id, deadline=datetime.now(timezone.utc) + timedelta(days=7))
    await tracing.sync_positions(db)
    async with db.session() as s:
        r = await tracing.upstream_suspects(session=s, actor=admin, station=st, parameter="NH3_N", max_km=15)
    cfg = rules()["suspicion"]
    w = cfg["weights"]
    expected = []
    for o in made:
        s_ = next(x for x in r.suspects if x.outfall.id == o.id)
        f = {"distance": max(0.0, 1 - s_.distance_km / 15), "test": cfg["test_factor"]["untested"],
             "category": cfg["category"]["NH3_N"][o.category], "open_task": 1.0 if o is made[4] else 0.0}
        assert s_.factors == pytest.approx(f)
        expected.append((-round(sum(w[k] * v for k, v in f.items()), 4), s_.distance_km, o.id))
    assert [x.outfall.id for x in r.suspects] == [oid for *_, oid in sorted(expected)]
    assert r.total == 5 and r.suspects[[x.outfall.id for x in r.suspects].index(made[4].id)].open_tasks == 1
