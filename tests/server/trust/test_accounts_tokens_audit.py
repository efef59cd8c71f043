"""Sign-in throttling, sign-out and password change revoke tokens, integrator tokens, the audit trail."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from tests.factories.images import make_jpeg
from tests.server.api.test_media_api import COMPLETE, upload

LOGIN = "mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}"
ME = "{ me { username } }"


def freeze_throttle_clock(app) -> None:
    """Past the free budget the delays start at 1 s: a slow run must not see them run out."""
    app.state.services.password_throttle.clock = lambda: 1_700_000_000.0


async def test_failed_sign_ins_are_throttled_per_user(gql, users, app):
    freeze_throttle_clock(app)
    for _ in range(5):
        err = await gql.error(LOGIN, {"u": "inspector", "p": "wrong-password"}, token="")
        assert err["extensions"]["code"] == "UNAUTHENTICATED"
    err = await gql.error(LOGIN, {"u": "inspector", "p": "inspector-demo"}, token="")
    assert err["extensions"]["code"] == "RATE_LIMITED" and err["extensions"]["retryAfter"] > 0
    # Other users are not locked out by one user's attacker (below the address's own budget).
    assert await gql.login("officer")


async def test_failed_sign_ins_are_throttled_per_address(gql, users, app):
    freeze_throttle_clock(app)
    for i in range(20):
        await gql.error(LOGIN, {"u": f"nobody{i}", "p": "wrong-password"}, token="")
    err = await gql.error(LOGIN, {"u": "supervisor", "p": "supervisor-demo"}, token="")
    assert err["extensions"]["code"] == "RATE_LIMITED"


async def test_logout_and_password_change_end_old_tokens(gql, users):
    t1 = await gql.login("inspector")
    t2 = await gql.login("inspector")
    assert (await gql("mutation { logout }", token=t1))["logout"] is True
    for t in (t1, t2):
        assert (await gql.error(ME, token=t))["extensions"]["code"] == "UNAUTHENTICATED"
    t3 = await gql.login("inspector")
    cp = "mutation($o:String!,$n:String!){changePassword(oldPassword:$o,newPassword:$n){token}}"
    assert (await gql.error(cp, {"o": "not-it-at-all", "n": "new-password-1"}, token=t3))["extensions"]["code"] == \
        "UNAUTHENTICATED"
    assert (await gql.error(cp, {"o": "inspector-demo", "n": "short"}, token=t3))["extensions"]["field"] == "password"
    new = (await gql(cp, {"o": "inspector-demo", "n": "new-password-1"}, token=t3))["changePassword"]["token"]
    assert (await gql.error(ME, token=t3))["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await gql(ME, token=new))["me"]["username"] == "inspector"
    assert await gql.login("inspector", "new-password-1")


CREATE_TOKEN = """mutation($n:String!,$u:String!,$s:[Scope!]!){createApiToken(name:$n,username:$u,scopes:$s){
  token apiToken { id name scopes lastUsedAt revokedAt } } }"""
CREATE_TASK = """mutation($i: CreateTaskInput!) { createTask(input: $i) { id kind source createdBy { username } } }"""


def detection(kind="FLOATING_DEBRIS", **kw):
    return {"clientId": str(uuid.uuid4()), "kind": kind, "source": "VIDEO_AI", "title": "视频AI：江面漂浮物",
            "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587},
            "deadline": (datetime.now(timezone.utc) + timedelta(days=2)).isoformat(), **kw}


async def test_integrator_tokens(gql, users, client, db):
    admin = await gql.as_("admin")
    sup = await gql.as_("supervisor")
    assert (await sup.error(CREATE_TOKEN, {"n": "x", "u": "integrator", "s": ["READ"]}))["extensions"]["code"] == \
        "FORBIDDEN"
    err = await admin.error(CREATE_TOKEN, {"n": "x", "u": "inspector", "s": ["READ"]})
    assert err["extensions"]["field"] == "username"
    assert "Scope" in (await admin.error(CREATE_TOKEN, {"n": "x", "u": "integrator", "s": ["root"]}))["message"]
    reader = (await admin(CREATE_TOKEN, {"n": "大屏", "u": "integrator", "s": ["READ"]}))["createApiToken"]
    video = (await admin(CREATE_TOKEN, {"n": "视频AI", "u": "integrator", "s": ["READ", "TASKS_CREATE"]}))[
        "createApiToken"]
    assert reader["token"].startswith("owk_") and reader["apiToken"]["lastUsedAt"] is None
    # Stored hashed: the secret is nowhere in the database.
    from server.domain.users.models import ApiToken
    async with db.session() as s:
        stored = [t.token_hash for t in (await s.execute(select(ApiToken))).scalars()]
    assert reader["token"] not in stored and len(stored[0]) == 64
    # Read scope reads, cannot write.
    assert (await gql("{ outfalls { totalCount } }", token=reader["token"]))["outfalls"]["totalCount"] == 0
    assert (await gql.error(CREATE_TASK, {"i": detection()}, token=reader["token"]))["extensions"]["code"] == \
        "FORBIDDEN"
    # tasks:create raises detection tasks, with a photo, and nothing else.
    vid = type(gql)(gql.client)
    vid.token = video["token"]
    pic = (await vid(COMPLETE, {"id": (await upload(vid, client, make_jpeg(seed=60)))["media"]["id"]}))
    t = (await vid(CREATE_TASK, {"i": detection(mediaIds=[pic["completeUpload"]["id"]])}))["createTask"]
    assert (t["kind"], t["source"], t["createdBy"]["username"]) == ("FLOATING_DEBRIS", "VIDEO_AI", "integrator")
    err = await vid.error(CREATE_TASK, {"i": detection(kind="SIGNBOARD")})
    assert err["extensions"]["code"] == "FORBIDDEN"
    toks = (await admin("{ apiTokens { id lastUsedAt revokedAt } }"))["apiTokens"]
    assert all(x["lastUsedAt"] for x in toks)
    # Revoked: refused from then on.
    await admin("mutation($id:ID!){revokeApiToken(id:$id){revokedAt}}", {"id": reader["apiToken"]["id"]})
    err = await gql.error("{ outfalls { totalCount } }", token=reader["token"])
    assert (err["extensions"]["code"], err["message"]) == ("UNAUTHENTICATED", "API token revoked")
    assert (await gql.error(ME, token=reader["token"][:-2] + "xx"))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_token_rate_limit(gql, users, app):
    admin = await gql.as_("admin")
    tok = (await admin(CREATE_TOKEN, {"n": "大屏", "u": "integrator", "s": ["READ"]}))["createApiToken"]["token"]
    app.state.services.token_limit.limit = 3
    for _ in range(3):
        await gql("{ districts { code } }", token=tok)
    err = await gql.error("{ districts { code } }", token=tok)
    assert err["extensions"]["code"] == "RATE_LIMITED"


AUDIT = """query($t: String, $o: String) { auditEvents(objectType: $t, objectId: $o) { edges { node {
  action objectType objectId change before after actorName clientAddr } } } }"""


async def test_every_mutation_is_audited_and_the_trail_is_append_only(gql, users, db):
    insp = await gql.as_("inspector")
    o = (await insp("""mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }""",
                    {"i": {"clientId": str(uuid.uuid4()), "name": "审计排口", "category": "OTHER",
                           "riverCode": "YANGTZE", "districtCode": "500103",
                           "location": {"lat": 29.56, "lon": 106.58}}}))["registerOutfall"]
    await insp("""mutation($id: ID!) { updateOutfall(id: $id, input: {name: "改名排口"}) { id } }""", {"id": o["id"]})
    sup = await gql.as_("supervisor")
    assert (await insp.error(AUDIT))["extensions"]["code"] == "FORBIDDEN"
    ev = [e["node"] for e in (await sup(AUDIT, {"t": "outfall", "o": o["id"]}))["auditEvents"]["edges"]]
    assert [(e["action"], e["change"]) for e in ev] == [("updateOutfall", "update"), ("registerOutfall", "create")]
    upd = ev[0]
    assert upd["before"]["name"] == "审计排口" and upd["after"]["name"] == "改名排口"
    assert upd["actorName"] == "inspector" and upd["clientAddr"] == "127.0.0.1"
    assert "request_hash" not in ev[1]["after"]
    # The database refuses to change or delete audit rows.
    for sql in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            async with db.transaction() as s:
                await s.execute(text(sql))
    # No mutation in the API edits it either.
    from server.graphql.schema import create_schema
    muts = create_schema().as_str().split("type Mutation {")[1].split("}")[0]
    assert "audit" not in muts.lower()


async def test_other_districts_inspections_do_not_leak_through_the_register(gql, users, db, settings):
    from server.domain.actor import Actor
    from server.domain.inspections.service import record_inspection
    from server.domain.outfalls.service import Point, register_outfall

    admin = Actor(user_id=users["admin"], username="admin", role="ADMIN", district_code=None)
    async with db.transaction() as s:
        o = await register_outfall(session=s, actor=admin, client_id=uuid.uuid4(), name="渝中排口", category="OTHER",
                                   river_code="YANGTZE", district_code="500103", location=Point(29.56, 106.58))
        await record_inspection(session=s, actor=admin, settings=settings, client_id=uuid.uuid4(), outfall_id=o.id,
                                observed_at=datetime.now(timezone.utc))
    q = f'{{ outfall(id: "{o.id}") {{ latestInspection {{ id }} inspections {{ totalCount }} tasks {{ totalCount }} }} }}'
    mine = (await (await gql.as_("inspector"))(q))["outfall"]
    theirs = (await (await gql.as_("inspector2"))(q))["outfall"]
    assert mine["latestInspection"] and mine["inspections"]["totalCount"] == 1
    assert theirs == {"latestInspection": None, "inspections": {"totalCount": 0}, "tasks": {"totalCount": 0}}
