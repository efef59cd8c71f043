"""PUT /media/upload and GET /media/object for the local store: signed, expiring, size-pinned."""
from __future__ import annotations

import os
import time
from pathlib import Path

import anyio
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.storage.base import content_disposition
from server.storage.local import BadToken, LocalStore, temp_file


def _text(status: int, reason: str) -> Response:
    return PlainTextResponse(reason, status_code=status)


def _commit(tmp: str, dest: Path) -> bool:
    """Move the finished upload into place unless an object is already there (False then)."""
    try:
        os.link(tmp, dest)  # atomic and never clobbers
    except FileExistsError:
        return False
    except OSError:  # no hard links on this filesystem
        if dest.exists():
            return False
        os.replace(tmp, dest)
        return True
    os.unlink(tmp)
    return True


def media_routes(store: LocalStore) -> list[Route]:
    async def upload(request: Request) -> Response:
        try:
            t = store.verify(request.query_params.get("t", ""), "put")
        except BadToken as e:
            return _text(403, f"forbidden: {e}")
        size, ct = t.get("n"), t.get("ct")
        if not isinstance(size, int) or not isinstance(ct, str) or size > store.max_upload_bytes:
            return _text(403, "forbidden: malformed token")
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != ct.lower():
            return _text(400, f"Content-Type must be {ct}")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > size:
            return _text(413, f"body larger than the pinned {size} bytes")
        dest = store.path(t["k"])
        # A ticket is good for one upload, whatever its outcome: a replay may neither swap bytes the server
        # has verified nor put an object back after the server rejected and deleted it.
        spent = store.spent_path(dest)
        if await anyio.to_thread.run_sync(lambda: dest.exists() or spent.exists()):
            return _text(409, "this upload ticket has already been used")
        fd, tmp = await anyio.to_thread.run_sync(temp_file, dest.parent)
        n = 0
        try:
            with os.fdopen(fd, "wb") as f:
                async for chunk in request.stream():
                    n += len(chunk)
                    if n > size:
                        return _text(413, f"body larger than the pinned {size} bytes")
                    await anyio.to_thread.run_sync(f.write, chunk)
            if n != size:
                return _text(400, f"received {n} bytes, {size} pinned")

            def finish() -> bool:
                if not store.claim_ticket(dest, t["exp"]):
                    return False
                store.write_meta(dest, ct)
                return _commit(tmp, dest)

            if not await anyio.to_thread.run_sync(finish):
                return _text(409, "this upload ticket has already been used")
            return Response(status_code=201)
        except ClientDisconnect:
            return _text(400, "upload interrupted")
        finally:
            await anyio.to_thread.run_sync(lambda: Path(tmp).unlink(missing_ok=True))

    async def download(request: Request) -> Response:
        try:
            t = store.verify(request.query_params.get("t", ""), "get")
        except BadToken as e:
            return _text(403, f"forbidden: {e}")
        p = store.path(t["k"])

        def look():
            try:
                st = p.stat()
            except (FileNotFoundError, NotADirectoryError):
                return None, {}
            return (st, store.read_meta(p)) if p.is_file() else (None, {})

        st, meta = await anyio.to_thread.run_sync(look)
        if st is None:
            return _text(404, "not found")
        headers = {
            # The link is the credential: keep it out of shared caches, and no longer than it is valid.
            "Cache-Control": f"private, max-age={max(0, t['exp'] - int(time.time()))}",
            "X-Content-Type-Options": "nosniff",  # uploads are data, never a page of ours
        }
        if isinstance(t.get("fn"), str):
            headers["Content-Disposition"] = content_disposition(t["fn"])
        return FileResponse(p, stat_result=st, headers=headers,
                            media_type=meta.get("content_type") or "application/octet-stream")

    return [Route("/media/upload", upload, methods=["PUT"]), Route("/media/object", download, methods=["GET"])]
