"""docs/integrators.md, run: its Python blocks, in order, with the third-party gql client against a real
uvicorn server (migrated and seeded as `make run` does), while other users write between and during the
steps. The doc cannot drift from the server: a changed field, argument or behaviour fails here.

What it proves (issue 13's "done when"): using only the doc, a gql client pulls the register, syncs
incrementally while others write, raises a detection task with a photo (its FAR_FROM_SITE check in the
answer), and resumes task events after a disconnect: what happened meanwhile comes once, in order."""
from __future__ import annotations

import ast
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

pytest.importorskip("gql")

from tests.factories.images import make_jpeg  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "integrators.md"
BIN = Path(sys.executable).parent
STEP = re.compile(r"<!-- step: ([\w-]+) -->\n```python\n(.*?)```", re.S)


def steps() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    found = STEP.findall(text)
    assert len(found) == text.count("```python"), "every Python block of the doc must be a step the test runs"
    return found


def test_every_python_block_is_a_named_step():
    names = [n for n, _ in steps()]
    assert names == ["connect", "token", "register", "sync", "upload", "detect", "follow", "resume", "ws-auth",
                     "errors"]


class Server:
    def __init__(self, data_dir: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(data_dir), "OUTFALLWATCH_PUBLIC_URL": self.url}
        env.pop("OUTFALLWATCH_DATABASE_URL", None)
        exe = str(BIN / "outfallwatch")
        subprocess.run([exe, "migrate"], env=env, check=True, capture_output=True, timeout=300)
        subprocess.run([exe, "seed-demo", "--station-days", "1"], env=env, check=True, capture_output=True,
                       timeout=600)
        self.log = open(data_dir / "server.log", "w")
        self.proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(self.port)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("server did not start: " + (data_dir / "server.log").read_text()[-2000:])
            time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Other:
    """Another user of the system, writing through the API while the integrator works."""

    def __init__(self, url: str):
        self.url = url
        self.token: str | None = None

    async def __call__(self, query: str, **variables) -> dict:
        async with httpx.AsyncClient(timeout=60) as c:
            r = await c.post(self.url + "/graphql", json={"query": query, "variables": variables},
                             headers={"Authorization": f"Bearer {self.token}"} if self.token else {})
        body = r.json()
        assert not body.get("errors"), body
        return body["data"]

    async def login(self, username: str) -> Other:
        q = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
        self.token = (await self(q, u=username, p=f"{username}-demo"))["login"]["token"]
        return self

    async def register_outfall(self, name: str) -> str:
        i = {"clientId": str(uuid.uuid4()), "name": name, "category": "OTHER", "riverCode": "YANGTZE",
             "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587, "accuracyM": 5}}
        q = "mutation($i: RegisterOutfallInput!) { registerOutfall(input: $i) { id } }"
        return (await self(q, i=i))["registerOutfall"]["id"]

    async def rename(self, outfall_id: str, name: str) -> None:
        await self("mutation($id: ID!, $n: String) { updateOutfall(id: $id, input: {name: $n}) { id } }",
                   id=outfall_id, n=name)

    async def task(self, title: str) -> str:
        i = {"clientId": str(uuid.uuid4()), "kind": "FLOATING_DEBRIS", "source": "MANUAL", "title": title,
             "districtCode": "500103", "location": {"lat": 29.5647, "lon": 106.587}}
        return (await self("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", i=i))["createTask"]["id"]

    async def cancel(self, task_id: str) -> None:
        await self('mutation($id: ID!) { cancelTask(id: $id, reason: "重复") { id } }', id=task_id)


async def run_step(ns: dict, name: str, code: str) -> None:
    compiled = compile(code, f"docs/integrators.md[{name}]", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, ns)
    if asyncio.iscoroutine(result):
        await result


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path)
    yield s
    s.stop()


