"""A real server for the phone core: migrated + demo-seeded SQLite, local media store, uvicorn in a
background thread on a free port, wrapped in a fault-injecting ASGI layer (off unless a test turns it on)."""
from __future__ import annotations

import contextlib
import io
import random
import shutil
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import run_in_thread

HOME_DISTRICT = "500103"  # 渝中区: the demo inspector's and officer's district


class Faults:
    """ASGI layer between the phone and the server. With `rate` > 0 it spoils that share of requests
    to /graphql and /media/upload, half BEFORE the server handles them (503, or the connection dropped)
    and half AFTER the server has committed (the answer replaced by a 502, or the connection dropped
    mid-answer). Seeded, and requests arrive one at a time from the sync engine, so runs repeat."""

    PATHS = ("/graphql", "/media/upload")

    def __init__(self, app):
        self.app = app
        self.rate = 0.0
        self.rng = random.Random(0)
        self.reset_counts()

    def reset_counts(self) -> None:
        self.requests = self.before = self.after = self.resets = 0

    def configure(self, rate: float, seed: int) -> None:
        self.rate, self.rng = rate, random.Random(seed)
        self.reset_counts()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.rate <= 0 or scope["path"] not in self.PATHS:
            return await self.app(scope, receive, send)
        self.requests += 1
        roll, how = self.rng.random(), self.rng.random()
        if roll < self.rate / 2:
            self.before += 1
            return await self._spoil(send, reset=how < 0.5, status=503)
        if roll < self.rate:
            self.after += 1

            async def swallow(message):  # the server commits; the phone never hears of it
                pass

            await self.app(scope, receive, swallow)
            return await self._spoil(send, reset=how < 0.5, status=502)
        return await self.app(scope, receive, send)

    async def _spoil(self, send, *, reset: bool, status: int):
        if not reset:
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"injected fault"})
            return
        # Promise a body, send part of it, then fail: the server drops the connection mid-answer.
        self.resets += 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
        raise ConnectionResetError("injected connection reset")


@dataclass
class LiveServer:
    url: str
    db_path: Path
    faults: Faults
    data_dir: Path
    extra: dict = field(default_factory=dict)

    def sql(self, query: str, args: tuple = ()) -> list[tuple]:
        """Read the server's database directly (the ground truth for 'arrived exactly once')."""
        c = sqlite3.connect(self.db_path, timeout=30)
        try:
            return c.execute(query, args).fetchall()
        finally:
            c.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _seed(url: str) -> None:
    from server.db import Database
    from server.demo.seed import seed_demo

    db = Database(url)
    try:
        async with db.transaction() as s:
            await seed_demo(session=s)
    finally:
        await db.dispose()


@contextlib.contextmanager
def demo_server(directory: Path, sqlite_template: Path, *, secret: str, wrap=lambda app: app,
                quiet: bool = False):
    """A real server (uvicorn in a thread) on a fresh copy of the migrated database with the demo data;
    yields (base URL, database path, the ASGI app as wrapped). Shared by the core and the UI tests."""
    import logging

    import uvicorn

    from server.app import create_app
    from server.settings import Settings

    db_path = directory / "outfallwatch.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite+aiosqlite:///{db_path}"
    run_in_thread(_seed, url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(data_dir=directory, database_url=url, secret_key=secret + "k" * 40, host="127.0.0.1",
                        port=port, public_url=base, background_jobs=False).resolved()
    app = wrap(create_app(settings))
    if quiet:  # injected resets are logged by uvicorn as application errors: expected, so keep quiet
        logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical" if quiet else
                                           "warning", access_log=False, lifespan="on"))
    t = threading.Thread(target=server.run, name="test-server", daemon=True)
    t.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline or not t.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield base, db_path, app
    finally:
        server.should_exit = True
        t.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(sqlite_template, tmp_path_factory):
    d = tmp_path_factory.mktemp("server")
    with demo_server(d, sqlite_template, secret="mobile-test-", wrap=Faults, quiet=True) as (base, db_path, faults):
        yield LiveServer(url=base, db_path=db_path, faults=faults, data_dir=d)


@pytest.fixture
def server(live_server):
    live_server.faults.configure(0.0, 0)
    yield live_server
    live_server.faults.configure(0.0, 0)


@pytest.fixture
def store(tmp_path):
    from mobile.core.store import Store

    s = Store.open(tmp_path / "phone")
    yield s
    s.close()


def make_jpeg(path: Path, seed: int, size: tuple[int, int] = (48, 36)) -> Path:
    """A small real JPEG whose pixels (so bytes and hash) differ for every seed."""
    from PIL import Image

    rng = random.Random(seed)
    img = Image.new("RGB", size)
    img.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(size[0] * size[1])])
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def jpeg(tmp_path):
    counter = iter(range(10**6))
    src = tmp_path / "camera"
    src.mkdir()

    def make(seed: int | None = None) -> Path:
        n = next(counter)
        return make_jpeg(src / f"IMG_{n:05d}.jpg", seed if seed is not None else random.randrange(1 << 30))

    return make


def login(server: LiveServer, username: str):
    from mobile.core.client import Client
    from server.demo.seed import demo_password

    c = Client(server.url, timeout=10)
    c.login(username, demo_password(username))
    return c


@pytest.fixture
def inspector(server):
    c = login(server, "inspector")
    yield c
    c.close()


__all__ = ["Faults", "LiveServer", "HOME_DISTRICT", "make_jpeg", "login"]
