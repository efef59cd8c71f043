"""The sync engine: photos first, then the records that use them, in order; safe to kill at any point.

Invariants:
- Local state only moves forward after the server confirmed (requestUpload answered -> media id kept;
  completeUpload READY -> photo ready; mutation answered -> record sent). A kill between the server's
  commit and our update is healed by the replay: every write carries the phone's client UUID and the
  server answers a replay with the first result. startTask and reviewSubmission have no clientId, so
  an INVALID_STATE answer is checked against the server's current state before calling it a failure.
- Transport failures (and RATE_LIMITED / INTERNAL) are retried with capped exponential backoff and
  jitter; any other GraphQL error code is permanent and kept with its message for the user.
- UNAUTHENTICATED stops the pass and flags "sign in again"; nothing is marked failed for it.
"""
from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobile.core.client import ApiError, Client, ClientError, TransportError
from mobile.core.store import DEPENDENCY_FAILED, FAILED, PENDING, SENT, ErrorInfo, OutboxItem, Photo, Store


REVIEW_ROLES = {"SUPERVISOR"}


@dataclass
class SyncReport:
    """What one pass (or a whole `sync`) did; the UI can show `stopped` as the reason it paused."""
    records_sent: int = 0
    photos_ready: int = 0
    failed: int = 0
    retries_scheduled: int = 0
    transport_errors: int = 0
    requests: int = 0
    passes: int = 0
    stopped: str | None = None  # None | "offline" | "sign_in"
    errors: list[ErrorInfo] = field(default_factory=list)

    def add(self, other: "SyncReport") -> None:
        for f in ("records_sent", "photos_ready", "failed", "retries_scheduled", "transport_errors", "requests",
                  "passes"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.stopped = other.stopped
        self.errors.extend(other.errors)


class _Wait(Exception):
    """The record cannot go yet (a photo or outfall it uses is still on its way)."""


class _DependencyFailed(Exception):
    def __init__(self, error: ErrorInfo):
        super().__init__(error.message)
        self.error = error


class _StopPass(Exception):
    def __init__(self, reason: str, error: ErrorInfo):
        super().__init__(reason)
        self.reason, self.error = reason, error


def _sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


class SyncEngine:
    """Sends what the store holds. Construct a new one at any time over the same store file: all
    progress lives in the store, none in this object."""

    def __init__(self, store: Store, client: Client, *, base_delay_s: float = 2.0, max_delay_s: float = 300.0,
                 max_server_retries: int = 8, offline_after: int = 3, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.store, self.client = store, client
        self.base_delay_s, self.max_delay_s = base_delay_s, max_delay_s
        self.max_server_retries = max_server_retries  # an INTERNAL error this often is not going away
        self.offline_after = offline_after  # consecutive transport failures that end a pass
        self.rng = rng or random.Random()
        self.clock, self.sleep = clock, sleep

    # -- public -------------------------------------------------------------------------------

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failures: capped exponential, 'equal jitter'."""
        d = min(self.max_delay_s, self.base_delay_s * (2 ** min(attempts, 30)))
        return d / 2 + self.rng.uniform(0, d / 2)

    def run_once(self) -> SyncReport:
        """One pass over what is due now. Never sleeps; returns what happened."""
        rep = SyncReport(passes=1)
        before = self.client.requests_made
        self._streak = 0
        try:
            self._photos(rep)
            self._records(rep)
        except _StopPass as s:
            rep.stopped = s.reason
            rep.errors.append(s.error)
            self.store.note_sync(ok=False, error=s.error)
        else:
            self.store.note_sync(ok=True)
        rep.requests = self.client.requests_made - before
        return rep

    def sync(self, *, max_seconds: float = 60.0, offline_pause_s: float | None = None) -> SyncReport:
        """Passes until nothing is waiting, sign-in is needed, or `max_seconds` is up; sleeps between
        passes until the next item is due."""
        total = SyncReport()
        end = self.clock() + max_seconds
        while True:
            rep = self.run_once()
            total.add(rep)
            if rep.stopped == "sign_in":
                return total
            nxt = self.next_due_at()
            if nxt is None:
                total.stopped = None
                return total
            now = self.clock()
            wait = max(0.0, nxt - now)
            if rep.stopped == "offline" and offline_pause_s is not None:
                wait = max(wait, offline_pause_s)
            if now + wait >= end:
                return total
            if wait > 0:
                self.sleep(wait)

    def next_due_at(self) -> float | None:
        """After a pass: when the earliest waiting photo or record is due (None: nothing waits).

        A record already due that is still waiting was held back in the pass (by a photo it uses or
        an earlier record, both of which have their own times), so it does not count: counting it
        would make `sync` spin without sleeping."""
        photos = [p.next_attempt_at for p in self.store.photos(state=PENDING)]
        items = [i.next_attempt_at for i in self.store.pending_items()]
        if not photos and not items:
            return None
        now = self.clock()
        later = photos + [t for t in items if t > now]
        return min(later) if later else now + 1.0

    # -- photos -------------------------------------------------------------------------------

    def _photos(self, rep: SyncReport) -> None:
        for p in self.store.due_photos(self.clock()):
            try:
                self._send_photo(p, rep)
                self._streak = 0
            except ClientError as e:
                self._on_error(e, rep, retry=lambda err, at: self.store.photo_retry_later(p.client_id, err, at),
                               fail=lambda err: self.store.photo_failed(p.client_id, err), attempts=p.attempts)

    def _send_photo(self, p: Photo, rep: SyncReport, renewals: int = 0) -> None:
        if not p.path.is_file() or _sha256(p.path) != p.sha256:
            self.store.photo_failed(p.client_id, ErrorInfo(
                "LOCAL_FILE", f"the photo file {p.filename} is missing or damaged on this phone; replace it"))
            rep.failed += 1
            return
        try:
            t = self.client.request_upload(client_id=p.upload_client_id, filename=p.filename,
                                           content_type=p.content_type, size_bytes=p.size_bytes, sha256=p.sha256,
                                           role=p.role)
        except ApiError as e:
            if e.code == "UPLOAD_INVALID" and renewals < 1:  # the ticket expired before we finished: go again
                self.store.photo_new_upload_id(p.client_id)
                return self._send_photo(self.store.photo(p.client_id), rep, renewals + 1)  # type: ignore[arg-type]
            raise
        m = t["media"]
        if m["id"] != p.media_id:
            self.store.photo_requested(p.client_id, m["id"])
        if m["status"] == "PENDING":
            self.client.upload(t, p.path, p.content_type)
            try:
                m = self.client.complete_upload(m["id"])
            except ApiError as e:
                if e.code == "UPLOAD_INVALID" and "mediaId" not in e.extensions:
                    # "no file has been uploaded yet": our bytes were lost on the way; send them again.
                    raise TransportError(e.message) from e
                if e.code == "UPLOAD_INVALID":
                    m = {**m, "status": "REJECTED", "rejectReason": e.message}
                else:
                    raise
        if m["status"] == "READY":
            self.store.photo_ready(p.client_id, m["id"])
            rep.photos_ready += 1
            return
        reason = m.get("rejectReason") or "the server rejected the photo"
        if "expired" in reason and renewals < 1:
            self.store.photo_new_upload_id(p.client_id)
            return self._send_photo(self.store.photo(p.client_id), rep, renewals + 1)  # type: ignore[arg-type]
        self.store.photo_failed(p.client_id, ErrorInfo("UPLOAD_INVALID", f"photo {p.filename} rejected: {reason}"))
        rep.failed += 1

    # -- records ------------------------------------------------------------------------------

    def _records(self, rep: SyncReport) -> None:
        now = self.clock()
        for it in self.store.pending_items():
            if it.next_attempt_at > now:
                return  # in order: a record waiting for its retry holds back the ones queued after it
            try:
                payload = self._resolve(it)
            except _Wait:
                return
            except _DependencyFailed as d:
                self.store.item_failed(it.client_id, d.error)
                rep.failed += 1
                continue
            try:
                result = self._send(it, payload)
                self._streak = 0
            except ClientError as e:
                self._on_error(e, rep, retry=lambda err, at: self.store.item_retry_later(it.client_id, err, at),
                               fail=lambda err: self.store.item_failed(it.client_id, err), attempts=it.attempts)
                if self.store.item(it.client_id).state == PENDING:  # type: ignore[union-attr]
                    return  # keep the order: the rest wait for this one
                continue
            self.store.item_sent(it.client_id, result.get("id"), result,
                                 outfall=result if it.kind in ("registerOutfall", "verifyOutfall") else None)
            rep.records_sent += 1

    def _resolve(self, it: OutboxItem) -> dict[str, Any]:
        """Replace {"$photo": id} with server media ids and {"$outfall": id} with server outfall ids;
        drop "_"-prefixed keys (local notes, not API input)."""

        def sub(v: Any) -> Any:
            if isinstance(v, dict) and len(v) == 1 and "$photo" in v:
                p = self.store.photo(v["$photo"])
                if p is None:
                    raise _DependencyFailed(ErrorInfo(DEPENDENCY_FAILED, "a photo of this record is missing"))
                if p.state == FAILED:
                    e = p.error or ErrorInfo("UPLOAD_INVALID", f"photo {p.filename} was rejected")
                    raise _DependencyFailed(ErrorInfo(e.code, e.message))
                if p.state != "ready" or not p.media_id:
                    raise _Wait()
                return p.media_id
            if isinstance(v, dict) and len(v) == 1 and "$outfall" in v:
                ref = self.store.item(v["$outfall"])
                if ref is None:
                    raise _DependencyFailed(ErrorInfo(DEPENDENCY_FAILED, "the outfall this refers to was discarded"))
                if ref.state == FAILED:
                    why = ref.error.message if ref.error else "it failed"
                    raise _DependencyFailed(ErrorInfo(
                        DEPENDENCY_FAILED, f"the outfall \u201c{ref.payload.get('name')}\u201d could not be "
                                           f"registered: {why}"))
                if ref.state != SENT:
                    raise _Wait()
                return ref.server_id
            if isinstance(v, dict):
                return {k: sub(x) for k, x in v.items() if not k.startswith("_")}
            if isinstance(v, list):
                return [sub(x) for x in v]
            return v

        return sub(it.payload)

    def _send(self, it: OutboxItem, payload: dict[str, Any]) -> dict[str, Any]:
        c = self.client
        if it.kind == "registerOutfall":
            return c.register_outfall(payload)
        if it.kind == "recordInspection":
            return c.record_inspection(payload)
        if it.kind == "submitRectification":
            return c.submit_rectification(payload)
        if it.kind == "recordPatrol":
            return c.record_patrol(payload)
        if it.kind == "createTask":
            return c.create_task(payload)
        if it.kind == "submitTracingRecord":
            return c.submit_tracing_record(payload)
        if it.kind == "verifyOutfall":
            try:
                return c.verify_outfall(payload["id"], payload["outcome"])
            except ApiError as e:
                if e.code != "INVALID_STATE":
                    raise
                # Our own earlier try may have landed with its answer lost: the same verdict stands.
                o = c.outfall(id=payload["id"])
                if o and o.get("verification") == payload["outcome"]:
                    return o
                raise
        if it.kind == "startTask":
            try:
                return c.start_task(payload["id"])
            except ApiError as e:
                if e.code != "INVALID_STATE":
                    raise
                # Maybe our own earlier try started it and the answer was lost: look before failing.
                t = c.task(payload["id"])
                if t and t["status"] in ("IN_PROGRESS", "SUBMITTED", "APPROVED"):
                    return t
                raise
        if it.kind == "reviewSubmission":
            try:
                return c.review_submission(payload)
            except ApiError as e:
                if e.code != "INVALID_STATE" or not it.payload.get("_taskId"):
                    raise
                mine = self._my_review(it.payload["_taskId"], payload)
                if mine is None:
                    raise ApiError(e.code, "this submission was already reviewed by someone else") from e
                return mine
        raise ApiError("BAD_RECORD", f"unknown record kind {it.kind!r}")

    def _my_review(self, task_id: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The submission if it carries a review by me with the same decision (an earlier try of ours)."""
        t = self.client.task(task_id)
        session = self.store.session()
        me = session.user.get("id") if session else None
        for s in (t or {}).get("submissions") or []:
            r = s.get("review") or {}
            if s["id"] == str(payload["submissionId"]) and r.get("decision") == payload.get("decision") \
                    and (r.get("reviewer") or {}).get("id") == me:
                return s
        return None

    # -- errors -------------------------------------------------------------------------------

    def _on_error(self, e: ClientError, rep: SyncReport, *, retry, fail, attempts: int) -> None:
        err = ErrorInfo(e.code, getattr(e, "message", str(e)))
        if e.needs_sign_in:
            raise _StopPass("sign_in", ErrorInfo("UNAUTHENTICATED", "please sign in again to send your records"))
        if e.retryable and not (isinstance(e, ApiError) and attempts + 1 >= self.max_server_retries):
            retry(err, self.clock() + self.backoff(attempts))
            rep.retries_scheduled += 1
            if isinstance(e, TransportError):
                rep.transport_errors += 1
                self._streak += 1
                if self._streak >= self.offline_after:
                    raise _StopPass("offline", ErrorInfo("TRANSPORT", "no connection to the server; will retry"))
            return
        fail(err)
        rep.failed += 1
        rep.errors.append(err)

    # -- cache --------------------------------------------------------------------------------

    def refresh_cache(self, district_code: str | None = None) -> dict[str, int]:
        """Download what the app needs offline: register of the district, districts, rivers, limits,
        my tasks, and (reviewers) the review queue. Each piece replaces its cache in one transaction."""
        from mobile.core.limits import bundled_rows

        s = self.store
        session = s.session()
        user = session.user if session else (self.client.me() or {})
        district_code = district_code or ((user.get("district") or {}).get("code"))
        s.put_cache("districts", self.client.districts())
        s.put_cache("rivers", self.client.rivers())
        outfalls = list(self.client.outfalls(district_code))
        s.replace_outfalls(district_code, outfalls)
        s.put_cache("limits", self.client.standard_limits() or bundled_rows())
        tasks = self.client.tasks(status=["OPEN", "IN_PROGRESS", "REJECTED"])
        s.put_cache("tasks", tasks)
        queue = self.client.tasks(status=["SUBMITTED"]) if user.get("role") in REVIEW_ROLES else []
        s.put_cache("review_queue", queue)
        return {"outfalls": len(outfalls), "tasks": len(tasks), "review_queue": len(queue)}