async def test_the_integrators_guide_runs_as_written(server, tmp_path, monkeypatch):
    monkeypatch.setenv("OUTFALLWATCH_URL", server.url)
    monkeypatch.setenv("OUTFALLWATCH_ADMIN_PASSWORD", "admin-demo")
    photo = tmp_path / "frame.jpg"
    monkeypatch.setenv("OUTFALLWATCH_PHOTO", str(photo))
    sup = await Other(server.url).login("supervisor")
    ns: dict = {"__name__": "integrators_md"}
    doc = dict(steps())
    run = lambda name: run_step(ns, name, doc[name])  # noqa: E731

    await run("connect")
    await run("token")
    assert ns["made"]["createApiToken"]["apiToken"]["scopes"] == ["READ", "TASKS_CREATE"]

    # The seed's rows are made older than the sync's margin, and one is touched now: the sync below must
    # then bring only what changed after the pull, not everything seeded within the margin.
    margin = timedelta(seconds=int(re.search(r"MARGIN = timedelta\(seconds=(\d+)\)", doc["sync"]).group(1)))
    page = (await sup("{ outfalls(first: 500) { nodes { id updatedAt } } }"))["outfalls"]["nodes"]
    newest = max(datetime.fromisoformat(o["updatedAt"]) for o in page)
    await asyncio.sleep(max(0.0, (newest + margin - datetime.now(timezone.utc)).total_seconds() + 1))
    await sup.rename(page[-1]["id"], "最近改过的排口")

    # Pull the register (449 demo outfalls: three pages of PAGE_SIZE).
    await run("register")
    everything = (await sup("{ outfalls(first: 1) { totalCount } }"))["outfalls"]["totalCount"]
    assert len(ns["register"]) == everything > ns["PAGE_SIZE"]

    # Sync while others write: changes made before the sync are in it; those made during it are in the
    # next one at the latest; after that the copy equals the server's register.
    ids = list(ns["register"])
    await sup.rename(ids[0], "改名的排口")
    new_before = await sup.register_outfall("新登记排口 甲")
    stop = asyncio.Event()

    async def keep_writing():
        n = 0
        while not stop.is_set():
            n += 1
            await sup.register_outfall(f"同步期间登记 {n}")
            await sup.rename(ids[n], f"同步期间改名 {n}")

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.3)
    await run("sync")
    stop.set()
    await writer
    changed = {o["id"]: o for o in ns["changed"]}
    assert changed[ids[0]]["name"] == "改名的排口" and new_before in changed
    assert len(changed) < len(ns["register"])  # incremental: not a rescan
    await run_step(ns, "sync-again", "changed = await pull_outfalls(since=mark)\n"
                                     "register.update({o['id']: o for o in changed})")
    truth = {}
    after = None
    while True:
        page = (await sup("""query($a: String) { outfalls(first: 500, after: $a) {
            nodes { id name } pageInfo { hasNextPage endCursor } } }""", a=after))["outfalls"]
        truth.update({o["id"]: o["name"] for o in page["nodes"]})
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert {i: o["name"] for i, o in ns["register"].items()} == truth

    # A detection task with a photo taken ~220 km from the watched outfall.
    watched = next(iter(ns["register"].values()))
    photo.write_bytes(make_jpeg(640, 480, seed=5, taken_at=datetime.now(timezone(timedelta(hours=8))),
                                gps=(watched["location"]["lat"] + 2.0, watched["location"]["lon"])))
    await run("upload")
    assert ns["photo"]["status"] == "READY"
    await run("detect")
    task = ns["task"]
    assert task["district"]["code"] == watched["district"]["code"] and task["outfall"]["id"] == watched["id"]
    far = [c for c in task["checks"] if c["code"] == "FAR_FROM_SITE"]
    assert len(far) == 1 and far[0]["mediaId"] == ns["photo"]["id"] and far[0]["severity"] == "FAIL"
    assert [m["status"] for m in task["media"]] == ["READY"]

    # Live events: someone raises tasks until the subscriber has its first event.
    live_titles = []

    async def raise_until_received():
        while not ns.get("received"):
            await asyncio.sleep(0.7)
            if not ns.get("received"):
                live_titles.append(f"实时 {len(live_titles) + 1}")
                await sup.task(live_titles[-1])

    raiser = asyncio.create_task(raise_until_received())
    await asyncio.wait_for(run("follow"), 60)
    await raiser
    first = ns["received"][0]
    assert first["type"] == "CREATED" and first["task"]["title"] in live_titles
    # Disconnected: a task raised and cancelled.
    gone = await sup.task("断线期间")
    await sup.cancel(gone)
    await asyncio.wait_for(run("resume"), 60)
    later = live_titles[live_titles.index(first["task"]["title"]) + 1:]  # raised just before the first arrived
    expected = ([("CREATED", t) for t in later] + [("CREATED", "断线期间"), ("CANCELLED", "断线期间")])[:2]
    missed = ns["missed"]
    assert [(e["type"], e["task"]["title"]) for e in missed] == expected
    got_ids = [int(e["id"]) for e in [first, *missed]]
    assert got_ids == sorted(got_ids) and len(set(got_ids)) == len(got_ids)  # in order, none twice
    assert ns["last_cursor"] == missed[-1]["cursor"]

    await asyncio.wait_for(run("ws-auth"), 60)  # the three WebSocket authentication forms

    await run("errors")
    assert ns["bad"]["extensions"] == {"code": "BAD_USER_INPUT", "field": "deadline"}
    assert ns["too_many"]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert ns["invalid"]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    for s in ("admin", "api"):
        await ns[s].client.close_async()
