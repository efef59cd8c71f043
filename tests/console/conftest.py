"""Browser tests of the console: Playwright drives Debian's Chromium (/usr/bin/chromium) against a server
started the way `make run` starts it (migrate, seed-demo, serve, in a subprocess on SQLite), after
`make console` has built the front end from its sources."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("OUTFALLWATCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "console"
CST = timezone(timedelta(hours=8))
HOME = "500103"  # 渝中区: the demo officer's district
OTHER = "500106"  # 沙坪坝区


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def console_build() -> Path:
    """`make console`: npm ci when the lock changed, npm run build when a source is newer than the build."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the console cannot be built (apt-get install nodejs npm)")
    r = subprocess.run(["make", "-s", "console"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        pytest.fail(f"make console failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return ROOT / "console" / "dist"


@dataclass
class Server:
    url: str
    data_dir: Path
    proc: subprocess.Popen
    database_url: str | None = None  # PostgreSQL when set, else SQLite in data_dir

    def count(self, sql: str, *args) -> int:
        """A count straight from the server's database ($1, $2 ... placeholders), to hold the page to it."""
        if not self.database_url:
            import re
            import sqlite3

            with sqlite3.connect(self.data_dir / "outfallwatch.db") as c:
                return c.execute(re.sub(r"\$\d+", "?", sql), args).fetchone()[0]
        return _pg(self.database_url, lambda c: c.fetchval(sql, *args))

    def gql(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        h = {"Authorization": f"Bearer {token}"} if token else {}
        r = httpx.post(self.url + "/graphql", json={"query": query, "variables": variables or {}}, headers=h,
                       timeout=60)
        body = r.json()
        if body.get("errors"):
            raise AssertionError(body["errors"])
        return body["data"]

    def token(self, username: str) -> str:
        q = "mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}"
        return self.gql(q, {"u": username, "p": f"{username}-demo"})["login"]["token"]


def _pg(url: str, fn):
    """Runs fn(connection) on PostgreSQL in its own thread and loop (Playwright's loop owns this thread)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import asyncpg

    async def go():
        c = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return await fn(c)
        finally:
            await c.close()

    with ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, go()).result()


def fresh_pg_database(test_url: str, suffix: str = "_console") -> str:
    """A new empty database beside OUTFALLWATCH_TEST_DATABASE_URL's (its name + suffix), so the console's
    server, seeded as `make run` seeds, never meets the other tests' tables."""
    base, _, name = test_url.rpartition("/")
    name = name.split("?")[0] + suffix
    admin = base + "/postgres"

    async def recreate(c):
        await c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await c.execute(f'CREATE DATABASE "{name}"')

    _pg(admin, recreate)
    return f"{base}/{name}"


def start_server(data_dir: Path, env_extra: dict | None = None, port: int | None = None,
                 database_url: str | None = None) -> Server:
    """migrate, seed-demo, serve: what `make run` does, with a fresh data folder and a free port; on
    SQLite in that folder, or on `database_url` (an empty PostgreSQL database) when given."""
    port = port or _free_port()
    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(data_dir), "OUTFALLWATCH_HOST": "127.0.0.1",
           "OUTFALLWATCH_PORT": str(port), **(env_extra or {})}
    env.pop("OUTFALLWATCH_DATABASE_URL", None)
    if database_url:
        env["OUTFALLWATCH_DATABASE_URL"] = database_url
    exe = str(BIN / "outfallwatch")
    for cmd in ("migrate", "seed-demo"):
        subprocess.run([exe, cmd], env=env, check=True, capture_output=True, timeout=300)
    log = open(data_dir / "server.log", "w")
    proc = subprocess.Popen([exe, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180  # a loaded shared machine can take this long
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("server did not start: " + (data_dir / "server.log").read_text()[-2000:])
        time.sleep(0.2)
    return Server(url=url, data_dir=data_dir, proc=proc, database_url=database_url)


def stop_server(s: Server) -> None:
    s.proc.terminate()
    try:
        s.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        s.proc.kill()


@pytest.fixture(scope="session")
def server(console_build, tmp_path_factory) -> Server:
    """SQLite by default; PostgreSQL (a fresh database beside the suite's) when
    OUTFALLWATCH_TEST_DATABASE_URL is set, as `make run` would run against it."""
    pg = os.environ.get("OUTFALLWATCH_TEST_DATABASE_URL")
    s = start_server(tmp_path_factory.mktemp("console-server"), database_url=fresh_pg_database(pg) if pg else None)
    yield s
    stop_server(s)


# Package scope, not session: Playwright's sync API keeps its event loop running in this thread
# while it is open, and every async test after tests/console would then fail to start its own.
@pytest.fixture(scope="package")
def playwright_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


class Pages:
    """New browser pages, signed in through the login form or with a token, in a language."""

    def __init__(self, browser, server: Server):
        self.browser, self.server, self.contexts = browser, server, []

    def new(self, *, lang: str = "zh", token: str | None = None, width: int = 1366, height: int = 768):
        ctx = self.browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        script = f"localStorage.setItem('outfallwatch.lang', '{lang}');"
        if token:
            script += f"localStorage.setItem('outfallwatch.token', '{token}');"
        ctx.add_init_script(f"try {{ {script} }} catch (e) {{}}")  # also runs in sandboxed frames
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    def as_(self, username: str, **kw):
        return self.new(token=self.server.token(username), **kw)

    def close(self):
        for c in self.contexts:
            c.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    rep = (yield).get_result()
    if rep.when == "call":
        item.console_failed = rep.failed


@pytest.fixture
def pages(request, playwright_browser, server):
    p = Pages(playwright_browser, server)
    yield p
    if getattr(request.node, "console_failed", False):  # what the browser showed, for the failure report
        for i, ctx in enumerate(p.contexts):
            for j, page in enumerate(ctx.pages):
                screenshot(page, f"failed-{request.node.name}-{i}-{j}")
    p.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- test data through the public API, as the phone and the officers make it ---------------------------

REQUEST = """mutation($i: RequestUploadInput!) { requestUpload(input: $i) {
  url method headers { key value } media { id } } }"""
COMPLETE = "mutation($id: ID!) { completeUpload(mediaId: $id) { id status } }"


def upload_photo(s: Server, token: str, *, seed: int, where: tuple[float, float], role: str,
                 when: datetime | None = None) -> str:
    from tests.factories.images import make_jpeg

    data = make_jpeg(640, 480, seed=seed, taken_at=when or datetime.now(CST) - timedelta(minutes=2), gps=where)
    i = {"clientId": str(uuid.uuid4()), "filename": f"IMG_{seed}.jpg", "contentType": "image/jpeg",
         "sizeBytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "role": role}
    t = s.gql(REQUEST, {"i": i}, token)["requestUpload"]
    r = httpx.request(t["method"], t["url"], content=data, headers={h["key"]: h["value"] for h in t["headers"]},
                      timeout=30)
    assert r.status_code in (200, 201, 204), r.text
    return s.gql(COMPLETE, {"id": t["media"]["id"]}, token)["completeUpload"]["id"]


def outfall_in(s: Server, token: str, district: str) -> dict:
    q = """query($d: String!) { outfalls(filter: {districtCode: $d}, first: 1) { edges { node {
      id code name location { lat lon } } } } }"""
    return s.gql(q, {"d": district}, token)["outfalls"]["edges"][0]["node"]


def create_task(s: Server, token: str, *, district: str = HOME, title: str = "排口整治", kind: str = "ILLEGAL_DISCHARGE",
                outfall: dict | None = None) -> dict:
    outfall = outfall or outfall_in(s, token, district)
    i = {"clientId": str(uuid.uuid4()), "kind": kind, "source": "MANUAL", "title": title, "districtCode": district,
         "deadline": (datetime.now(CST) + timedelta(days=3)).isoformat(), "outfallId": outfall["id"]}
    return s.gql("mutation($i: CreateTaskInput!) { createTask(input: $i) { id code title status } }",
                 {"i": i}, token)["createTask"]


def make_submission(s: Server, *, seed: int, title: str) -> dict:
    """A task in the officer's district, started, with before/after photos taken at the site, submitted."""
    sup, officer = s.token("supervisor"), s.token("officer")
    o = outfall_in(s, sup, HOME)
    task = create_task(s, sup, title=title, outfall=o)
    s.gql("mutation($id: ID!) { startTask(id: $id) { id } }", {"id": task["id"]}, officer)
    where = (o["location"]["lat"], o["location"]["lon"])
    before = upload_photo(s, officer, seed=seed, where=where, role="BEFORE")
    after = upload_photo(s, officer, seed=seed + 1, where=where, role="AFTER")
    i = {"clientId": str(uuid.uuid4()), "taskId": task["id"], "beforeMediaIds": [before], "afterMediaIds": [after],
         "note": "已整改"}
    sub = s.gql("mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { id } }", {"i": i},
                officer)["submitRectification"]
    return {"task": task, "submission": sub, "outfall": o}


# --- accessibility: axe-core (npm, a dev dependency of the console) run inside the page ------------------

AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.x A and AA: contrast, names, labels, landmarks' basics. The map canvas and chart canvases are
# images to axe (they carry role="img"/"application" and a label); their pixels are not text.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """Runs axe-core on the page as it is; returns the violations, each with the offending nodes."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `make console` installs the console's dev dependencies (axe-core)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    res = page.evaluate("""async (tags) => {
        const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target.join(' '), summary: n.failureSummary })) })); }""",
                        AXE_TAGS)
    return res


def assert_accessible(page, where: str) -> None:
    v = axe_violations(page)
    assert not v, f"axe on {where}:\n" + "\n".join(
        f"- {x['id']} ({x['impact']}): {x['help']}\n" + "\n".join(f"    {n['target']}: {n['summary']}" for n in x["nodes"])
        for x in v)
