"""Sign-in, tokens and the rule that nothing is readable without one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest

ME = "{ me { username displayName role district { code name } } }"


async def test_login_and_me(gql, users):
    d = await gql("mutation { login(username: \"inspector\", password: \"inspector-demo\") { token expiresAt "
                  "user { username role district { code } } } }")
    p = d["login"]
    assert p["user"] == {"username": "inspector", "role": "INSPECTOR", "district": {"code": "500103"}}
    exp = datetime.fromisoformat(p["expiresAt"])
    assert exp.tzinfo is not None and timedelta(hours=11) < exp - datetime.now(timezone.utc) <= timedelta(hours=12)
    me = (await gql(ME, token=p["token"]))["me"]
    assert me["role"] == "INSPECTOR" and me["district"]["name"] == "渝中区"
    assert (await gql(ME))["me"] is None


@pytest.mark.parametrize("username, password", [("inspector", "wrong-password"), ("nobody", "whatever-1")])
async def test_bad_login_is_one_vague_error(gql, users, username, password):
    err = await gql.error("mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}",
                          {"u": username, "p": password})
    assert err["extensions"]["code"] == "UNAUTHENTICATED"
    assert err["message"] == "wrong username or password"


async def test_register_is_closed_without_a_valid_token(gql, users, settings):
    for q in ("{ outfalls { totalCount } }", "{ districts { code } }", '{ outfall(code: "x") { id } }',
              "{ outfallStats(groupBy: RIVER) { key } }"):
        assert (await gql.error(q))["extensions"]["code"] == "UNAUTHENTICATED", q
    now = datetime.now(timezone.utc)
    expired = jwt.encode({"sub": str(users["admin"]), "tv": 0, "exp": int((now - timedelta(minutes=1)).timestamp())},
                         settings.secret_key, algorithm="HS256")
    err = await gql.error("{ outfalls { totalCount } }", token=expired)
    assert (err["extensions"]["code"], err["message"]) == ("UNAUTHENTICATED", "token expired; sign in again")
    forged = jwt.encode({"sub": str(users["admin"]), "tv": 0, "exp": int((now + timedelta(hours=1)).timestamp())},
                        "another-secret-entirely-" + "y" * 20, algorithm="HS256")
    assert (await gql.error("{ outfalls { totalCount } }", token=forged))["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await gql.error("{ outfalls { totalCount } }", token="abc.def"))["extensions"]["code"] == \
        "UNAUTHENTICATED"


async def test_revoked_token_stops_working(gql, users, db):
    from server.domain.users.models import User

    token = await gql.login("supervisor")
    assert (await gql(ME, token=token))["me"]["username"] == "supervisor"
    async with db.transaction() as s:
        (await s.get(User, users["supervisor"])).token_version += 1
    assert (await gql.error(ME, token=token))["extensions"]["code"] == "UNAUTHENTICATED"
