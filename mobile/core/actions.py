"""The user's actions, one call each: photos copied in and the record queued in one transaction.

Nothing here talks to the server except `sign_in`; the sync engine sends what these queue.
Photos are given as paths or (path, role) pairs.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mobile.core.client import ApiError, Client, TransportError
from mobile.core.device import Fix
from mobile.core.limits import SAMPLE_TYPES, plausibility_error
from mobile.core.store import NewPhoto, OutboxItem, Store, StoreError
from mobile.core.uscc import compact, uscc_error

PhotoArg = str | os.PathLike | tuple[str | os.PathLike, str]


@dataclass(frozen=True)
class OutfallRef:
    """An outfall registered on this phone and not yet synced: refer to it by its record's client id."""
    client_id: str


class SignInError(Exception):
    def __init__(self, message: str, *, offline: bool = False):
        super().__init__(message)
        self.offline = offline


def sign_in(store: Store, client: Client, username: str, password: str) -> dict[str, Any]:
    """Online sign-in when the server answers; otherwise offline against the last online sign-in of
    this user on this phone. Returns the User; raises SignInError with a sentence for the screen."""
    try:
        auth = client.login(username, password)
    except TransportError:
        s = store.check_offline_password(username, password)
        if s is None:
            raise SignInError("no connection, and this phone has no earlier sign-in of this user with this "
                              "password; connect once to sign in", offline=True) from None
        client.token = s.token
        return s.user
    except ApiError as e:
        raise SignInError(e.message) from e
    store.save_session(username=username, password=password, token=auth["token"], expires_at=auth["expiresAt"],
                       user=auth["user"])
    return auth["user"]


def _photos(photos: list[PhotoArg], default_role: str) -> list[NewPhoto]:
    out = []
    for p in photos:
        path, role = (p if isinstance(p, tuple) else (p, default_role))
        out.append(NewPhoto(path, role))
    return out


def _utc(t: datetime | None) -> str:
    t = t or datetime.now(UTC)
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).isoformat()


def _outfall_id(outfall: str | int | OutfallRef | dict) -> Any:
    if isinstance(outfall, OutfallRef):
        return {"$outfall": outfall.client_id}
    if isinstance(outfall, dict):  # a cached outfall, server or local
        return str(outfall["id"]) if outfall.get("id") else {"$outfall": outfall["clientId"]}
    return str(outfall)


def record_inspection(store: Store, *, outfall: str | int | OutfallRef | dict, observed_at: datetime | None = None,
                      position: Fix | None = None, flowing: bool | None = None, note: str | None = None,
                      measurements: dict[str, float] | None = None, photos: list[PhotoArg] = (),
                      client_id: str | None = None, sample_type: str = "EFFLUENT", dry: bool = False) -> OutboxItem:
    """Queue an inspection; `outfall` is a server id, a cached outfall dict, or an OutfallRef.
    `sample_type`: what the readings are of, the outfall's EFFLUENT or river water UPSTREAM/DOWNSTREAM.
    `dry`: the outfall was dry, nothing to sample (outcome DRY: not flowing, no effluent reading; river
    water may still be sampled)."""
    if sample_type not in SAMPLE_TYPES:
        raise StoreError(f"sample type must be one of {', '.join(SAMPLE_TYPES)}")
    if dry:
        if flowing:
            raise StoreError("a dry outfall is not flowing")
        if measurements and sample_type == "EFFLUENT":
            raise StoreError("a dry outfall has no effluent to sample")
        flowing = False
    for p, v in (measurements or {}).items():
        err = plausibility_error(p, v)
        if err:
            raise StoreError(err)
    new = _photos(list(photos), "GENERAL")
    payload = {"outfallId": _outfall_id(outfall), "observedAt": _utc(observed_at),
               "position": position.as_input() if position else None, "flowing": flowing, "note": note,
               "measurements": [{"parameter": p, "value": float(v),
                                 **({"sampleType": sample_type} if sample_type != "EFFLUENT" else {})}
                                for p, v in (measurements or {}).items()],
               "mediaIds": [{"$photo": p.client_id} for p in new]}
    if dry:
        payload["outcome"] = "DRY"
    return store.enqueue("recordInspection", payload, photos=new, client_id=client_id)


