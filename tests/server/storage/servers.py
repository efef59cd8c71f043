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
