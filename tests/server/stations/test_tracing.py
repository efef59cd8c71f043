"""Tracing on a small made network and on the city's: upstream only, tributaries only when asked,
distance bounds, confluences; tasks for suspects in one step; 河段贡献."""
from __future__ import annotations

import uuid
from datetime import date

import pytest

from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import Point, register_outfall, update_outfall
from server.domain.stations import service as stations
from server.domain.tracing import service as tracing
from server.domain.tracing.network import Network, network

# Made network (degrees of latitude ~ 111 km): main M flows north 0 -> 2 degrees; T joins M at 1 degree
# from the east; U joins T halfway; X joins M at 1.5 degrees.
MADE = Network({"M": [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)], "T": [(1.0, 1.0), (1.0, 0.5), (1.0, 0.0)],
                "U": [(0.5, 0.5), (1.0, 0.5)], "X": [(1.5, 1.0), (1.5, 0.0)]},
               {"M": None, "T": "M", "U": "T", "X": "M"})
DEG = MADE.length_km("M") / 2


def test_made_network_upstream_main_stem_only_and_with_tributaries():
    at = DEG * 1.2  # just below T's confluence, above X's
    main = MADE.upstream("M", at, 50, tributaries=False)
    assert [(r.river_code, round(r.km_lo, 3), round(r.km_hi, 3)) for r in main] == [("M", round(at - 50, 3), round(at, 3))]
    both = MADE.upstream("M", at, 0.5 * DEG, tributaries=True)
    assert {r.river_code for r in both} == {"M", "T"}  # X joins downstream of us: never included
    t = next(r for r in both if r.river_code == "T")
    assert t.km_hi == pytest.approx(MADE.length_km("T")) and t.base_km == pytest.approx(0.2 * DEG, rel=1e-3)
    assert t.distance_km(t.km_hi) == pytest.approx(0.2 * DEG, rel=1e-3)
    assert t.km_hi - t.km_lo == pytest.approx(0.3 * DEG, rel=1e-3)  # the budget left after the 0.2 deg to the mouth
    far = MADE.upstream("M", at, 2 * DEG, tributaries=True)
    assert {r.river_code for r in far} == {"M", "T", "U"}  # U through T's confluence with it
    assert next(r for r in far if r.river_code == "U").via == ("M", "T", "U")


def test_made_network_station_on_a_tributary_never_sees_the_main_stem():
    reaches = MADE.upstream("T", MADE.length_km("T"), 500, tributaries=True)
    assert {r.river_code for r in reaches} == {"T", "U"}


def test_projection_onto_the_course():
    km, off = MADE.project("M", 0.5, 0.01)
    assert km == pytest.approx(DEG * 0.5, rel=1e-3) and off == pytest.approx(1113, rel=0.01)


async def _outfall(s, admin, river, km, category="URBAN_SEWAGE_PLANT", district="500103"):
    lat, lon = network().point_at(river, km)
    return await register_outfall(session=s, actor=admin, client_id=uuid.uuid4(), name=f"{river}{km:.1f}",
                                  category=category, river_code=river, district_code=district,
                                  location=Point(round(lat, 6), round(lon, 6)))


