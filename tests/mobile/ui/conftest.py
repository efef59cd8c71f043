"""UI run fixtures: a real server of its own (fresh demo database), an X display (Xvfb with Mesa's
software GL), and one Kivy app process per role driven through its screens (driver.py)."""
from __future__ import annotations

import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mobile.conftest import demo_server

ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "artifacts" / "screenshots"
DRIVER = Path(__file__).with_name("driver.py")
APP_TIMEOUT_S = 600  # one role walks every screen in two languages; the machine may be shared and slow
# Near 渝中区's demo outfalls on the Jialing/Yangtze banks; the walk heads east along the bank.
WALK_START, WALK_STEP = (29.5610, 106.5815), (0.0, 0.00002)  # ~2 m a second


@dataclass
class UiServer:
    url: str
    db_path: Path

    def sql(self, query: str, args: tuple = ()) -> list[tuple]:
        c = sqlite3.connect(self.db_path, timeout=30)
        try:
            with c:
                return c.execute(query, args).fetchall()
        finally:
            c.close()


@pytest.fixture(scope="module")
def ui_server(sqlite_template, tmp_path_factory):
    d = tmp_path_factory.mktemp("ui-server")
    with demo_server(d, sqlite_template, secret="mobile-ui-test-") as (base, db_path, _):
        yield UiServer(url=base, db_path=db_path)


@pytest.fixture(scope="module")
def display():
    """An X display for Kivy: $DISPLAY if a test run already has one, else our own Xvfb."""
    try:
        import kivy  # noqa: F401
    except ImportError:
        pytest.skip("UI tests skipped: kivy is not installed (pip install 'kivy>=2.3' 'plyer>=2.1')")
    if os.environ.get("OUTFALLWATCH_UI_DISPLAY"):
        yield os.environ["OUTFALLWATCH_UI_DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        pytest.skip("UI tests skipped: no X display can be started (apt-get install xvfb xauth libgl1-mesa-dri)")
    r, w = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    deadline = time.time() + 15
    with os.fdopen(r, "rb") as f:
        while time.time() < deadline and not number.endswith(b"\n"):
            ch = f.read(1)
            if not ch:
                break
            number += ch
    if not number.strip():
        proc.kill()
        pytest.skip("UI tests skipped: Xvfb did not start")
    try:
        yield f":{number.decode().strip()}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def make_photos(folder: Path, n: int, seed: int) -> Path:
    """Distinct JPEGs (a rough 'river bank' with random noise) for the desktop camera stand-in."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for i in range(n):
        img = Image.new("RGB", (640, 480), (rng.randrange(60, 140), rng.randrange(70, 140), rng.randrange(40, 90)))
        draw = ImageDraw.Draw(img)
        draw.rectangle([0, 300, 640, 480], fill=(40, 80 + rng.randrange(60), 110 + rng.randrange(60)))
        for _ in range(300):
            x, y = rng.randrange(640), rng.randrange(480)
            draw.ellipse([x, y, x + 6, y + 6], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        (folder / f"IMG_{seed:03d}_{i:02d}.jpg").write_bytes(buf.getvalue())
    return folder


def run_role(role: str, display: str, server: UiServer, work: Path, gps_args: list[str], context: dict, *,
             server_url: str | None = None, phone: str | None = None) -> dict:
    """One app process for one role; returns what its screens showed (driver.py's JSON). `server_url`
    overrides the server's (an unreachable one for the offline run); `phone` names the data folder,
    so two runs can be the same phone."""
    result = work / f"{role}.json"
    photos = make_photos(work / f"photos-{role}", 4, seed=len(role))
    env = {**os.environ, "DISPLAY": display, "KIVY_WINDOW": "sdl2", "LIBGL_ALWAYS_SOFTWARE": "1",
           "KIVY_HOME": str(work / "kivy-home"), "OUTFALLWATCH_UI_CONTEXT": json.dumps(context),
           "SDL_AUDIODRIVER": "dummy"}
    env.pop("KIVY_GL_BACKEND", None)  # real (Mesa llvmpipe) GL: screenshots need pixels
    cmd = [sys.executable, str(DRIVER), role, str(SHOTS), str(result), "--", "--server", server_url or server.url,
           "--data-dir", str(work / f"phone-{phone or role}"), "--photo", str(photos), "--lang", "zh_CN", *gps_args]
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=APP_TIMEOUT_S)
    if not result.is_file():
        raise AssertionError(f"{role}: the app wrote no result (exit {proc.returncode})\n{proc.stderr[-4000:]}")
    data = json.loads(result.read_text(encoding="utf-8"))
    data["exit_code"], data["log_tail"] = proc.returncode, proc.stderr[-3000:]
    return data


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    """artifacts/screenshots, emptied once per test session (every UI run of the session adds to it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    return SHOTS


@pytest.fixture(scope="module")
def ui_run(display, ui_server, tmp_path_factory, shots_dir) -> dict:
    """inspector -> officer -> supervisor against one server: each later role works on what the
    earlier one sent (the exceedance task, then its rectification)."""
    from tests.mobile.ui.nmea import walk

    work = tmp_path_factory.mktemp("ui-run")
    nmea = walk(work / "walk.nmea", WALK_START, WALK_STEP, seconds=600)
    runs = {"inspector": run_role("inspector", display, ui_server, work, ["--nmea", str(nmea)], {})}
    outfall = runs["inspector"].get("inspected_outfall")
    # One of the raised tasks is past its deadline, so the officer's list must put it first.
    overdue = ui_server.sql("SELECT id FROM tasks WHERE outfall_id=? ORDER BY id DESC LIMIT 1", (outfall,))
    if overdue:
        ui_server.sql("UPDATE tasks SET deadline='2020-01-01 00:00:00.000000' WHERE id=?", (overdue[0][0],))
    ctx = {"outfall_id": outfall, "overdue_task_id": str(overdue[0][0]) if overdue else None}
    # A second, not yet late task (a signboard to put up) so the list shows both kinds of countdown:
    # the inspection raised one task for all its exceedances.
    if outfall:  # (else the inspector's run failed, and its test says why)
        _create_task(ui_server.url, outfall, "补设排口标识牌")
    gps = ["--gps", f"{WALK_START[0]},{WALK_START[1]}"]
    runs["officer"] = run_role("officer", display, ui_server, work, gps, ctx)
    runs["supervisor"] = run_role("supervisor", display, ui_server, work, gps, ctx)
    return runs


def _create_task(url: str, outfall_id, title: str) -> None:
    import uuid
    from datetime import UTC, datetime, timedelta

    from mobile.core.client import Client
    from server.demo.seed import demo_password

    with Client(url, timeout=10) as c:
        c.login("supervisor", demo_password("supervisor"))
        c.execute("mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }", {"i": {
            "clientId": str(uuid.uuid4()), "kind": "SIGNBOARD", "source": "MANUAL", "title": title,
            "districtCode": "500103", "outfallId": str(outfall_id),
            "deadline": (datetime.now(UTC) + timedelta(days=10)).isoformat()}})
