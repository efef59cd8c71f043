"""A small GraphQL-over-HTTP client (httpx, synchronous: the app calls it from a background thread).

Every failure is one of two exceptions, so callers decide with one attribute:
- TransportError: the request may or may not have reached the server (no signal, reset, 5xx, 429).
  Always retryable; replays are safe because writes carry client UUIDs.
- ApiError: the server answered with a GraphQL error and its `extensions.code`. `retryable` for
  RATE_LIMITED / INTERNAL; `needs_sign_in` for UNAUTHENTICATED; otherwise permanent (BAD_USER_INPUT,
  FORBIDDEN, NOT_FOUND, CONFLICT, INVALID_STATE, UPLOAD_INVALID...) and `message` is shown to the user.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

RETRYABLE_CODES = frozenset({"RATE_LIMITED", "INTERNAL", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"})

USER = "id username displayName role district { code name nameEn }"
# dischargeStandard ... receivingTarget: what the phone needs to judge readings offline as the server does.
OUTFALL = ("id code name category subtype phase status waterClass signboardInstalled responsibleUnit createdAt "
           "river { code name nameEn } district { code name nameEn } location { lat lon accuracyM } distanceM "
           "dischargeStandard dischargeGrade sectorStandard standardLabel receivingTarget "
           "approvedLimits { parameter limitMax limitMin } verification")
MEDIA = "id clientId kind role status contentType sizeBytes sha256 rejectReason checks { code severity message }"
TICKET = f"url method headers {{ key value }} fields {{ key value }} expiresAt media {{ {MEDIA} }}"
MEASUREMENT = "parameter value unit limit limitLow standard exceeded exceedanceRatio exceedanceMultiple"
INSPECTION = (f"id clientId observedAt receivedAt flowing note outcome outfall {{ id code name }} "
              f"measurements {{ {MEASUREMENT} }} media {{ id clientId status }} raisedTasks {{ id code title }}")
SUBMISSION = ("id clientId submittedAt note status review { decision reason reviewedAt reviewer { id } } "
              "task { id code status } before { id } after { id }")
TASK = (f"id code kind source status title description deadline isOverdue createdAt version "
        f"district {{ code name }} outfall {{ id code name location {{ lat lon }} }} location {{ lat lon }} "
        f"latestSubmission {{ {SUBMISSION} }}")
TRACING = ("id status determined party { name uscc type contact } sources methods report "
           "undeterminedReason submittedAt outfall { id code name phase }")
PATROL = "id clientId startedAt endedAt receivedAt distanceM durationS pointCount districtCode mockedLocation note"


class ClientError(Exception):
    retryable = False
    needs_sign_in = False
    code = "ERROR"


class TransportError(ClientError):
    """No usable answer: offline, timeout, reset, a 5xx or 429. Retry later."""
    retryable = True
    code = "TRANSPORT"

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class ApiError(ClientError):
    """The server refused with a reason (GraphQL `extensions.code`), or the upload URL did."""

    def __init__(self, code: str, message: str, *, field: str | None = None, extensions: dict | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field
        self.extensions = extensions or {}

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.code in RETRYABLE_CODES

    @property
    def needs_sign_in(self) -> bool:  # type: ignore[override]
        return self.code == "UNAUTHENTICATED"


class Client:
    """GraphQL client for one server. `token` is sent as a bearer token; `login` sets it."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self.requests_made = 0  # for the sync report and the chaos figures

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------------------------

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation; the `data` on success, else TransportError / ApiError (the first error)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.requests_made += 1
        try:
            r = self._http.post(f"{self.base_url}/graphql", json={"query": query, "variables": variables or {}},
                                headers=headers)
        except httpx.HTTPError as e:  # connect/read errors, timeouts, resets, protocol errors
            raise TransportError(f"no answer from the server ({type(e).__name__})") from e
        if r.status_code >= 500 or r.status_code in (408, 429):
            raise TransportError(f"the server is busy or failing (HTTP {r.status_code})", status=r.status_code)
        try:
            body = r.json()
        except ValueError:
            if r.status_code >= 400:
                raise ApiError("BAD_REQUEST", f"HTTP {r.status_code}: {r.text[:200]}") from None
            raise TransportError(f"unreadable answer (HTTP {r.status_code})", status=r.status_code) from None
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            e = errors[0]
            ext = e.get("extensions") or {}
            raise ApiError(ext.get("code") or "BAD_USER_INPUT", e.get("message") or "request refused",
                           field=ext.get("field"), extensions=ext)
        if r.status_code >= 400 or not isinstance(body, dict) or body.get("data") is None:
            raise ApiError("BAD_REQUEST", f"HTTP {r.status_code}: {r.text[:200]}")
        return body["data"]

    # -- account ------------------------------------------------------------------------------

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in; keeps the token for later calls. Returns {token, expiresAt, user}."""
        d = self.execute(f"mutation($u:String!,$p:String!){{login(username:$u,password:$p)"
                         f"{{token expiresAt user{{ {USER} }}}}}}", {"u": username, "p": password})["login"]
        self.token = d["token"]
        return d

    def me(self) -> dict[str, Any] | None:
        return self.execute(f"{{me{{ {USER} }}}}")["me"]

    # -- reference data -----------------------------------------------------------------------

    def districts(self) -> list[dict]:
        return self.execute("{districts{code name nameEn}}")["districts"]

    def rivers(self) -> list[dict]:
        return self.execute("{rivers{code name nameEn}}")["rivers"]

    def outfalls_page(self, *, district_code: str | None = None, first: int = 200, after: str | None = None,
                      near: tuple[float, float, float] | None = None) -> dict[str, Any]:
        """One page of the register: {edges: [{node}], pageInfo, totalCount}."""
        flt: dict[str, Any] = {}
        if district_code:
            flt["districtCode"] = district_code
        if near:
            flt["near"] = {"lat": near[0], "lon": near[1], "radiusM": near[2]}
        return self.execute(
            f"query($f:OutfallFilter,$n:Int,$a:String){{outfalls(filter:$f,first:$n,after:$a)"
            f"{{totalCount pageInfo{{hasNextPage endCursor}} edges{{node{{ {OUTFALL} }}}}}}}}",
            {"f": flt or None, "n": first, "a": after})["outfalls"]

    def outfalls(self, district_code: str | None = None, *, page_size: int = 200) -> Iterator[dict[str, Any]]:
        """Every outfall of a district (or all the caller may see), following the pages."""
        after = None
        while True:
            page = self.outfalls_page(district_code=district_code, first=page_size, after=after)
            for e in page["edges"]:
                yield e["node"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]

    def outfall(self, id: str | None = None, code: str | None = None) -> dict[str, Any] | None:
        return self.execute(
            f"query($i:ID,$c:String){{outfall(id:$i,code:$c){{ {OUTFALL} "
            f"latestInspection{{ {INSPECTION} }} }}}}", {"i": id, "c": code})["outfall"]

    def nearby(self, lat: float, lon: float, radius_m: float = 2000, first: int = 20) -> list[dict[str, Any]]:
        """Outfalls within radius_m, nearest first (server side; see nearby.py for the offline version)."""
        page = self.outfalls_page(near=(lat, lon, radius_m), first=first)
        return [e["node"] for e in page["edges"]]

    def tasks(self, *, status: list[str] | None = None, district_code: str | None = None,
              first: int = 100) -> list[dict[str, Any]]:
        flt = {k: v for k, v in (("status", status), ("districtCode", district_code)) if v}
        return [e["node"] for e in self.execute(
            f"query($f:TaskFilter,$n:Int){{tasks(filter:$f,first:$n){{edges{{node{{ {TASK} }}}}}}}}",
            {"f": flt or None, "n": first})["tasks"]["edges"]]

    def standard_limits(self) -> list[dict[str, Any]] | None:
        """The server's limit rows for every grade (outfalls each have their own standard and grade), or
        None from a server that cannot give them all: limits.py then uses its bundled table, built from
        the same domain.json (a server's own-grade-only table would leave other grades unjudged)."""
        try:
            return self.execute("{standardLimits(allGrades:true){standard level label parameter scope condition "
                                "direction limit limitLow unit}}")["standardLimits"]
        except ApiError as e:
            if "Cannot query field" in e.message or "allGrades" in e.message:
                return None
            raise

    # -- uploads ------------------------------------------------------------------------------

    def request_upload(self, *, client_id: str, filename: str, content_type: str, size_bytes: int, sha256: str,
                       role: str = "GENERAL") -> dict[str, Any]:
        """Reserve an upload (idempotent on client_id). Ticket method "NONE" = already completed."""
        return self.execute(f"mutation($i:RequestUploadInput!){{requestUpload(input:$i){{ {TICKET} }}}}",
                            {"i": {"clientId": client_id, "filename": filename, "contentType": content_type,
                                   "sizeBytes": size_bytes, "sha256": sha256, "role": role}})["requestUpload"]

    def upload(self, ticket: dict[str, Any], path: str | Path, content_type: str) -> None:
        """Send the bytes where the ticket says. A 409 means the object is already there: done."""
        method = ticket["method"].upper()
        if method == "NONE":
            return
        data = Path(path).read_bytes()
        headers = {kv["key"]: kv["value"] for kv in ticket.get("headers") or []}
        self.requests_made += 1
        try:
            if method == "PUT":
                headers.setdefault("Content-Type", content_type)
                r = self._http.put(ticket["url"], content=data, headers=headers)
            elif method == "POST":
                fields = {kv["key"]: kv["value"] for kv in ticket.get("fields") or []}
                r = self._http.post(ticket["url"], data=fields, files={"file": (Path(path).name, data, content_type)},
                                    headers=headers)
            else:
                raise ApiError("BAD_TICKET", f"upload method {method!r} is not supported")
        except httpx.HTTPError as e:
            raise TransportError(f"upload interrupted ({type(e).__name__})") from e
        if r.status_code < 300 or r.status_code == 409:
            return
        # 403: the signed URL expired or was refused - a fresh requestUpload gives a new one.
        if r.status_code >= 500 or r.status_code in (403, 408, 429):
            raise TransportError(f"upload failed (HTTP {r.status_code}: {r.text[:120]})", status=r.status_code)
        raise ApiError("UPLOAD_REFUSED", f"the file store refused the photo (HTTP {r.status_code}: {r.text[:200]})")

    def complete_upload(self, media_id: str, attestation: dict[str, Any] | None = None) -> dict[str, Any]:
        """Ask the server to verify the upload: Media (READY), or ApiError UPLOAD_INVALID with the reason.

        `attestation`: what core/attest.py signed at capture ({"payload", "signature"}); the phone's clock
        goes with it so the server can measure the offset."""
        if attestation is None:
            return self.execute(f"mutation($m:ID!){{completeUpload(mediaId:$m){{ {MEDIA} }}}}",
                                {"m": media_id})["completeUpload"]
        from datetime import UTC, datetime

        att = {**attestation, "deviceNow": datetime.now(UTC).isoformat()}
        return self.execute(f"mutation($m:ID!,$a:AttestationInput){{completeUpload(mediaId:$m,attestation:$a){{ "
                            f"{MEDIA} attestation {{ status message }} }}}}", {"m": media_id, "a": att})["completeUpload"]

    # -- writes (all idempotent on clientId except startTask / reviewSubmission) --------------

    def register_outfall(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:RegisterOutfallInput!){{registerOutfall(input:$i){{ {OUTFALL} }}}}",
                            {"i": input})["registerOutfall"]

    def record_inspection(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:RecordInspectionInput!){{recordInspection(input:$i){{ {INSPECTION} }}}}",
                            {"i": input})["recordInspection"]

    def start_task(self, id: str) -> dict[str, Any]:
        return self.execute(f"mutation($i:ID!){{startTask(id:$i){{ {TASK} }}}}", {"i": id})["startTask"]

    def task(self, id: str) -> dict[str, Any] | None:
        return self.execute(f"query($i:ID!){{task(id:$i){{ {TASK} submissions{{ {SUBMISSION} }} }}}}",
                            {"i": id})["task"]

    def submit_rectification(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:SubmitRectificationInput!){{submitRectification(input:$i)"
                            f"{{ {SUBMISSION} }}}}", {"i": input})["submitRectification"]

    def review_submission(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:ReviewSubmissionInput!){{reviewSubmission(input:$i){{ {SUBMISSION} }}}}",
                            {"i": input})["reviewSubmission"]

    def get_bytes(self, url: str) -> bytes | None:
        """A plain GET (map tiles): the body on 200, else None; transport errors raise TransportError."""
        try:
            r = self._http.get(url)
        except httpx.HTTPError as e:
            raise TransportError(f"no answer from {url.split('/')[2] if '//' in url else url} "
                                 f"({type(e).__name__})") from e
        return r.content if r.status_code == 200 and r.content else None

    def create_task(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:CreateTaskInput!){{createTask(input:$i){{ {TASK} }}}}",
                            {"i": input})["createTask"]

    def record_patrol(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:RecordPatrolInput!){{recordPatrol(input:$i){{ {PATROL} }}}}",
                            {"i": input})["recordPatrol"]

    def verify_outfall(self, id: str, outcome: str) -> dict[str, Any]:
        return self.execute(f"mutation($i:ID!,$o:VerifyOutcome!){{verifyOutfall(id:$i,outcome:$o){{ {OUTFALL} }}}}",
                            {"i": id, "o": outcome})["verifyOutfall"]

    def submit_tracing_record(self, input: dict[str, Any]) -> dict[str, Any]:
        return self.execute(f"mutation($i:SubmitTracingRecordInput!){{submitTracingRecord(input:$i){{ {TRACING} }}}}",
                            {"i": input})["submitTracingRecord"]