async def test_city_network_upstream_suspects_confluence_and_tasks(db, settings, users, admin):
    net = network()
    conf = dict(net.confluences["YANGTZE"])["JIALING"]  # 朝天门 on the Yangtze
    J = net.length_km("JIALING")
    async with db.transaction() as s:
        st = await stations.create_station(session=s, actor=admin, data=stations.StationInput(
            code="S-CTM", name="朝天门下", river_code="YANGTZE", district_code="500103",
            lat=net.point_at("YANGTZE", conf + 2)[0], lon=net.point_at("YANGTZE", conf + 2)[1],
            level="NATIONAL", target_class="II", river_km=conf + 2.0))
        y_up = await _outfall(s, admin, "YANGTZE", conf - 3)      # 5 km upstream on the main stem
        y_down = await _outfall(s, admin, "YANGTZE", conf + 6)    # downstream: never a suspect
        y_far = await _outfall(s, admin, "YANGTZE", conf - 30)    # beyond 20 km
        j_near = await _outfall(s, admin, "JIALING", J - 4)       # 6 km up through the confluence
        j_ag = await _outfall(s, admin, "JIALING", J - 1, category="AGRICULTURAL")
    await tracing.sync_positions(db)
    async with db.session() as s:
        main = await tracing.upstream_suspects(session=s, actor=admin, station=st, parameter="NH3_N", max_km=20)
        withj = await tracing.upstream_suspects(session=s, actor=admin, station=st, parameter="NH3_N", max_km=20,
                                                tributaries=True)
        wide = await tracing.upstream_suspects(session=s, actor=admin, station=st, parameter="NH3_N", max_km=40,
                                               tributaries=True)
    assert [x.outfall.id for x in main.suspects] == [y_up.id]
    ids = [x.outfall.id for x in withj.suspects]
    assert set(ids) == {y_up.id, j_near.id, j_ag.id} and y_down.id not in ids and y_far.id not in ids
    jn = next(x for x in withj.suspects if x.outfall.id == j_near.id)
    assert jn.distance_km == pytest.approx(6.0, abs=0.3) and jn.via == ("YANGTZE", "JIALING")
    assert y_far.id in {x.outfall.id for x in wide.suspects} and y_down.id not in {x.outfall.id for x in wide.suspects}
    scores = [x.score for x in withj.suspects]
    assert scores == sorted(scores, reverse=True)

    # A supervisor raises tasks for the top two in one step; a replay returns the same tasks.
    sup = admin.__class__(users["supervisor"], "supervisor", "SUPERVISOR", None)
    cid = uuid.uuid4()
    top = [x.outfall.id for x in withj.suspects[:2]]
    made = []
    for _ in range(2):
        async with db.transaction() as s:
            tasks = await tracing.raise_suspect_tasks(session=s, actor=sup, settings=settings, station=st,
                                                      parameter="NH3_N", outfall_ids=top, client_id=cid)
        assert [t.outfall_id for t in tasks] == top and all(t.kind == "EXCEEDANCE" for t in tasks)
        made.append([t.id for t in tasks])
    assert made[0] == made[1]
    with pytest.raises(Exception) as e:
        async with db.transaction() as s:
            await tracing.raise_suspect_tasks(session=s, actor=sup, settings=settings, station=st, parameter="NH3_N",
                                              outfall_ids=[y_down.id], client_id=uuid.uuid4())
    assert getattr(e.value, "field", None) == "outfallIds"
    # A suspect becomes a tracing record answering its task; the approved record makes the outfall TRACED.
    from server.domain.lifecycle import tracing_records as tr

    async with db.transaction() as s:
        r = await tr.submit_record(session=s, actor=sup, client_id=uuid.uuid4(), data=tr.TracingInput(
            outfall_id=top[0], party=tr.Party("某污水处理厂", "91130200699229617X", "ENTERPRISE"),
            sources=["生活污水"], methods=["WATER_QUALITY"], task_id=made[0][0]))
    async with db.transaction() as s:
        await tr.review_record(session=s, actor=sup, record_id=r.id, decision="APPROVE")
        o = await s.get(Outfall, top[0])
    assert (o.phase, o.responsible_unit) == ("TRACED", "某污水处理厂")
    # A moved outfall is re-placed before the next query.
    async with db.transaction() as s:
        lat, lon = net.point_at("YANGTZE", conf + 10)
        await update_outfall(session=s, actor=sup, outfall_id=y_up.id,
                             changes={"location": Point(round(lat, 6), round(lon, 6))})
    assert await tracing.sync_positions(db) == 1
    async with db.session() as s:
        again = await tracing.upstream_suspects(session=s, actor=admin, station=st, parameter="NH3_N", max_km=20)
    assert again.suspects == []


async def test_reach_contribution_between_consecutive_stations(db, settings, users, admin):
    from server.domain.stations.ingest import Series, ingest
    from tests.server.stations.conftest import slots

    net = network()
    mk = lambda code, km: stations.StationInput(  # noqa: E731
        code=code, name=code, river_code="WU", district_code="500102", lat=net.point_at("WU", km)[0],
        lon=net.point_at("WU", km)[1], level="MUNICIPAL", target_class="II", river_km=km)
    async with db.transaction() as s:
        a = await stations.create_station(session=s, actor=admin, data=mk("W-A", 50))
        b = await stations.create_station(session=s, actor=admin, data=mk("W-B", 80))
        c = await stations.create_station(session=s, actor=admin, data=mk("W-C", 120))
        inside = await _outfall(s, admin, "WU", 60, district="500102")
        await _outfall(s, admin, "WU", 90, district="500102")
    ts = slots(12)
    async with db.transaction() as s:
        await ingest(session=s, actor=None, settings=settings, series=[
            Series("W-A", "NH3_N", ts, [0.2] * 12), Series("W-B", "NH3_N", ts, [0.5] * 12)])
    await tracing.sync_positions(db)
    d0, d1 = ts[0].date(), ts[-1].date()
    async with db.session() as s:
        r = await tracing.reach_contribution(session=s, actor=admin, upstream_id=a.id, downstream_id=b.id,
                                             start=date(d0.year, d0.month, d0.day), end=d1)
        nh3 = next(x for x in r.changes if x.parameter == "NH3_N")
        assert nh3.change == pytest.approx(0.3) and nh3.change_pct == pytest.approx(150)
        assert [o.id for o, _, _ in r.outfalls] == [inside.id] and r.length_km == pytest.approx(30)
        for up, down, field in ((a, c, "downstreamStationId"), (b, a, "downstreamStationId")):
            with pytest.raises(Exception) as e:
                await tracing.reach_contribution(session=s, actor=admin, upstream_id=up.id, downstream_id=down.id,
                                                 start=d0, end=d1)
            assert getattr(e.value, "field", None) == field
