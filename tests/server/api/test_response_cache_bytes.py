"""The response cache is bounded by bytes (issue 12 item 7): an answer over the entry cap is served but
not kept, and the total never passes the byte cap however many different answers come through.
The old cache counted entries only: 256 of them, one of 7.8 MB, could hold ~2 GB."""
from __future__ import annotations

import httpx

from server.app import create_app
from server.storage import make_store
from server.web.middleware.response_cache import ResponseCache
from server.web.wiring import Services
from tests.server.api.test_response_cache import MAP, REGISTER, reg
from tests.server.conftest import Gql


def cache_of(app) -> ResponseCache:
    layer = app.middleware_stack
    while not isinstance(layer, ResponseCache):
        layer = layer.app
    return layer


async def client_for(settings, db, **caps):
    s = settings.with_(**caps)
    app = create_app(s, services=Services(settings=s, db=db, store=make_store(s)))
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def ask(c, token, variables):
    r = await c.post("/graphql", json={"query": MAP, "variables": variables},
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and "errors" not in r.json(), r.text[:300]
    return r.headers.get("x-cache"), len(r.content)


async def test_an_answer_over_the_entry_cap_is_not_kept(settings, db, users):
    app, c = await client_for(settings, db, response_cache_entry_bytes=300)
    async with c:
        sup = Gql(c)
        sup.token = await sup.login("supervisor")
        for i in range(5):
            await sup(REGISTER, {"i": reg(f"大答复排口{i}")})
        assert (await ask(c, sup.token, {}))[0] is None
        how, size = await ask(c, sup.token, {})
        assert how is None and size > 300  # served again, never from the cache
        assert cache_of(app).entries == {} and cache_of(app).oversized == 2
        small = {"f": {"districtCode": "500101"}}  # an empty page: under the cap, so kept
        await ask(c, sup.token, small)
        assert (await ask(c, sup.token, small))[0] == "hit"


async def test_the_total_stays_under_the_byte_cap(settings, db, users):
    app, c = await client_for(settings, db, response_cache_bytes=600, response_cache_entry_bytes=600)
    async with c:
        sup = Gql(c)
        sup.token = await sup.login("supervisor")
        await sup(REGISTER, {"i": reg("一号排口")})
        sizes = []
        for radius in range(100, 2100, 100):  # twenty different answers of a few hundred bytes each
            variables = {"f": {"near": {"lat": 29.56, "lon": 106.58, "radiusM": radius}}}
            sizes.append((await ask(c, sup.token, variables))[1])
            cache = cache_of(app)
            assert cache.size == sum(len(v) for v in cache.entries.values()) <= 600
        assert sum(sizes) > 3 * 600 and 1 <= len(cache.entries) < 20
        # The most recent answer is still there; the first was pushed out.
        last = {"f": {"near": {"lat": 29.56, "lon": 106.58, "radiusM": 2000}}}
        first = {"f": {"near": {"lat": 29.56, "lon": 106.58, "radiusM": 100}}}
        assert (await ask(c, sup.token, last))[0] == "hit"
        assert (await ask(c, sup.token, first))[0] is None
