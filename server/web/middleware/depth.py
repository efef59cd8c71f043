"""Refuse deeply nested GraphQL requests before anything parses them.

Python's JSON decoder and graphql-core's parser are recursive: a body 50,000 brackets deep raised
RecursionError inside them (a 500), and the process then failed a later, ordinary request. So the
nesting is measured here, with a flat scan that cannot recurse, on the JSON body and on the GraphQL
document it carries (POST body, GET `query`, and each graphql-transport-ws message), and anything
deeper than MAX_DEPTH is answered HTTP 400 with a GraphQL-shaped error (or a WebSocket close 4400).
MAX_DEPTH is far beyond any real request: the console's deepest document nests 12 levels.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from urllib.parse import parse_qs

MAX_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_JSON_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
# Block strings first (they may hold quotes), then strings, then comments.
_GQL_SKIP = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*', re.S)
_GQL_NOT_BRACKET = re.compile(r"[^\[\](){}]")


def _max_depth(brackets) -> int:
    steps = (1 if c in "[({" else -1 for c in brackets)
    return max(accumulate(steps, initial=0))


def json_depth(body: bytes) -> int:
    return _max_depth(_JSON_NOT_BRACKET.sub(b"", _JSON_STRING.sub(b'""', body)).decode())


def document_depth(query: str) -> int:
    return _max_depth(_GQL_NOT_BRACKET.sub("", _GQL_SKIP.sub("", query)))


def too_deep(body: bytes) -> str | None:
    """Why a GraphQL request body (JSON) is refused, or None."""
    if json_depth(body) > MAX_DEPTH:
        return f"the request body is nested deeper than {MAX_DEPTH} levels"
    try:  # now safe to parse: the nesting is bounded
        req = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not our concern: the GraphQL layer answers malformed JSON
    queries = [r.get("query") if isinstance(r, dict) else None for r in (req if isinstance(req, list) else [req])]
    if isinstance(req, dict) and isinstance(req.get("payload"), dict):  # a graphql-transport-ws message
        queries.append(req["payload"].get("query"))
    return next((_document_reason() for q in queries if isinstance(q, str) and document_depth(q) > MAX_DEPTH), None)


def _document_reason() -> str:
    return f"the GraphQL document is nested deeper than {MAX_DEPTH} levels"


def error_body(message: str) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}).encode()


class DepthGuard:
    def __init__(self, app, *, prefixes: tuple[str, ...] = ("/graphql",)):
        self.app, self.prefixes = app, prefixes

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or not scope["path"].startswith(self.prefixes):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await self.app(scope, self._ws_receive(receive, send), send)
        if scope["method"] == "GET":
            params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if document_depth(params.get("query", [""])[0]) > MAX_DEPTH:
                return await _refuse(send, _document_reason())
            if json_depth(params.get("variables", [""])[0].encode()) > MAX_DEPTH:
                return await _refuse(send, f"the variables are nested deeper than {MAX_DEPTH} levels")
            return await self.app(scope, receive, send)
        body, more = b"", True  # the body is capped by BodyLimit, which runs before us
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                return
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
        reason = too_deep(body)
        if reason:
            return await _refuse(send, reason)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    def _ws_receive(receive, send):
        async def checked():
            msg = await receive()
            if msg["type"] == "websocket.receive":
                data = msg.get("text")
                data = data.encode() if data is not None else (msg.get("bytes") or b"")
                if too_deep(data):
                    await send({"type": "websocket.close", "code": 4400, "reason": "nested too deep"})
                    return {"type": "websocket.disconnect", "code": 4400}
            return msg
        return checked


async def _refuse(send, message: str) -> None:
    payload = error_body(message)
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
