"""The data-versioned response cache never serves a stale, foreign or unauthenticated answer."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import text

from server.web.middleware.response_cache import cacheable

MAP = """query($f: OutfallFilter) { outfalls(filter: $f, first: 500) { totalCount edges { node { code name
  district { code } latestInspection { observedAt } } } } }"""
REGISTER = "mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }"


def reg(name="排口", d="500103", lat=29.56, lon=106.58):
    return {"clientId": str(uuid.uuid4()), "name": name, "category": "OTHER", "riverCode": "YANGTZE",
            "districtCode": d, "location": {"lat": lat, "lon": lon}}


async def post(gql, query, variables=None, token=None):
    r = await gql.client.post("/graphql", json={"query": query, "variables": variables or {}},
                              headers={"Authorization": f"Bearer {token or gql.token}"})
    return r.headers.get("x-cache"), r.json()


def test_only_hot_reads_are_cacheable():
    assert cacheable(MAP, None)
    assert cacheable("{ districts { code } rivers { code } }", None)
    assert cacheable("{ outfalls { edges { node { ...F } } } } fragment F on Outfall { code }", None)
    assert not cacheable("{ outfalls { edges { node { ...F } } } } fragment F on Outfall { tasks { totalCount } }",
                         None)
    for q in ("{ me { username } }", "{ tasks { totalCount } }", "{ outfalls { edges { node { tasks { totalCount } } } } }",
              '{ outfall(code: "x") { latestInspection { media { url } } } }', "mutation { logout }",
              "{ __schema { types { name } } }", "{ outfalls { edges { node { ...X } } } }", "{ nope"):
        assert not cacheable(q, None), q


async def test_type_definitions_in_a_query_are_a_client_error_not_a_crash(gql, users):
    """The cache's planner read every non-operation definition as a fragment (found by mypy): a spread
    naming an SDL type, or a `schema` definition, raised inside the middleware (HTTP 500)."""
    sup = await gql.as_("supervisor")
    for q in ("{ outfalls { edges { node { ...Foo } } } } type Foo { x: Int }",
              "{ districts { code } } schema { query: Q }"):
        r = await sup.client.post("/graphql", json={"query": q}, headers={"Authorization": f"Bearer {sup.token}"})
        assert r.status_code < 500 and r.json()["errors"], (q, r.status_code, r.text)


async def test_writes_invalidate_and_hits_are_served(gql, users, db):
    sup = await gql.as_("supervisor")
    await sup(REGISTER, {"i": reg("一号")})
    assert (await post(sup, MAP))[0] is None  # miss
    hit, body = await post(sup, MAP)
    assert hit == "hit" and [e["node"]["name"] for e in body["data"]["outfalls"]["edges"]] == ["一号"]
    await sup(REGISTER, {"i": reg("二号")})
    miss, body = await post(sup, MAP)
    assert miss is None and body["data"]["outfalls"]["totalCount"] == 2
    # A write that bypasses the ORM (a bulk import, psql) moves the version too.
    async with db.transaction() as s:
        await s.execute(text("UPDATE outfalls SET name = '改名' WHERE name = '一号'"))
    _, body = await post(sup, MAP)
    assert "改名" in {e["node"]["name"] for e in body["data"]["outfalls"]["edges"]}
    # Different variables are a different answer.
    hit, body = await post(sup, MAP, {"f": {"search": "二"}})
    assert hit is None and body["data"]["outfalls"]["totalCount"] == 1


async def test_visibility_and_authentication_are_part_of_a_hit(gql, users, db, settings):
    from server.domain.actor import Actor
    from server.domain.inspections.service import record_inspection

    sup = await gql.as_("supervisor")
    oid = (await sup(REGISTER, {"i": reg()}))["registerOutfall"]["id"]
    admin = Actor(user_id=users["admin"], username="admin", role="ADMIN", district_code=None)
    async with db.transaction() as s:
        await record_inspection(session=s, actor=admin, settings=settings, client_id=uuid.uuid4(),
                                outfall_id=int(oid), observed_at=datetime.now(timezone.utc))
    await post(sup, MAP)
    assert (await post(sup, MAP))[1]["data"]["outfalls"]["edges"][0]["node"]["latestInspection"]
    other = await gql.as_("inspector2")  # Wanzhou: may not see Yuzhong's inspections
    _, body = await post(other, MAP)
    assert body["data"]["outfalls"]["edges"][0]["node"]["latestInspection"] is None
    token = sup.token
    await sup("mutation { logout }")
    hit, body = await post(sup, MAP, token=token)
    assert hit is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    hit, body = await post(sup, MAP, token="garbage")
    assert hit is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_no_caching_without_a_version_row(gql, users, db):
    sup = await gql.as_("supervisor")
    async with db.transaction() as s:
        await s.execute(text("DELETE FROM data_version"))
    await post(sup, MAP)
    hit, body = await post(sup, MAP)
    assert hit is None and "errors" not in body


DETAIL = """query($id: ID!) { outfall(id: $id) { code inspections(first: 20) { edges { node { observedAt
  measurements { parameter value exceeded } media { id sha256 status } } } } } }"""


async def test_detail_pages_with_photos_are_cached_and_uploads_leave_the_map_alone(gql, client, users, db):
    from tests.server.api.test_loop_api import RECORD, photo
    from tests.server.api.test_media_api import REQUEST, upload_input
    from tests.factories.images import make_jpeg

    assert cacheable(DETAIL, None)
    insp = await gql.as_("inspector")
    oid = (await insp(REGISTER, {"i": reg(lat=29.5647, lon=106.587)}))["registerOutfall"]["id"]
    await post(insp, DETAIL, {"id": oid})
    hit, body = await post(insp, DETAIL, {"id": oid})
    assert hit == "hit" and body["data"]["outfall"]["inspections"]["edges"] == []
    await post(insp, MAP)
    assert (await post(insp, MAP))[0] == "hit"
    # A photo upload (media row 2 only) keeps the map cached but not the detail page.
    pid = await photo(insp, client, seed=77)
    assert (await post(insp, MAP))[0] == "hit"
    await insp(RECORD, {"i": {"clientId": str(uuid.uuid4()), "outfallId": oid,
                              "observedAt": datetime.now(timezone.utc).isoformat(), "mediaIds": [pid],
                              "measurements": [{"parameter": "COD", "value": 12.0}]}})
    hit, body = await post(insp, DETAIL, {"id": oid})
    node = body["data"]["outfall"]["inspections"]["edges"][0]["node"]
    assert hit is None and node["media"] == [{"id": pid, "sha256": node["media"][0]["sha256"], "status": "READY"}]
    assert (await post(insp, DETAIL, {"id": oid}))[0] == "hit"
    # A change to the photo alone (no inspection write) moves row 2 and so the cached detail.
    async with db.transaction() as s:
        await s.execute(text("UPDATE media SET status = 'REJECTED' WHERE id = :i"), {"i": int(pid)})
    hit, body = await post(insp, DETAIL, {"id": oid})
    assert hit is None and body["data"]["outfall"]["inspections"]["edges"][0]["node"]["media"][0]["status"] == "REJECTED"
    # An upload request alone changes nothing the map shows.
    await post(insp, MAP)
    data = make_jpeg(seed=78)
    await insp(REQUEST, {"i": upload_input(data)})
    assert (await post(insp, MAP))[0] == "hit"


async def test_identical_misses_share_one_execution(gql, users, db):
    import asyncio

    from sqlalchemy import event

    sup = await gql.as_("supervisor")
    for k in range(3):
        await sup(REGISTER, {"i": reg(f"{k}号")})
    pages = []

    def count(conn, cursor, statement, *_):
        if statement.lstrip().startswith("SELECT outfalls.id"):
            pages.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        answers = await asyncio.gather(*[post(sup, MAP) for _ in range(8)])
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    assert len(pages) == 1, f"{len(pages)} executions for 8 identical requests"
    assert sorted(h or "miss" for h, _ in answers) == ["miss"] + ["shared"] * 7
    assert len({str(b) for _, b in answers}) == 1 and answers[0][1]["data"]["outfalls"]["totalCount"] == 3
