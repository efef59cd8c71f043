"""PUT /media/upload and GET /media/object for the local store: signed, expiring, size-pinned."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.storage.local import BadToken, LocalStore


def media_routes(store: LocalStore) -> list[Route]:
    async def upload(request: Request) -> Response:
        try:
            t = store.verify(request.query_params.get("t", ""), "put")
        except (BadToken, ValueError) as e:
            return PlainTextResponse(f"forbidden: {e}", status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != t["ct"]:
            return PlainTextResponse(f"Content-Type must be {t['ct']}", status_code=400)
        dest = store.path(t["k"])
        await anyio.to_thread.run_sync(lambda: dest.parent.mkdir(parents=True, exist_ok=True))
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp")
        n, ok = 0, False
        try:
            with os.fdopen(fd, "wb") as f:
                async for chunk in request.stream():
                    n += len(chunk)
                    if n > t["n"]:
                        return PlainTextResponse(f"body larger than the declared {t['n']} bytes", status_code=413)
                    await anyio.to_thread.run_sync(f.write, chunk)
            if n != t["n"]:
                return PlainTextResponse(f"received {n} bytes, {t['n']} declared", status_code=400)
            await anyio.to_thread.run_sync(os.replace, tmp, dest)
            ok = True
            return Response(status_code=201)
        finally:
            if not ok:
                Path(tmp).unlink(missing_ok=True)

    async def download(request: Request) -> Response:
        try:
            t = store.verify(request.query_params.get("t", ""), "get")
        except (BadToken, ValueError) as e:
            return PlainTextResponse(f"forbidden: {e}", status_code=403)
        p = store.path(t["k"])
        if not await anyio.to_thread.run_sync(p.exists):
            return PlainTextResponse("not found", status_code=404)
        media_type = "image/jpeg" if p.suffix == ".jpg" else None
        resp = FileResponse(p, media_type=media_type, filename=t.get("fn"),
                            content_disposition_type="attachment" if t.get("fn") else "inline")
        resp.headers["Cache-Control"] = "private, max-age=300"
        return resp

    return [Route("/media/upload", upload, methods=["PUT"]), Route("/media/object", download, methods=["GET"])]
