"""Every cell of docs/permissions.md, run through GraphQL. An operation without a row fails here."""
from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path


from server.domain.actor import Actor
from server.domain.media.models import Media
from server.domain.outfalls.service import Point, register_outfall
from server.domain.tasks import service as tasks
from server.graphql.context import build_context
from tests.factories.images import make_jpeg
from tests.server.api import attestation_matrix as attestation_ops
from tests.server.lifecycle import matrix as lifecycle_ops
from tests.server.stations import matrix as station_ops

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"
ROLES = {"INSPECTOR": ("inspector", "inspector2"), "DISTRICT_OFFICER": ("officer", "officer2"),
         "SUPERVISOR": ("supervisor",), "ADMIN": ("admin",), "INTEGRATOR": ("integrator",)}
DISTRICT = {"own": "500103", "other": "500101"}
SPOT = {"500103": (29.5647, 106.587), "500101": (30.80, 108.40)}


def matrix() -> dict[tuple[str, str, str], str]:
    lines = [row for row in DOC.read_text(encoding="utf-8").splitlines() if row.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    cells = {}
    for line in lines[1:]:
        cols = [c.strip() for c in line.strip("|").split("|")]
        if set(cols[0]) <= {"-"}:
            continue
        for h, v in zip(header[1:], cols[1:]):
            role, where = h.rsplit(" ", 1)
            assert v in ("yes", "no", "scoped"), (cols[0], h, v)
            cells[(cols[0], role, where)] = v
    return cells


def schema_operations() -> set[str]:
    from server.graphql.schema import create_schema

    gs = create_schema()._schema
    return {f"{t.name}.{f}" for t in (gs.query_type, gs.mutation_type, gs.subscription_type) if t
            for f in t.fields}


def test_every_operation_has_a_row():
    rows = {op for op, _, _ in matrix()}
    assert schema_operations() - rows == set(), "add these operations to docs/permissions.md"
    assert rows - schema_operations() == set(), "docs/permissions.md lists operations the schema lacks"


class World:
    def __init__(self, db, users, gql, settings, app):
        self.db, self.users, self.gql, self.settings, self.app = db, users, gql, settings, app
        self.admin = Actor(user_id=users["admin"], username="admin", role="ADMIN", district_code=None)
        self.tokens: dict[str, str] = {}
        self.outfalls: dict[str, int] = {}
        self.inspections: dict[str, int] = {}
        self.media: dict[str, int] = {}
        self.patrols: dict[str, int] = {}

    async def token(self, username: str, fresh: bool = False) -> str:
        if fresh or username not in self.tokens:
            self.tokens[username] = await self.gql.login(username)
        return self.tokens[username]

    async def setup(self):
        from server.domain.inspections.service import record_inspection

        async with self.db.transaction() as s:
            for d, (lat, lon) in SPOT.items():
                o = await register_outfall(session=s, actor=self.admin, client_id=uuid.uuid4(), name="矩阵排口",
                                           category="OTHER", river_code="YANGTZE", district_code=d,
                                           location=Point(lat, lon))
                self.outfalls[d] = o.id
                i = await record_inspection(session=s, actor=self.admin, settings=self.settings,
                                            client_id=uuid.uuid4(), outfall_id=o.id,
                                            observed_at=datetime.now(timezone.utc))
                self.inspections[d] = i.id
        for d, who in (("500103", "inspector"), ("500101", "inspector2")):
            self.media[d] = await self.ready_media(who, d)
            self.patrols[d] = await self.patrol(who, d)
        for d in SPOT:
            await self.task(d)

    async def ready_media(self, username: str, district: str | None) -> int:
        async with self.db.transaction() as s:
            m = Media(client_id=str(uuid.uuid4()), request_hash="x", uploader_id=self.users[username],
                      district_code=district, kind="PHOTO", filename="a.jpg", content_type="image/jpeg", size_bytes=1,
                      sha256=uuid.uuid4().hex * 2, key=f"media/x/{uuid.uuid4()}/original", status="READY",
                      expires_at=datetime.now(timezone.utc) + timedelta(minutes=5), checks=[])
            s.add(m)
            await s.flush()
            return m.id

    async def patrol(self, username: str, district: str) -> int:
        from server.domain.patrols.service import TrackPoint, record_patrol

        lat, lon = SPOT[district]
        now = datetime.now(timezone.utc)
        actor = Actor(user_id=self.users[username], username=username, role="INSPECTOR", district_code=district)
        async with self.db.transaction() as s:
            p = await record_patrol(session=s, actor=actor, client_id=uuid.uuid4(), started_at=now - timedelta(minutes=5),
                                    ended_at=now, track=[TrackPoint(lat, lon, now - timedelta(minutes=5)),
                                                         TrackPoint(lat + 0.001, lon, now)])
            return p.id

    async def pending_media(self, username: str) -> int:
        """A PENDING upload whose bytes are already in the store, ready to complete."""
        data = make_jpeg(seed=99)
        async with self.db.transaction() as s:
            m = Media(client_id=str(uuid.uuid4()), request_hash="x", uploader_id=self.users[username],
                      kind="PHOTO", filename="a.jpg", content_type="image/jpeg", size_bytes=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), key=f"media/p/{uuid.uuid4()}/original",
                      expires_at=datetime.now(timezone.utc) + timedelta(minutes=5), checks=[])
            s.add(m)
            await s.flush()
        await self.app.state.services.store.put(m.key, data, content_type="image/jpeg")
        return m.id

    async def task(self, district: str) -> int:
        async with self.db.transaction() as s:
            t = await tasks.create_task(session=s, actor=self.admin, settings=self.settings, client_id=uuid.uuid4(),
                                        kind="OTHER", source="MANUAL", title="矩阵任务", district_code=district,
                                        outfall_id=self.outfalls[district],
                                        deadline=datetime.now(timezone.utc) + timedelta(days=3))
            return t.id

    async def pending_submission(self, district: str) -> int:
        officer = "officer" if district == "500103" else "officer2"
        before, after = await self.ready_media(officer, district), await self.ready_media(officer, district)
        tid = await self.task(district)
        actor = Actor(user_id=self.users[officer], username=officer, role="DISTRICT_OFFICER", district_code=district)
        async with self.db.transaction() as s:
            sub = await tasks.submit_rectification(session=s, actor=actor, settings=self.settings,
                                                   client_id=uuid.uuid4(), task_id=tid, note=None,
                                                   before_ids=[before], after_ids=[after])
            return sub.id