def register_outfall(store: Store, *, name: str, category: str, river_code: str, district_code: str,
                     location: Fix, subtype: str | None = None, water_class: str | None = None,
                     responsible_unit: str | None = None, signboard_installed: bool = False,
                     photos: list[PhotoArg] = (), gps_fix: Fix | None = None, suspected: bool = False) -> OutboxItem:
    """Queue a new outfall; OutfallRef(item.client_id) lets inspections refer to it before it syncs.
    `location` is where the outfall is (the pin, maybe moved by hand); `gps_fix` the GPS fix when it
    was registered: both are sent, and the server stores the fix beside the location (gpsFix).
    `suspected` (疑似): found by remote sensing, a drone or a report and not yet confirmed on site."""
    new = _photos(list(photos), "GENERAL")
    payload = {"name": name, "category": category, "riverCode": river_code, "districtCode": district_code,
               "location": location.as_input(), "subtype": subtype, "waterClass": water_class,
               "responsibleUnit": responsible_unit, "signboardInstalled": signboard_installed,
               "mediaIds": [{"$photo": p.client_id} for p in new]}
    if gps_fix is not None:
        payload["gpsFix"] = gps_fix.as_input()
    if suspected:
        payload["suspected"] = True
    return store.enqueue("registerOutfall", payload, photos=new)


VERIFY_OUTCOMES = ("VERIFIED", "NOT_OUTFALL")
# Who may verify a suspect on site (the server's outfall.verify: an inspector in the own district).
VERIFY_ROLES = ("INSPECTOR", "SUPERVISOR", "ADMIN")
TRACE_ROLES = ("INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN")
CITY_ROLES = ("SUPERVISOR", "ADMIN")


def _in_scope(user: dict | None, outfall: dict, roles: tuple[str, ...]) -> bool:
    if not user or user.get("role") not in roles:
        return False
    if user["role"] in CITY_ROLES:
        return True
    mine = (user.get("district") or {}).get("code")
    return bool(mine) and mine == (outfall.get("district") or {}).get("code", outfall.get("districtCode"))


def may_verify(user: dict | None, outfall: dict) -> bool:
    """A suspected outfall, and a user the server lets verify it (its district's inspector, or the city)."""
    return outfall.get("verification") == "SUSPECTED" and _in_scope(user, outfall, VERIFY_ROLES)


def may_trace(user: dict | None, outfall: dict) -> bool:
    """Not found to be something other than an outfall, and a user who may submit its tracing record."""
    return outfall.get("verification") != "NOT_OUTFALL" and _in_scope(user, outfall, TRACE_ROLES)


def verify_outfall(store: Store, *, outfall: str | int | OutfallRef | dict, outcome: str) -> OutboxItem:
    """Queue the on-site verdict on a suspected outfall: VERIFIED (it is an outfall) or NOT_OUTFALL.
    The server's mutation has no clientId; sync.py treats "already that outcome" as our own earlier try."""
    if outcome not in VERIFY_OUTCOMES:
        raise StoreError(f"outcome must be one of {', '.join(VERIFY_OUTCOMES)}")
    return store.enqueue("verifyOutfall", {"id": _outfall_id(outfall), "outcome": outcome})


PARTY_TYPES = ("ENTERPRISE", "INSTITUTION", "INDIVIDUAL", "LOCAL_GOVERNMENT", "OTHER")
TRACING_METHODS = ("FIELD_SURVEY", "PIPE_INSPECTION", "DYE_TEST", "WATER_QUALITY", "RECORDS", "INTERVIEW", "OTHER")


def submit_tracing_record(store: Store, *, outfall: str | int | OutfallRef | dict, methods: list[str],
                          determined: bool = True, party_name: str | None = None, party_type: str | None = None,
                          uscc: str | None = None, contact: str | None = None, sources: list[str] = (),
                          report: str | None = None, undetermined_reason: str | None = None) -> OutboxItem:
    """Queue a tracing record (溯) for the city's review: the responsible party (name, type, 统一社会信用代码
    checked here offline, contact), the sources of the sewage, how it was traced and a report; or
    `determined=False` with why (the server names the local government). The same rules as the server,
    so a record that cannot pass waits in no outbox."""
    methods = list(dict.fromkeys(methods))
    bad = [m for m in methods if m not in TRACING_METHODS]
    if bad:
        raise StoreError(f"unknown tracing method {bad[0]!r}")
    if not methods:
        raise StoreError("say how the source was traced")
    sources = [x.strip() for x in sources if x and x.strip()]
    report = (report or "").strip() or None
    payload: dict[str, Any] = {"outfallId": _outfall_id(outfall), "determined": determined, "methods": methods,
                               "report": report}
    if determined:
        name = (party_name or "").strip()
        if not name:
            raise StoreError("name the responsible party, or say it cannot be determined")
        if party_type not in PARTY_TYPES:
            raise StoreError(f"party type must be one of {', '.join(PARTY_TYPES)}")
        code = compact(uscc or "") or None
        err = uscc_error(code)
        if err:
            raise StoreError(err)
        if party_type == "ENTERPRISE" and code is None:
            raise StoreError("an enterprise is named with its unified social credit code")
        if party_type == "INDIVIDUAL" and code is not None:
            raise StoreError("an individual has no unified social credit code")
        if not sources:
            raise StoreError("name the sources of the sewage")
        payload.update(party={"name": name, "type": party_type, "uscc": code,
                              "contact": (contact or "").strip() or None}, sources=sources)
    else:
        reason = (undetermined_reason or "").strip()
        if not reason:
            raise StoreError("say why the source cannot be determined")
        payload.update(undeterminedReason=reason, sources=sources)
    return store.enqueue("submitTracingRecord", payload)


