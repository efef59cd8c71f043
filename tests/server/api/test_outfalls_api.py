"""The outfall register through GraphQL, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest

REGISTER = """mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) {
  id code name category subtype phase status signboardInstalled waterClass
  district { code name } river { code name } location { lat lon accuracyM } } }"""
LIST = """query($f: OutfallFilter, $first: Int, $after: String) { outfalls(filter: $f, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id code name distanceM phase category
  district { code } river { code } location { lat lon } } } } }"""
YUZHONG, WANZHOU = "500103", "500101"


def reg_input(**kw) -> dict:
    base = {"clientId": str(uuid.uuid4()), "name": "朝天门城镇污水排口", "category": "URBAN_SEWAGE_PLANT",
            "riverCode": "YANGTZE", "districtCode": YUZHONG, "location": {"lat": 29.5647, "lon": 106.587,
                                                                          "accuracyM": 4.5}}
    base.update(kw)
    return base


@pytest.fixture
async def inspector(gql, users):
    return await gql.as_("inspector")


async def count(gql_as) -> int:
    return (await gql_as("{ outfalls(first: 1) { totalCount } }"))["outfalls"]["totalCount"]


async def test_register_assigns_code_and_survey_phase(inspector):
    o = (await inspector(REGISTER, {"i": reg_input(waterClass="III", subtype="urban_wwtp.plant")}))["registerOutfall"]
    assert o["code"] == f"{YUZHONG}-00001"
    assert (o["phase"], o["status"], o["waterClass"], o["signboardInstalled"]) == ("SURVEYED", "ACTIVE", "III", False)
    assert o["district"] == {"code": YUZHONG, "name": "渝中区"}
    assert o["river"] == {"code": "YANGTZE", "name": "长江"}
    assert o["location"] == {"lat": 29.5647, "lon": 106.587, "accuracyM": 4.5}
    o2 = (await inspector(REGISTER, {"i": reg_input(name="第二个")}))["registerOutfall"]
    assert o2["code"] == f"{YUZHONG}-00002"


async def test_register_replay_returns_first_and_different_payload_conflicts(inspector):
    i = reg_input()
    a = (await inspector(REGISTER, {"i": i}))["registerOutfall"]
    b = (await inspector(REGISTER, {"i": i}))["registerOutfall"]
    assert a == b
    err = await inspector.error(REGISTER, {"i": {**i, "name": "另一个名字"}})
    assert err["extensions"]["code"] == "CONFLICT"
    assert await count(inspector) == 1


async def test_register_scoped_to_own_district_and_integrators_only_read(gql, inspector, users):
    err = await inspector.error(REGISTER, {"i": reg_input(districtCode=WANZHOU,
                                                          location={"lat": 30.80, "lon": 108.40})})
    assert err["extensions"]["code"] == "FORBIDDEN"
    integrator = await gql.as_("integrator")
    err = await integrator.error(REGISTER, {"i": reg_input()})
    assert err["extensions"]["code"] == "FORBIDDEN"
    officer = await gql.as_("officer")
    assert (await officer.error(REGISTER, {"i": reg_input()}))["extensions"]["code"] == "FORBIDDEN"
    supervisor = await gql.as_("supervisor")
    o = (await supervisor(REGISTER, {"i": reg_input(districtCode=WANZHOU, location={"lat": 30.80, "lon": 108.40})}))
    assert o["registerOutfall"]["code"].startswith(WANZHOU)
    assert await count(integrator) == 1


@pytest.mark.parametrize("change, field", [
    ({"location": {"lat": 95.0, "lon": 106.5}}, "location"),
    ({"location": {"lat": 39.9, "lon": 116.4}}, "location"),  # Beijing: far outside Chongqing
    ({"location": {"lat": 29.5, "lon": 106.5, "accuracyM": -1}}, "location.accuracyM"),
    ({"districtCode": "999999"}, "districtCode"),
    ({"riverCode": "NILE"}, "riverCode"),
    ({"name": "   "}, "name"),
    ({"name": "长" * 101}, "name"),
    ({"subtype": "x" * 65}, "subtype"),
    ({"gpsFix": {"lat": 39.9, "lon": 116.4}}, "gpsFix"),
    ({"gpsFix": {"lat": 29.5, "lon": 106.5, "accuracyM": -3}}, "gpsFix.accuracyM"),
])
async def test_bad_register_input_names_the_field_and_writes_nothing(gql, users, change, field):
    supervisor = await gql.as_("supervisor")
    err = await supervisor.error(REGISTER, {"i": reg_input(**change)})
    assert err["extensions"]["code"] == "BAD_USER_INPUT"
    assert err["extensions"]["field"] == field, err
    assert await count(supervisor) == 0


GPS_FIX = """mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) {
  id location { lat lon accuracyM } gpsFix { lat lon accuracyM } movedFromGpsFixM
  gcj: gpsFix(crs: GCJ02) { lat lon } } }"""


async def test_register_keeps_the_gps_fix_beside_the_moved_pin(gql, inspector):
    """Issue 16 item 2: the pin the inspector moved is the location; the original fix is stored too,
    read back by id, and a replay must carry the same fix (a different one is another request)."""
    from server.domain.geo.crs import to_crs
    from server.domain.geo.distance import haversine_m

    fix = {"lat": 29.56420, "lon": 106.58650, "accuracyM": 18.0}
    i = reg_input(gpsFix=fix)
    o = (await inspector(GPS_FIX, {"i": i}))["registerOutfall"]
    assert o["location"] == {"lat": 29.5647, "lon": 106.587, "accuracyM": 4.5}
    assert o["gpsFix"] == fix
    assert o["movedFromGpsFixM"] == round(haversine_m(29.5647, 106.587, fix["lat"], fix["lon"]), 1)
    assert 60 < o["movedFromGpsFixM"] < 90
    glat, glon = to_crs(fix["lat"], fix["lon"], "GCJ02")
    assert (o["gcj"]["lat"], o["gcj"]["lon"]) == (pytest.approx(glat, abs=1e-9), pytest.approx(glon, abs=1e-9))
    again = (await inspector("query($id: ID!) { outfall(id: $id) { gpsFix { lat lon accuracyM } } }",
                             {"id": o["id"]}))["outfall"]
    assert again["gpsFix"] == fix
    assert (await inspector(GPS_FIX, {"i": i}))["registerOutfall"]["id"] == o["id"]
    err = await inspector.error(GPS_FIX, {"i": {**i, "gpsFix": {**fix, "lat": 29.5643}}})
    assert err["extensions"]["code"] == "CONFLICT"
    # Without a fix (a desk registration, an older phone): null, and nothing computed from nothing.
    plain = (await inspector(GPS_FIX, {"i": reg_input(name="无定位")}))["registerOutfall"]
    assert plain["gpsFix"] is None and plain["movedFromGpsFixM"] is None


async def test_bad_client_id_is_a_request_error(inspector):
    err = await inspector.error(REGISTER, {"i": reg_input(clientId="not-a-uuid")})
    assert err["extensions"]["code"] == "BAD_USER_INPUT"


UPDATE = """mutation($id: ID!, $i: UpdateOutfallInput!) { updateOutfall(id: $id, input: $i) {
  id phase responsibleUnit remediation status name location { lat lon } } }"""


async def test_update_phase_moves_forward_only_and_records_decide_traced_and_remediated(gql, inspector):
    oid = (await inspector(REGISTER, {"i": reg_input()}))["registerOutfall"]["id"]
    # Typing a responsible unit is a note: TRACED follows an approved tracing record (issue 19 item 4).
    o = (await inspector(UPDATE, {"id": oid, "i": {"responsibleUnit": "某化工有限公司"}}))["updateOutfall"]
    assert (o["phase"], o["responsibleUnit"]) == ("SURVEYED", "某化工有限公司")
    o = (await inspector(UPDATE, {"id": oid, "i": {"phase": "MONITORED"}}))["updateOutfall"]
    assert o["phase"] == "MONITORED"
    err = await inspector.error(UPDATE, {"id": oid, "i": {"phase": "SURVEYED"}})
    assert err["extensions"]["code"] == "INVALID_STATE"
    supervisor = await gql.as_("supervisor")
    for who in (inspector, supervisor):  # not even the city sets them by hand
        for phase in ("TRACED", "REMEDIATED"):
            err = await who.error(UPDATE, {"id": oid, "i": {"phase": phase}})
            assert (err["extensions"]["code"], err["extensions"]["field"]) == ("INVALID_STATE", "phase")
    o = (await supervisor(UPDATE, {"id": oid, "i": {"remediation": "MERGE", "status": "CLOSED"}}))["updateOutfall"]
    assert (o["phase"], o["remediation"], o["status"]) == ("MONITORED", "MERGE", "CLOSED")


async def test_update_errors(gql, inspector):
    oid = (await inspector(REGISTER, {"i": reg_input()}))["registerOutfall"]["id"]
    assert (await inspector.error(UPDATE, {"id": "987654", "i": {"name": "x"}}))["extensions"]["code"] == "NOT_FOUND"
    assert (await inspector.error(UPDATE, {"id": "abc", "i": {"name": "x"}}))["extensions"]["field"] == "id"
    err = await inspector.error(UPDATE, {"id": oid, "i": {"location": {"lat": 10, "lon": 10}}})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "location"}
    other = await gql.as_("inspector2")
    assert (await other.error(UPDATE, {"id": oid, "i": {"name": "x"}}))["extensions"]["code"] == "FORBIDDEN"
    o = (await inspector(f'{{ outfall(id: "{oid}") {{ name location {{ lat lon }} }} }}'))["outfall"]
    assert o == {"name": "朝天门城镇污水排口", "location": {"lat": 29.5647, "lon": 106.587}}


@pytest.fixture
async def register(db, users):
    """Eight outfalls registered directly through the service, varied on every filter."""
    from server.domain.actor import Actor
    from server.domain.outfalls.service import Point, register_outfall

    admin = Actor(user_id=users["admin"], username="admin", role="ADMIN", district_code=None)
    rows = [  # name, category, river, district, lat, lon
        ("朝天门排口", "URBAN_SEWAGE_PLANT", "YANGTZE", YUZHONG, 29.5650, 106.5870),
        ("解放碑排口", "OTHER", "YANGTZE", YUZHONG, 29.5600, 106.5800),
        ("化龙桥排口", "INDUSTRIAL", "JIALING", YUZHONG, 29.5700, 106.5300),
        ("大溪沟排口", "AGRICULTURAL", "JIALING", YUZHONG, 29.5680, 106.5550),
        ("万州港排口", "OTHER", "YANGTZE", WANZHOU, 30.8000, 108.4000),
        ("万州化工排口", "INDUSTRIAL", "YANGTZE", WANZHOU, 30.8100, 108.4100),
        ("江北嘴排口", "URBAN_SEWAGE_PLANT", "JIALING", "500105", 29.5750, 106.5900),
        ("涪陵乌江排口", "INDUSTRIAL", "WU", "500102", 29.7000, 107.3900),
    ]
    async with db.transaction() as s:
        for name, cat, river, dist, lat, lon in rows:
            await register_outfall(session=s, actor=admin, client_id=uuid.uuid4(), name=name, category=cat,
                                   river_code=river, district_code=dist, location=Point(lat, lon))
    return rows


async def test_filters(inspector, register):
    async def names(f):
        d = (await inspector(LIST, {"f": f, "first": 50}))["outfalls"]
        got = sorted(e["node"]["name"] for e in d["edges"])
        assert d["totalCount"] == len(got)
        return got

    assert await names({"riverCode": "WU"}) == ["涪陵乌江排口"]
    assert await names({"districtCode": WANZHOU}) == ["万州化工排口", "万州港排口"]
    assert await names({"category": "INDUSTRIAL", "riverCode": "YANGTZE"}) == ["万州化工排口"]
    assert await names({"phase": "SURVEYED"}) == sorted(r[0] for r in register)
    assert await names({"phase": "TRACED"}) == []
    assert await names({"status": "CLOSED"}) == []
    assert await names({"search": "化工"}) == ["万州化工排口"]
    assert await names({"search": "500101-0000"}) == ["万州化工排口", "万州港排口"]
    assert await names({"search": "%"}) == []
    assert await names({"bbox": {"south": 29.55, "west": 106.52, "north": 29.58, "east": 106.585}}) == \
        ["化龙桥排口", "大溪沟排口", "解放碑排口"]


async def test_near_is_sorted_with_distances(inspector, register):
    from server.domain.geo.distance import haversine_m

    here = (29.5648, 106.5860)
    d = (await inspector(LIST, {"f": {"near": {"lat": here[0], "lon": here[1], "radiusM": 5000}}}))["outfalls"]
    nodes = [e["node"] for e in d["edges"]]
    assert [n["name"] for n in nodes][:2] == ["朝天门排口", "解放碑排口"]
    dists = [n["distanceM"] for n in nodes]
    assert dists == sorted(dists) and all(x <= 5000 for x in dists)
    for n in nodes:
        assert n["distanceM"] == pytest.approx(haversine_m(*here, n["location"]["lat"], n["location"]["lon"]))
    assert d["totalCount"] == len(nodes) == 4  # 化龙桥 is 5.5 km away; Wanzhou and Fuling far more
    # Paging through a near list keeps the order.
    p1 = (await inspector(LIST, {"f": {"near": {"lat": here[0], "lon": here[1], "radiusM": 5000}}, "first": 2}))
    p1 = p1["outfalls"]
    p2 = (await inspector(LIST, {"f": {"near": {"lat": here[0], "lon": here[1], "radiusM": 5000}}, "first": 10,
                                 "after": p1["pageInfo"]["endCursor"]}))["outfalls"]
    assert [e["node"]["name"] for e in p1["edges"] + p2["edges"]] == [n["name"] for n in nodes]
    assert p1["pageInfo"]["hasNextPage"] and not p2["pageInfo"]["hasNextPage"]


async def test_pagination_and_its_errors(inspector, register):
    seen, after = [], None
    while True:
        d = (await inspector(LIST, {"first": 3, "after": after}))["outfalls"]
        assert d["totalCount"] == 8
        seen += [e["node"]["id"] for e in d["edges"]]
        if not d["pageInfo"]["hasNextPage"]:
            break
        after = d["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 8
    err = await inspector.error(LIST, {"first": 501})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    for bad in ("garbage!", "bjoxMA", "eDox"):
        err = await inspector.error(LIST, {"first": 3, "after": bad})
        assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, bad
    err = await inspector.error(LIST, {"f": {"near": {"lat": 29.5, "lon": 106.5, "radiusM": 0}}})
    assert err["extensions"]["field"] == "filter.near.radiusM"


async def test_stats(inspector, register):
    q = "query($g: OutfallGroupBy!, $f: OutfallFilter) { outfallStats(groupBy: $g, filter: $f) { key label count } }"
    by_river = (await inspector(q, {"g": "RIVER"}))["outfallStats"]
    assert by_river == [{"key": "YANGTZE", "label": "长江", "count": 4}, {"key": "JIALING", "label": "嘉陵江", "count": 3},
                        {"key": "WU", "label": "乌江", "count": 1}]
    by_cat = {b["key"]: (b["label"], b["count"]) for b in (await inspector(q, {"g": "CATEGORY"}))["outfallStats"]}
    assert by_cat["INDUSTRIAL"] == ("工业排污口", 3)
    by_d = (await inspector(q, {"g": "DISTRICT", "f": {"riverCode": "YANGTZE"}}))["outfallStats"]
    assert {b["key"]: b["count"] for b in by_d} == {YUZHONG: 2, WANZHOU: 2}
    assert (await inspector(q, {"g": "PHASE"}))["outfallStats"][0]["label"].startswith("查")
    near = (await inspector(q, {"g": "STATUS", "f": {"near": {"lat": 30.8, "lon": 108.4, "radiusM": 3000}}}))
    assert near["outfallStats"] == [{"key": "ACTIVE", "label": "在用", "count": 2}]


async def test_location_in_chinese_map_datums(inspector, register):
    from server.domain.geo.crs import to_crs

    q = """{ outfalls(filter: {search: "朝天门"}) { edges { node {
      w: location { lat lon } g: location(crs: GCJ02) { lat lon } b: location(crs: BD09) { lat lon } } } } }"""
    n = (await inspector(q))["outfalls"]["edges"][0]["node"]
    assert (n["g"]["lat"], n["g"]["lon"]) == to_crs(n["w"]["lat"], n["w"]["lon"], "GCJ02")
    assert (n["b"]["lat"], n["b"]["lon"]) == to_crs(n["w"]["lat"], n["w"]["lon"], "BD09")
    assert n["g"] != n["w"]


async def test_outfall_by_id_or_code(inspector, register):
    o = (await inspector('{ outfall(code: "500101-00002") { id name } }'))["outfall"]
    assert o["name"] == "万州化工排口"
    assert (await inspector(f'{{ outfall(id: "{o["id"]}") {{ code }} }}'))["outfall"]["code"] == "500101-00002"
    assert (await inspector('{ outfall(code: "nope") { id } }'))["outfall"] is None
    assert (await inspector.error("{ outfall { id } }"))["extensions"]["code"] == "BAD_USER_INPUT"


async def test_reference_lists(inspector):
    d = await inspector("{ districts { code name nameEn } rivers { code name nameEn } }")
    assert len(d["districts"]) == 38
    assert {"code": "500103", "name": "渝中区", "nameEn": "Yuzhong District"} in d["districts"]
    assert {r["code"] for r in d["rivers"]} >= {"YANGTZE", "JIALING", "WU"}
