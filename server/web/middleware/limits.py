"""A body-size cap for the API routes, enforced while reading (a missing or lying Content-Length is no way round it)."""
from __future__ import annotations

from starlette.responses import PlainTextResponse


class BodyLimit:
    def __init__(self, app, *, max_bytes: int, prefixes: tuple[str, ...] = ("/graphql",)):
        self.app, self.max_bytes, self.prefixes = app, max_bytes, prefixes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._too_large(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return msg

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope, receive, send):
        resp = PlainTextResponse(f"request body larger than {self.max_bytes} bytes", status_code=413)
        await resp(scope, receive, send)


class _TooLarge(Exception):
    pass
