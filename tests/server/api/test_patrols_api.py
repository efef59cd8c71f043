"""Patrols: a GPS track uploaded once, measured by the server, idempotent on clientId, scoped on read."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from server.domain.geo.distance import haversine_m

RECORD = """mutation($i: RecordPatrolInput!) { recordPatrol(input: $i) {
  id clientId distanceM durationS pointCount districtCode mockedLocation note inspector { username }
  track { lat lon accuracyM at } } }"""

# Along the Yangtze bank in 渝中区.
WALK = [(29.5630, 106.5800), (29.5638, 106.5812), (29.5645, 106.5825), (29.5650, 106.5840)]


def patrol(client_id=None, points=WALK, minutes=30, **extra):
    end = datetime.now(timezone.utc).replace(microsecond=0)
    start = end - timedelta(minutes=minutes)
    step = (end - start) / max(1, len(points) - 1)
    return {"clientId": str(client_id or uuid.uuid4()), "startedAt": start.isoformat(), "endedAt": end.isoformat(),
            "track": [{"lat": la, "lon": lo, "accuracyM": 5.0, "at": (start + step * k).isoformat()}
                      for k, (la, lo) in enumerate(points)], **extra}


async def test_record_measures_the_track_and_replays(gql, users):
    g = await gql.as_("inspector")
    inp = patrol(note="巡河一次", mockedLocation=True)
    p = (await g(RECORD, {"i": inp}))["recordPatrol"]
    expected = sum(haversine_m(*a, *b) for a, b in zip(WALK, WALK[1:]))
    assert abs(p["distanceM"] - expected) < 0.2 and p["distanceM"] > 300
    assert p["durationS"] == 1800 and p["pointCount"] == 4 and p["districtCode"] == "500103"
    assert p["mockedLocation"] is True and p["note"] == "巡河一次" and p["inspector"]["username"] == "inspector"
    assert [(t["lat"], t["lon"]) for t in p["track"]] == WALK
    # A retry after a lost response returns the same patrol, not a second one.
    again = (await g(RECORD, {"i": inp}))["recordPatrol"]
    assert again["id"] == p["id"]
    listed = (await g("{ patrols(mine: true) { edges { node { id } } } }"))["patrols"]["edges"]
    assert [e["node"]["id"] for e in listed] == [p["id"]]
    # The same clientId with a different track is a conflict, not an overwrite.
    err = await g.error(RECORD, {"i": {**inp, "note": "改过"}})
    assert err["extensions"]["code"] == "CONFLICT"


async def test_bad_tracks_are_refused_naming_the_point(gql, users):
    g = await gql.as_("inspector")
    cases = [
        (patrol(points=[]), "track"),
        (patrol(points=[(29.56, 106.58), (39.9, 116.4)]), "track[1]"),
        ({**patrol(), "endedAt": (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat()}, "endedAt"),
        (patrol(minutes=25 * 60), "endedAt"),
    ]
    reversed_ = patrol()
    reversed_["track"][1]["at"], reversed_["track"][2]["at"] = reversed_["track"][2]["at"], reversed_["track"][1]["at"]
    cases.append((reversed_, "track[2].at"))
    for inp, field in cases:
        err = await g.error(RECORD, {"i": inp})
        assert err["extensions"]["code"] == "BAD_USER_INPUT", err
        assert err["extensions"].get("field") == field, (field, err)
    assert (await g("{ patrols { edges { node { id } } } }"))["patrols"]["edges"] == []


async def test_reads_are_scoped_to_the_district(gql, users):
    mine = (await (await gql.as_("inspector"))(RECORD, {"i": patrol()}))["recordPatrol"]["id"]
    theirs = (await (await gql.as_("inspector2"))(RECORD, {"i": patrol()}))["recordPatrol"]["id"]
    officer = await gql.as_("officer")  # 500103
    seen = (await officer("{ patrols { edges { node { id districtCode } } } }"))["patrols"]["edges"]
    assert [e["node"]["id"] for e in seen] == [mine]
    assert (await officer.error(f'{{ patrol(id: "{theirs}") {{ id }} }}'))["extensions"]["code"] == "FORBIDDEN"
    sup = await gql.as_("supervisor")
    seen = (await sup("{ patrols { edges { node { id } } } }"))["patrols"]["edges"]
    assert {e["node"]["id"] for e in seen} == {mine, theirs}
    err = await (await gql.as_("integrator")).error(RECORD, {"i": patrol()})
    assert err["extensions"]["code"] == "FORBIDDEN"
