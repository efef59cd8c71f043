"""kill -9 of the real server (uvicorn, SQLite) in the middle of a burst of inspections.

Afterwards every acknowledged inspection is there with all its measurements, no inspection is there
without them, and the phone's retry of each unacknowledged one (same clientId) stores it whole, once.
Before the fix, a SAVEPOINT's RELEASE committed the inspection alone: after the kill some inspections
had no measurements and their retry was answered `measurements: []`.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx

from server.demo.seed import demo_password
from tests.server.test_cli import run

READINGS = [("COD", 90.0), ("NH3_N", 2.5), ("PH", 7.1), ("DO", 4.0), ("TP", 0.4), ("WATER_TEMP", 18.0)]
RECORD = """mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { id measurements { parameter } } }"""
BURST, CONCURRENCY, KILL_AFTER = 120, 8, 25


def start(data_dir) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(data_dir)}
    env.pop("OUTFALLWATCH_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--log-level",
                             "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the server did not come up")


def gql(base, token, query, variables=None) -> dict:
    r = httpx.post(base + "/graphql", json={"query": query, "variables": variables or {}},
                   headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def login(base) -> str:
    q = "mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}"
    body = gql(base, None, q, {"u": "inspector", "p": demo_password("inspector")})
    return body["data"]["login"]["token"]


def inspection(outfall_id: str) -> dict:
    return {"clientId": str(uuid.uuid4()), "outfallId": outfall_id,
            "observedAt": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(),
            "measurements": [{"parameter": p, "value": v} for p, v in READINGS]}


async def burst(base, token, inputs, proc=None) -> set[str]:
    """Send the inputs CONCURRENCY at a time; with `proc`, kill -9 it after KILL_AFTER acknowledgements."""
    acked: set[str] = set()
    queue = list(inputs)

    async def worker(c: httpx.AsyncClient):
        while queue:
            i = queue.pop()
            try:
                r = await c.post("/graphql", json={"query": RECORD, "variables": {"i": i}})
                body = r.json()
            except (httpx.HTTPError, ValueError):
                if proc is None:
                    raise
                continue  # no answer: the phone keeps it and retries later
            if body.get("data") and body["data"]["recordInspection"]:
                assert len(body["data"]["recordInspection"]["measurements"]) == len(READINGS), body
                acked.add(i["clientId"])
                if proc is not None and len(acked) == KILL_AFTER:
                    os.killpg(proc.pid, signal.SIGKILL)
            else:
                raise AssertionError(body)

    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as c:
        await asyncio.gather(*[worker(c) for _ in range(CONCURRENCY)])
    return acked


def stored(db_path) -> dict[str, int]:
    """clientId -> number of measurements, straight from the database file."""
    with sqlite3.connect(db_path) as c:
        return dict(c.execute("SELECT i.client_id, COUNT(m.id) FROM inspections i "
                              "LEFT JOIN measurements m ON m.inspection_id = i.id GROUP BY i.id").fetchall())


def test_kill_mid_burst_leaves_every_write_whole(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["seed-demo"], tmp_path).returncode == 0
    db_path = tmp_path / "outfallwatch.db"
    # The demo's own inspections: the burst must leave them as they were, and only its own are judged.
    seeded = stored(db_path)
    proc, base = start(tmp_path)
    try:
        token = login(base)
        me = gql(base, token, "{ me { district { code } } }")["data"]["me"]["district"]["code"]
        outfalls = gql(base, token, "query($d: String!) { outfalls(first: 1, filter: {districtCode: $d}) "
                       "{ edges { node { id } } } }", {"d": me})
        outfall_id = outfalls["data"]["outfalls"]["edges"][0]["node"]["id"]
        inputs = [inspection(outfall_id) for _ in range(BURST)]
        acked = asyncio.run(burst(base, token, inputs, proc))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)
    assert KILL_AFTER <= len(acked) < BURST, "the kill did not land mid-burst"

    after_kill = stored(db_path)
    assert {cid: after_kill.get(cid) for cid in seeded} == seeded, "the demo's inspections changed"
    half = {cid: n for cid, n in after_kill.items() if cid not in seeded and n != len(READINGS)}
    assert half == {}, f"{len(half)} inspections half-written"
    assert acked <= set(after_kill), "acknowledged inspections lost"

    proc, base = start(tmp_path)
    try:
        # The phone retries everything it holds no answer for; each answer must be whole (checked in burst).
        retried = [i for i in inputs if i["clientId"] not in acked]
        assert asyncio.run(burst(base, login(base), retried)) == {i["clientId"] for i in retried}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    final = {cid: n for cid, n in stored(db_path).items() if cid not in seeded}
    assert final == {i["clientId"]: len(READINGS) for i in inputs}  # each once, each whole
