"""outfallPoints, the overview map's columnar read: the same outfalls, positions, phases and latest
exceedance (as each caller may see it) as paging through `outfalls`, the same filter errors, and the
response cache keyed by data version; on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from server.domain.geo.crs import to_crs

POINTS = """query($f: OutfallFilter, $crs: Crs) { outfallPoints(filter: $f, crs: $crs) {
  count ids lats lons codes phases categories districtCodes riverCodes exceeded
  phaseKeys phaseIndex districtKeys districtIndex } }"""
PAGE = """query($f: OutfallFilter, $after: String) { outfalls(filter: $f, first: 500, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { id code phase category district { code } river { code }
  location { lat lon } latestInspection { measurements { exceeded } } } } } }"""
RECORD = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }"""
WANZHOU = "500101"


@pytest.fixture
async def seeded(db):
    from server.demo.seed import demo_password, district_codes_by_name, seed_demo
    from server.domain.users.service import create_user

    async with db.transaction() as s:
        await seed_demo(session=s, outfalls_per_km=0.05)
        codes = district_codes_by_name()
        for username, role in (("inspector2", "INSPECTOR"), ("officer2", "DISTRICT_OFFICER")):
            await create_user(session=s, username=username, password=demo_password(username), role=role,
                              district_code=codes["万州区"])
    return db


async def paged(g, f: dict | None) -> list[dict]:
    out, after = [], None
    while True:
        d = (await g(PAGE, {"f": f, "after": after}))["outfalls"]
        out += [e["node"] for e in d["edges"]]
        if not d["pageInfo"]["hasNextPage"]:
            return out
        after = d["pageInfo"]["endCursor"]


def exceeded(node: dict) -> int:
    li = node["latestInspection"]
    return -1 if li is None else int(any(m["exceeded"] for m in li["measurements"]))


async def record(g, outfall_id: str, cod: float) -> None:
    await g(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": outfall_id, "flowing": True,
                           "observedAt": datetime.now(UTC).isoformat(),
                           "measurements": [{"parameter": "COD", "value": cod}, {"parameter": "NH3_N", "value": 0.3}]}})


async def inspect_in_two_districts(gql, cod_500103: float, cod_wanzhou: float) -> None:
    """A latest inspection (COD against an approved limit of 60) at one outfall in each of two districts,
    so a district role's view of exceedances differs from the city's."""
    from tests.server.lifecycle.test_standard_api import SET_STD

    sup = await gql.as_("supervisor")
    for who, district, cod in (("inspector", "500103", cod_500103), ("inspector2", WANZHOU, cod_wanzhou)):
        g = await gql.as_(who)
        node = (await g("query($d:String){ outfalls(filter:{districtCode:$d}, first:1){ edges { node { id } } } }",
                        {"d": district}))["outfalls"]["edges"][0]["node"]
        await sup(SET_STD, {"id": node["id"], "i": {"standard": "SECTOR", "sectorStandard": "test", "approvedLimits": [
            {"parameter": "COD", "limitMax": 60.0, "basis": "test approval"}]}})
        await record(g, node["id"], cod)


async def test_points_equal_the_paged_register_for_every_caller(gql, seeded):
    await inspect_in_two_districts(gql, 900.0, 5.0)
    seen_hidden = False
    for who in ("supervisor", "officer", "officer2"):
        g = await gql.as_(who)
        for f in (None, {"districtCode": WANZHOU}, {"phase": "SURVEYED", "riverCode": "JIALING"},
                  {"bbox": {"south": 29.4, "west": 106.3, "north": 29.8, "east": 106.8}}):
            want = await paged(g, f)
            c = (await g(POINTS, {"f": f}))["outfallPoints"]
            assert c["count"] == len(want) == len(c["ids"]) == len(c["lats"]) == len(c["exceeded"])
            assert c["ids"] == [int(n["id"]) for n in want]
            assert c["codes"] == [n["code"] for n in want]
            assert c["phases"] == [n["phase"] for n in want]
            assert c["categories"] == [n["category"] for n in want]
            assert c["districtCodes"] == [n["district"]["code"] for n in want]
            assert c["riverCodes"] == [n["river"]["code"] for n in want]
            assert [c["phaseKeys"][i] for i in c["phaseIndex"]] == c["phases"]
            assert [c["districtKeys"][i] for i in c["districtIndex"]] == c["districtCodes"]
            for lat, lon, n in zip(c["lats"], c["lons"], want):
                assert (lat, lon) == pytest.approx((n["location"]["lat"], n["location"]["lon"]), abs=5.1e-6)
            assert c["exceeded"] == [exceeded(n) for n in want]
        if who == "officer2":
            seen_hidden = 1 not in c["exceeded"]  # the Yuzhong exceedance is not Wanzhou's to see
        else:
            assert 1 in (await g(POINTS, {"f": None}))["outfallPoints"]["exceeded"]
    assert seen_hidden


async def test_points_in_gcj02(gql, seeded):
    g = await gql.as_("supervisor")
    wgs = (await g(POINTS, {"f": {"districtCode": "500103"}}))["outfallPoints"]
    gcj = (await g("""query($f: OutfallFilter) { outfallPoints(filter: $f, crs: GCJ02) { ids lats lons } }""",
                   {"f": {"districtCode": "500103"}}))["outfallPoints"]
    assert gcj["ids"] == wgs["ids"] and wgs["ids"]
    for la, lo, gla, glo in zip(wgs["lats"], wgs["lons"], gcj["lats"], gcj["lons"]):
        assert (gla, glo) == pytest.approx(to_crs(la, lo, "GCJ02"), abs=2e-5)
        assert abs(gla - la) + abs(glo - lo) > 1e-3
    plain = (await g("{ outfallPoints { count ids } }"))["outfallPoints"]
    assert plain["count"] == len(plain["ids"]) > len(wgs["ids"])


@pytest.mark.parametrize("f, field", [
    ({"districtCode": "999999"}, "filter.districtCode"),
    ({"riverCode": "NILE"}, "filter.riverCode"),
    ({"bbox": {"south": 30, "west": 106, "north": 29, "east": 107}}, "filter.bbox"),
    ({"search": "x" * 101}, "filter.search"),
])
async def test_bad_filter_names_the_field(gql, seeded, f, field):
    g = await gql.as_("supervisor")
    err = await g.error(POINTS, {"f": f})
    assert err["extensions"]["code"] == "BAD_USER_INPUT"
    assert err["extensions"]["field"] == field


async def test_unauthenticated_is_refused(gql, seeded):
    err = await gql.error("{ outfallPoints { count } }", token="")
    assert err["extensions"]["code"] == "UNAUTHENTICATED"


async def test_cached_by_data_version(gql, client, seeded):
    g = await gql.as_("supervisor")
    body = {"query": "{ outfallPoints { count ids } }"}
    h = {"Authorization": f"Bearer {g.token}"}
    first = await client.post("/graphql", json=body, headers=h)
    again = await client.post("/graphql", json=body, headers=h)
    assert again.headers.get("x-cache") == "hit" and again.json() == first.json()
    sup = await gql.as_("supervisor")
    new = (await sup("""mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }""", {"i": {
        "clientId": str(uuid.uuid4()), "name": "新排口", "category": "OTHER", "riverCode": "YANGTZE",
        "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587}}}))["registerOutfall"]
    after = (await client.post("/graphql", json=body, headers=h))
    assert after.headers.get("x-cache") != "hit"
    assert after.json()["data"]["outfallPoints"]["ids"][-1] == int(new["id"])
    assert after.json()["data"]["outfallPoints"]["count"] == first.json()["data"]["outfallPoints"]["count"] + 1