def task_input(d):
    lat, lon = SPOT[d]
    return {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": "t", "districtCode": d,
            "location": {"lat": lat, "lon": lon}, "deadline": (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()}


async def scenario(op: str, w: World, username: str, d: str) -> dict:
    """Run one operation as `username` against a target in district `d`; return the response body."""
    g = w.gql
    tok = await w.token(username)
    q = lambda query, v=None: g.raw(query, v, token=tok)  # noqa: E731
    if op == "Query.me":
        return await q("{ me { username } }")
    if op == "Query.districts":
        return await q("{ districts { code } }")
    if op == "Query.rivers":
        return await q("{ rivers { code } }")
    if op == "Query.outfall":
        return await q(f'{{ outfall(id: "{w.outfalls[d]}") {{ code }} }}')
    if op == "Query.outfalls":
        return await q(f'{{ outfalls(filter: {{districtCode: "{d}"}}) {{ totalCount }} }}')
    if op == "Query.outfallPoints":
        return await q(f'{{ outfallPoints(filter: {{districtCode: "{d}"}}) {{ count }} }}')
    if op == "Query.outfallClusters":
        return await q(f'{{ outfallClusters(zoom: 8, filter: {{districtCode: "{d}"}}) {{ count exceeded }} }}')
    if op == "Query.outfallStats":
        return await q("{ outfallStats(groupBy: DISTRICT) { key count } }")
    if op == "Query.media":
        return await q(f'{{ media(id: "{w.media[d]}") {{ id }} }}')
    if op == "Query.inspection":
        return await q(f'{{ inspection(id: "{w.inspections[d]}") {{ id }} }}')
    if op == "Query.task":
        return await q(f'{{ task(id: "{await w.task(d)}") {{ id }} }}')
    if op == "Query.inspections":  # the district of an inspection is its outfall's
        return await q(f'{{ inspections(filter: {{districtCode: "{d}"}}, first: 500) {{ totalCount edges {{ node {{ '
                       f'district: outfall {{ district {{ code }} }} }} }} }} }}')
    if op == "Query.tasks":
        return await q(f'{{ tasks(filter: {{districtCode: "{d}"}}, first: 500) {{ totalCount edges {{ node {{ district {{ code }} }} }} }} }}')
    if op == "Query.dailyBrief":
        return await q("{ dailyBrief(date: \"%s\") { scope newTasksByDistrict { key count } } }"
                       % datetime.now(timezone(timedelta(hours=8))).date().isoformat())
    if op == "Query.patrol":
        return await q(f'{{ patrol(id: "{w.patrols[d]}") {{ id distanceM }} }}')
    if op == "Query.patrols":
        return await q(f'{{ patrols(districtCode: "{d}") {{ edges {{ node {{ districtCode }} }} }} }}')
    if op == "Query.standardLimits":
        return await q("{ standardLimits { standard parameter limit } }")
    if op == "Query.apiTokens":
        return await q("{ apiTokens { id } }")
    if op == "Query.auditEvents":
        return await q("{ auditEvents(first: 5) { edges { node { id } } } }")
    if op == "Mutation.login":
        return await g.raw("mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}",
                           {"u": username, "p": f"{username}-demo"}, token="")
    if op == "Mutation.logout":
        body = await q("mutation { logout }")
        await w.token(username, fresh=True)
        return body
    if op == "Mutation.changePassword":
        cp = "mutation($o:String!,$n:String!){changePassword(oldPassword:$o,newPassword:$n){token}}"
        body = await q(cp, {"o": f"{username}-demo", "n": "temporary-pass-1"})
        if not body.get("errors"):  # put it back for the next cells
            back = await g.raw(cp, {"o": "temporary-pass-1", "n": f"{username}-demo"},
                               token=body["data"]["changePassword"]["token"])
            assert not back.get("errors"), back
            await w.token(username, fresh=True)
        return body
    if op == "Mutation.createApiToken":
        return await q('mutation { createApiToken(name: "m", username: "integrator", scopes: [READ]) { token } }')
    if op == "Mutation.revokeApiToken":
        from server.domain.users.tokens import create_api_token

        async with w.db.transaction() as s:
            row, _ = await create_api_token(session=s, actor=None, name="m", scopes=["read"], username="integrator")
        return await q(f'mutation {{ revokeApiToken(id: "{row.id}") {{ id }} }}')
    if op == "Mutation.registerOutfall":
        lat, lon = SPOT[d]
        return await q("mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "name": "新排口", "category": "OTHER", "riverCode": "YANGTZE",
            "districtCode": d, "location": {"lat": lat, "lon": lon}}})
    if op == "Mutation.updateOutfall":
        return await q(f'mutation {{ updateOutfall(id: "{w.outfalls[d]}", input: {{signboardInstalled: true}}) {{ id }} }}')
    if op == "Mutation.setDischargeStandard":
        return await q(f'mutation {{ setDischargeStandard(id: "{w.outfalls[d]}", input: {{standard: GB8978, '
                       'grade: "grade1"}) { id } }')
    if op == "Mutation.requestUpload":
        data = make_jpeg(seed=98)
        return await q("mutation($i: RequestUploadInput!) { requestUpload(input: $i) { url } }", {"i": {
            "clientId": str(uuid.uuid4()), "filename": "a.jpg", "contentType": "image/jpeg", "sizeBytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}})
    if op == "Mutation.completeUpload":
        owner = username if d == "500103" else "inspector2"
        return await q(f'mutation {{ completeUpload(mediaId: "{await w.pending_media(owner)}") {{ status }} }}')
    if op == "Mutation.recordInspection":
        return await q("mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "outfallId": str(w.outfalls[d]),
            "observedAt": datetime.now(timezone.utc).isoformat()}})
    if op == "Mutation.recordPatrol":
        lat, lon = SPOT[d]
        now = datetime.now(timezone.utc)
        return await q("mutation($i: RecordPatrolInput!) { recordPatrol(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "startedAt": (now - timedelta(minutes=1)).isoformat(),
            "endedAt": now.isoformat(), "track": [{"lat": lat, "lon": lon, "at": now.isoformat()}]}})
    if op == "Mutation.createTask":
        return await q("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": task_input(d)})
    if op == "Mutation.startTask":
        return await q(f'mutation {{ startTask(id: "{await w.task(d)}") {{ status }} }}')
    if op == "Mutation.submitRectification":
        tid = await w.task(d)
        mine = [await w.ready_media(username, d) for _ in range(2)]
        return await q("mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "taskId": str(tid), "beforeMediaIds": [str(mine[0])],
            "afterMediaIds": [str(mine[1])]}})
    if op == "Mutation.reviewSubmission":
        sid = await w.pending_submission(d)
        return await q(f'mutation {{ reviewSubmission(input: {{submissionId: "{sid}", decision: APPROVE}}) {{ id }} }}')
    if op == "Mutation.cancelTask":
        return await q(f'mutation {{ cancelTask(id: "{await w.task(d)}", reason: "重复") {{ status }} }}')
    if op == "Subscription.taskEvents":
        return await subscribe(w, tok, d)
    if op in station_ops.OPS:
        return await station_ops.run(op, w, q, d)
    if op in attestation_ops.OPS:
        return await attestation_ops.run(op, w, q, d)
    if op in lifecycle_ops.OPS:
        return await lifecycle_ops.run(op, w, q, d)
    raise AssertionError(f"no scenario for {op}: add one beside its row in docs/permissions.md")