FINDING_KINDS = ("ILLEGAL_DISCHARGE", "FLOATING_DEBRIS", "RIVERBANK_GARBAGE", "SIGNBOARD", "OTHER")
FINDING_OUTFALL_RADIUS_M = 50.0  # a finding this close to a known outfall is about that outfall
FINDING_DEADLINE_DAYS = 7


def quick_finding(store: Store, *, kind: str, note: str | None, position: Fix, district_code: str,
                  title: str, photos: list[PhotoArg] = (), near_outfall: dict | None = None,
                  patrol_id: str | None = None, now: datetime | None = None) -> OutboxItem:
    """A problem reported at the current point during a patrol, turned into what today's flows know:
    an inspection of `near_outfall` (the caller passes the outfall within FINDING_OUTFALL_RADIUS_M, if
    any) carrying the kind in its note, or else a task for the district at that point."""
    if kind not in FINDING_KINDS:
        raise StoreError(f"kind must be one of {', '.join(FINDING_KINDS)}")
    if position is None:
        raise StoreError("a quick finding needs a GPS fix: it is reported at the current point")
    if not photos and not (note or "").strip():
        raise StoreError("a quick finding needs a photo or a note")
    tag = f"[{kind}]" + (f" [patrol {patrol_id}]" if patrol_id else "")
    if near_outfall is not None:
        return record_inspection(store, outfall=near_outfall, position=position, note=f"{tag} {note or ''}".strip(),
                                 photos=list(photos), observed_at=now)
    if not district_code:
        raise StoreError("a task needs a district")
    new = _photos(list(photos), "GENERAL")
    payload = {"kind": kind, "source": "INSPECTION", "title": title[:200], "districtCode": district_code,
               "description": f"{tag} {note or ''}".strip()[:4000], "location": position.as_input(),
               "deadline": _utc((now or datetime.now(UTC)) + timedelta(days=FINDING_DEADLINE_DAYS)),
               "mediaIds": [{"$photo": p.client_id} for p in new]}
    return store.enqueue("createTask", payload, photos=new)


def start_task(store: Store, task_id: str) -> OutboxItem:
    return store.enqueue("startTask", {"id": str(task_id)}, client_id=str(uuid.uuid4()))


def submit_rectification(store: Store, *, task_id: str, before: list[PhotoArg], after: list[PhotoArg],
                         note: str | None = None) -> OutboxItem:
    b, a = _photos(list(before), "BEFORE"), _photos(list(after), "AFTER")
    if not b or not a:
        raise StoreError("a rectification needs at least one before and one after photo")
    payload = {"taskId": str(task_id), "beforeMediaIds": [{"$photo": p.client_id} for p in b],
               "afterMediaIds": [{"$photo": p.client_id} for p in a], "note": note}
    return store.enqueue("submitRectification", payload, photos=b + a)


def review_submission(store: Store, *, submission_id: str, task_id: str, decision: str,
                      reason: str | None = None) -> OutboxItem:
    """`task_id` lets the sync engine recognise its own earlier review if an answer was lost."""
    if decision not in ("APPROVE", "REJECT"):
        raise StoreError("decision must be APPROVE or REJECT")
    if decision == "REJECT" and not (reason or "").strip():
        raise StoreError("a reason is required to reject")
    return store.enqueue("reviewSubmission", {"submissionId": str(submission_id), "decision": decision,
                                              "reason": reason, "_taskId": str(task_id)})
