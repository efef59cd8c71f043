"""The `outfallwatch` command, run as an operator would, in a fresh data dir."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server.demo.rivers import COURSES

CMDS = ["serve", "migrate", "seed-demo", "create-user", "export-schema"]


def run(args, data_dir, stdin: str | None = None):
    env = {**os.environ, "OUTFALLWATCH_DATA_DIR": str(data_dir)}
    env.pop("OUTFALLWATCH_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "server.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.parametrize("cmd", [None, *CMDS])
def test_help(cmd, tmp_path):
    r = run([cmd, "--help"] if cmd else ["--help"], tmp_path)
    assert r.returncode == 0 and "usage:" in r.stdout


def test_operator_flow(tmp_path):
    r = run(["seed-demo"], tmp_path)
    assert r.returncode == 1 and r.stderr.startswith("error: database is at no revision") and \
        len(r.stderr.strip().splitlines()) == 1
    r = run(["migrate"], tmp_path)
    assert r.returncode == 0 and "38 districts" in r.stdout, r.stderr
    r = run(["seed-demo", "--station-days", "20"], tmp_path)
    assert r.returncode == 0 and "seeded" in r.stdout and "12 demo stations" in r.stdout and "inspector-demo" in r.stdout, r.stderr
    assert "already present" in run(["seed-demo"], tmp_path).stdout
    r = run(["create-user", "zhang", "--role", "INSPECTOR", "--district", "500101"], tmp_path,
            stdin="a-long-password\n")
    assert r.returncode == 0 and "created user zhang" in r.stdout, r.stderr
    for args, stdin, msg in [
        (["create-user", "zhang", "--role", "SUPERVISOR"], "another-password\n", "taken"),
        (["create-user", "li", "--role", "INSPECTOR"], "another-password\n", "needs a district"),
        (["create-user", "li", "--role", "INSPECTOR", "--district", "123456"], "another-password\n", "unknown district"),
        (["create-user", "li", "--role", "ADMIN"], "short\n", "at least 8"),
    ]:
        r = run(args, tmp_path, stdin)
        assert r.returncode == 1 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    r = run(["create-user", "li", "--role", "KING"], tmp_path, "x" * 10)
    assert r.returncode == 2 and "invalid choice" in r.stderr
    out = tmp_path / "s.graphql"
    assert run(["export-schema", "-o", str(out)], tmp_path).returncode == 0
    assert "type Outfall" in out.read_text()


async def test_demo_register_is_along_the_rivers(db):
    from sqlalchemy import select

    from server.demo.seed import seed_demo
    from server.domain.geo.distance import haversine_m
    from server.domain.outfalls.models import CATEGORIES, PHASES, Outfall

    async with db.transaction() as s:
        made = await seed_demo(session=s)
    assert made["outfalls"] >= 300 and len(made["users"]) == 5
    async with db.session() as s:
        rows = list((await s.execute(select(Outfall))).scalars())
    assert {o.category for o in rows} == set(CATEGORIES) and {o.phase for o in rows} == set(PHASES)
    for o in rows:  # every outfall within a few km of its river's course
        course = COURSES[o.river_code]
        near = min(haversine_m(o.lat, o.lon, lat, lon) for lat, lon, _ in course)
        assert near < 60_000, (o.code, o.river_code)


def test_scheduler_commands_for_cron(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["seed-demo", "--station-days", "20"], tmp_path).returncode == 0
    r = run(["tick"], tmp_path)
    # The demo's one open station episode (大溪沟) has its alert and task notices waiting in the outbox.
    assert r.returncode == 0 and "overdue: 0" in r.stdout and "sent: 0" not in r.stdout, r.stderr
    r = run(["tick"], tmp_path)
    assert r.returncode == 0 and "sent: 0" in r.stdout, r.stderr
    r = run(["tick", "--only", "uploads"], tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == "expired_uploads: 0"
    r = run(["cleanup-uploads"], tmp_path)
    assert r.returncode == 0 and "expired uploads removed: 0" in r.stdout


def test_create_token(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["seed-demo"], tmp_path).returncode == 0
    r = run(["create-token", "integrator", "--name", "视频AI", "--scope", "read", "--scope", "tasks:create"], tmp_path)
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1].startswith("owk_"), r.stderr
    r = run(["create-token", "inspector", "--name", "x", "--scope", "read"], tmp_path)
    assert r.returncode == 1 and "not an INTEGRATOR user" in r.stderr


def test_backup_and_restore_commands(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run(["migrate"], a).returncode == 0 and run(["seed-demo"], a).returncode == 0
    r = run(["backup", str(tmp_path / "bk")], a)
    assert r.returncode == 0 and "backed up" in r.stdout, r.stderr
    assert run(["migrate"], b).returncode == 0
    r = run(["restore", str(tmp_path / "bk")], b)
    assert r.returncode == 0 and "restored and verified" in r.stdout, r.stderr
    r = run(["restore", str(tmp_path / "bk")], b)
    assert r.returncode == 1 and "not empty" in r.stderr
    r = run(["backup", str(tmp_path / "bk")], a)
    assert r.returncode == 1 and "is not empty" in r.stderr