async def subscribe(w: World, tok: str, d: str) -> dict:
    services = w.app.state.services

    class Req:
        headers = {"authorization": f"Bearer {tok}"}
        client = None

    ctx = await build_context(services, Req(), None, tok)
    result = await w.app.state.schema.subscribe(
        "subscription($d: String) { taskEvents(districtCode: $d) { type task { id } } }", {"d": d}, ctx)
    if not hasattr(result, "__aiter__"):
        return {"errors": [e.formatted for e in result.errors]}
    it = result.__aiter__()
    first = asyncio.ensure_future(it.__anext__())
    await asyncio.sleep(0.05)
    if not first.done():
        await w.task(d)  # an event in that district
        from server.domain.tasks.models import TaskEvent
        from sqlalchemy import select
        async with w.db.session() as s:
            ev = (await s.execute(select(TaskEvent).order_by(TaskEvent.id.desc()))).scalars().first()
        await services.events.publish(ev)
    r = await asyncio.wait_for(first, 5)
    await it.aclose()
    return {"data": r.data, "errors": [e.formatted for e in r.errors] if r.errors else None}


async def test_every_cell(gql, users, db, settings, app):
    w = World(db, users, gql, settings, app)
    await w.setup()
    wrong = []
    for (op, role, where), expect in sorted(matrix().items()):
        username = ROLES[role][0]
        d = DISTRICT[where]
        body = await scenario(op, w, username, d)
        errors = body.get("errors") or []
        code = errors[0].get("extensions", {}).get("code") if errors else None
        if expect == "yes" and errors:
            wrong.append(f"{op} {role} {where}: expected allowed, got {code}: {errors[0].get('message')}")
        elif expect == "no" and code != "FORBIDDEN":
            wrong.append(f"{op} {role} {where}: expected FORBIDDEN, got {code or 'success'}")
        elif expect == "scoped" and op == "Query.dailyBrief":
            brief = (body.get("data") or {}).get("dailyBrief") or {}
            if errors or brief.get("scope") != "渝中区" or any(b["key"] != "500103" for b in brief["newTasksByDistrict"]):
                wrong.append(f"{op} {role} {where}: expected only 渝中区, got {body}")
        elif expect == "scoped":
            root = op.split(".")[1]
            nodes = body.get("data", {}).get(root, {}).get("edges", []) if not errors else None
            own = {"inspector": "500103", "officer": "500103"}[username]
            district = (lambda n: n["node"]["district"]["district"]["code"]) if root == "inspections" else \
                (lambda n: n["node"]["district"]["code"])
            if nodes is None or any(district(n) != own for n in nodes) or \
                    body["data"][root]["totalCount"] != len(nodes) or (where == "own" and not nodes):
                wrong.append(f"{op} {role} {where}: expected only district {own}, got {body}")
    assert wrong == [], "\n".join(wrong)
