"""`outfallwatch serve --workers N`: several processes share the load, one of them runs the scheduler."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from server.app import _scheduler_lock
from server.settings import Settings
from tests.conftest import PG_SKIP, PG_URL
from tests.server.test_cli import run


def test_one_scheduler_per_data_folder(tmp_path):
    s = Settings(data_dir=tmp_path)
    first = _scheduler_lock(s)
    assert first is not None
    assert _scheduler_lock(s) is None  # a second worker waits
    first.close()  # the first worker exits
    again = _scheduler_lock(s)
    assert again is not None
    again.close()


def test_several_workers_refused_on_sqlite(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    r = run(["serve", "--workers", "2", "--port", "1"], tmp_path)
    assert r.returncode == 1 and "several workers need PostgreSQL" in r.stderr, r.stderr


@pytest.mark.skipif(not PG_URL, reason=PG_SKIP)
def test_two_workers_serve_on_postgresql(tmp_path, pg_migrated):
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(tmp_path), "OUTFALLWATCH_DATABASE_URL": PG_URL,
           "OUTFALLWATCH_EVENTS": "postgres"}
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--workers", "2", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # two workers import everything; on a loaded machine that takes ~40 s
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("the workers did not come up")
        for _ in range(20):  # /healthz reads the database
            assert httpx.get(base + "/healthz", timeout=10).json()["status"] == "ok"
        r = httpx.post(base + "/graphql", json={"query": "{ districts { code } }"}, timeout=10)
        assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2, children  # uvicorn's supervisor and its two workers
        # On PostgreSQL the scheduler is elected by an advisory lock (tests/server/test_two_servers.py).
        assert not (tmp_path / "scheduler.lock").exists()
    finally:
        os.killpg(proc.pid, 15)
        out = proc.communicate(timeout=20)[0]
    assert "2 workers" in out
