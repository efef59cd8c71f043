"""Two real servers (`outfallwatch serve`, uvicorn) on two data folders, one PostgreSQL and one S3 store
(a moto server started here), as two machines behind a proxy would run (docs/deploy.md):
- exactly one of them runs the scheduler (a PostgreSQL advisory lock; the old file lock in each data
  folder let both run it), and the other takes over when it dies;
- each task that passes its deadline gets one OVERDUE event, not one per server;
- wrong passwords sent to both are counted once, in one shared counter;
- a task created through one is seen live by a taskEvents subscriber of the other (LISTEN/NOTIFY);
- a photo uploaded through one is completed through the other (one object store).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import websockets

from server.demo.seed import demo_password
from tests.conftest import PG_SKIP, PG_URL
from tests.factories.images import make_jpeg

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)
SECRET = "two-servers-shared-secret-" + "k" * 32


def free_port() -> int:
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        return sk.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, what: str) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not come up")


def env_for(data_dir, s3: str) -> dict:
    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(data_dir), "OUTFALLWATCH_DATABASE_URL": PG_URL,
           "OUTFALLWATCH_SECRET_KEY": SECRET, "OUTFALLWATCH_EVENTS": "postgres", "OUTFALLWATCH_JOB_INTERVAL_S": "1",
           "OUTFALLWATCH_MINIO_ENDPOINT": s3, "OUTFALLWATCH_MINIO_ACCESS_KEY": "testing",
           "OUTFALLWATCH_MINIO_SECRET_KEY": "testing", "OUTFALLWATCH_MINIO_BUCKET": "outfallwatch-two",
           "OUTFALLWATCH_RESPONSE_CACHE": "false", "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("OUTFALLWATCH_REDIS_URL", None)  # throttles in PostgreSQL: the shared store under test
    env.pop("OUTFALLWATCH_THROTTLE_STORE", None)
    return env


def serve(data_dir, s3: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--log-level",
                             "warning"], env=env_for(data_dir, s3), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_up(base + "/healthz", proc, "server")
    return proc, base


def stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def gql(base, token, query, variables=None) -> dict:
    r = httpx.post(base + "/graphql", json={"query": query, "variables": variables or {}},
                   headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def login(base, user: str, password: str | None = None) -> dict:
    return gql(base, None, "mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}",
               {"u": user, "p": password or demo_password(user)})


def schedulers(bases) -> list[bool]:
    return [httpx.get(b + "/healthz", timeout=10).json()["scheduler"] for b in bases]


def sql(query: str, *args):
    import asyncpg

    async def go():
        c = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return await c.fetch(query, *args)
        finally:
            await c.close()
    return asyncio.run(go())


async def first_event(base: str, token: str, ready: asyncio.Event) -> dict:
    uri = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(uri, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { taskEvents { type task { title } } }"}}))
        await asyncio.sleep(1.0)  # the subscription is registered before the write
        ready.set()
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if msg["type"] == "next":
                return msg["payload"]["data"]["taskEvents"]


async def seen_elsewhere(writer: str, reader: str, token: str, outfall: str) -> dict:
    ready = asyncio.Event()
    listen = asyncio.create_task(first_event(reader, token, ready))
    await ready.wait()
    title = f"两机任务{uuid.uuid4().hex[:6]}"
    await asyncio.to_thread(gql, writer, token, "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
                            {"i": {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL",
                                   "title": title, "outfallId": outfall}})
    ev = await listen
    assert ev == {"type": "CREATED", "task": {"title": title}}, ev
    return ev


def test_two_servers_share_one_scheduler_throttles_events_and_store(tmp_path, pg_migrated):
    tables = [r["tablename"] for r in sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename NOT IN ('alembic_version', 'districts', 'rivers', 'data_version')")]
    sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    sql("INSERT INTO data_version (id, v) VALUES (1, 0), (2, 0) ON CONFLICT (id) DO NOTHING")
    env = {**os.environ, "OUTFALLWATCH_DATABASE_URL": PG_URL}
    r = subprocess.run([sys.executable, "-m", "server.cli", "seed-demo"], env={**env, "OUTFALLWATCH_DATA_DIR": str(
        tmp_path / "seed")}, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]

    s3_port = free_port()
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    procs = []
    try:
        wait_up(f"http://127.0.0.1:{s3_port}/", moto, "moto server")
        s3 = f"127.0.0.1:{s3_port}"
        for name in ("machine-a", "machine-b"):
            procs.append(serve(tmp_path / name, s3))
        (a, base_a), (b, base_b) = procs
        bases = [base_a, base_b]

        # Exactly one scheduler, held as one advisory lock.
        for _ in range(100):
            if any(schedulers(bases)):
                break
            time.sleep(0.2)
        for _ in range(5):  # and it stays one while both keep electing every second
            assert sorted(schedulers(bases)) == [False, True], schedulers(bases)
            time.sleep(0.5)
        from server.app import SCHEDULER_LOCK_KEY

        # Advisory locks are per database; other deployments on this cluster (another test's server on
        # its own database) hold the same key in theirs, so count only this database's.
        assert len(sql("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted "
                       "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                       SCHEDULER_LOCK_KEY)) == 1

        # One OVERDUE per task, although both servers are up.
        sup = login(base_a, "supervisor")["data"]["login"]["token"]
        oid = gql(base_a, sup, "{ outfalls(first: 1, filter: {districtCode: \"500103\"}) { edges { node { id } } } }"
                  )["data"]["outfalls"]["edges"][0]["node"]["id"]
        soon = (datetime.now(timezone.utc) + timedelta(seconds=3)).isoformat()
        tids = [gql(bases[i % 2], sup, "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
                    {"i": {"clientId": str(uuid.uuid4()), "kind": "OTHER", "source": "MANUAL", "title": f"逾期{i}",
                           "outfallId": oid, "deadline": soon}})["data"]["createTask"]["id"] for i in range(4)]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            rows = sql("SELECT task_id, count(*) AS n FROM task_events WHERE type = 'OVERDUE' GROUP BY task_id")
            if len(rows) == len(tids):
                break
            time.sleep(1)
        time.sleep(4)  # several more rounds of both servers' electing and sweeping
        rows = sql("SELECT task_id, count(*) AS n FROM task_events WHERE type = 'OVERDUE' GROUP BY task_id")
        assert {str(r["task_id"]): r["n"] for r in rows} == {t: 1 for t in tids}

        # Wrong passwords sent to both servers land in one counter.
        for i in range(4):
            body = login(bases[i % 2], "officer", "wrong-password")
            assert body["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "RATE_LIMITED"), body
        counters = sql("SELECT key, n FROM rate_counters WHERE key LIKE '%officer%'")
        assert [r["n"] for r in counters] == [4], counters

        # Task events cross servers both ways.
        asyncio.run(seen_elsewhere(base_a, base_b, sup, oid))
        asyncio.run(seen_elsewhere(base_b, base_a, sup, oid))

        # One object store: requested and sent through A, completed through B.
        insp = login(base_a, "inspector")["data"]["login"]["token"]
        data = make_jpeg(640, 480, seed=5, taken_at=datetime.now(timezone.utc) - timedelta(minutes=1))
        t = gql(base_a, insp, """mutation($i: RequestUploadInput!) { requestUpload(input: $i) {
                 url method headers { key value } fields { key value } media { id } } }""", {"i": {
            "clientId": str(uuid.uuid4()), "filename": "a.jpg", "contentType": "image/jpeg",
            "sizeBytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}})["data"]["requestUpload"]
        if t["method"] == "POST":
            fields = {f["key"]: f["value"] for f in t["fields"] or []}
            put = httpx.post(t["url"], data=fields, files={"file": ("a.jpg", data, "image/jpeg")}, timeout=30)
        else:
            put = httpx.put(t["url"], content=data, headers={h["key"]: h["value"] for h in t["headers"] or []},
                            timeout=30)
        assert put.status_code < 300, put.text[:300]
        done = gql(base_b, insp, "mutation($id: ID!) { completeUpload(mediaId: $id) { status } }",
                   {"id": t["media"]["id"]})
        assert done["data"]["completeUpload"]["status"] == "READY", done

        # The scheduler's holder dies: the other server takes it over.
        holder = schedulers(bases).index(True)
        stop(procs[holder][0], signal.SIGKILL)
        other = bases[1 - holder]
        for _ in range(100):
            if schedulers([other]) == [True]:
                break
            time.sleep(0.3)
        assert schedulers([other]) == [True]
    finally:
        for p, _ in procs:
            stop(p)
        stop(moto)
