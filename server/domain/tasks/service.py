"""The rectification loop: task states, submissions with evidence, reviews, deadlines."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from server.db import rowcount
from server.domain.actor import Actor
from server.domain.errors import BadInput, Forbidden, InvalidState, NotFound
from server.domain.evidence import Site, Window, pair_checks
from server.domain.geo.service import check_district
from server.domain.idempotency import find_replay, insert_once, normalise_client_id, payload_hash
from server.domain.inspections.models import Inspection, Measurement
from server.domain.lifecycle.intake import check_intake, intake_taken
from server.domain.media import service as media
from server.domain.media.models import Media
from server.domain.media.reuse import submission_checks
from server.domain.outfalls.models import Outfall
from server.domain.outfalls.service import Point, check_point, district_near
from server.domain.pagination import Order, Page, decode_cursor, encode_cursor, page
from server.domain.permissions import DETECTION_KINDS, can, require
from server.domain.sqltypes import pk, utcnow
from server.domain.tasks import events
from server.domain.standards import parameter_label
from server.domain.tasks.models import KINDS, OPEN_STATES, SOURCES, Submission, SubmissionMedia, Task, TaskEvent
from server.domain.tasks.queries import TaskFilter, task_query, validate_task_filter
from server.domain.users.models import DISTRICT_ROLES

# Days to the deadline when a task is raised without one; Settings.task_deadline_days overrides (KIND=days,...).
DEFAULT_DEADLINE_DAYS = {"ILLEGAL_DISCHARGE": 3, "EXCEEDANCE": 7, "FLOATING_DEBRIS": 2, "RIVERBANK_GARBAGE": 3,
                         "SIGNBOARD": 14, "OUTFALL_REMEDIATION": 90, "OTHER": 7}


def default_deadline_days(settings, kind: str) -> int:
    """The kind's default deadline in days: the configured one, else DEFAULT_DEADLINE_DAYS."""
    configured = dict(getattr(settings, "task_deadline_days", ()) or ())
    return int(configured.get(kind, DEFAULT_DEADLINE_DAYS.get(kind, 7)))


# status -> the statuses an action may move it to
MOVES = {"start": ({"OPEN"}, "IN_PROGRESS"), "submit": ({"OPEN", "IN_PROGRESS", "REJECTED"}, "SUBMITTED"),
         "approve": ({"SUBMITTED"}, "APPROVED"), "reject": ({"SUBMITTED"}, "REJECTED"),
         "cancel": (set(OPEN_STATES), "CANCELLED")}


def _can_move(task: Task, action: str) -> None:
    if task.status not in MOVES[action][0]:
        raise InvalidState(f"task {task.code} is {task.status}; cannot {action} it")


def _move(task: Task, action: str) -> str:
    _can_move(task, action)
    to = MOVES[action][1]
    old, task.status = task.status, to
    task.version += 1
    task.updated_at = utcnow()
    if to in ("APPROVED", "CANCELLED"):
        task.closed_at = task.updated_at
    return old


def is_overdue(task: Task, now: datetime | None = None) -> bool:
    return task.status in OPEN_STATES and task.deadline < (now or utcnow())


async def _load(session: AsyncSession, task_id: int, *, lock: bool = False) -> Task:
    stmt = select(Task).where(col(Task.id) == task_id)
    t = (await session.execute(stmt.with_for_update() if lock else stmt)).scalar_one_or_none()
    if t is None:
        raise NotFound(f"no task with id {task_id}")
    return t


async def _assign_code(session: AsyncSession, t: Task) -> None:
    await session.flush()
    t.code = f"T{t.district_code}-{t.id:06d}"


def may_see_task(actor: Actor):
    # Its creator (an integrator token may create without reading), or whoever may read the task.
    return lambda t: t.created_by_id == actor.user_id or can(actor, "task.read", t.district_code)


def _may_see_submission(session: AsyncSession, actor: Actor):
    async def may_see(s: Submission) -> bool:
        return s.submitted_by_id == actor.user_id or may_see_task(actor)(await session.get(Task, s.task_id))
    return may_see


async def create_task(*, session: AsyncSession, actor: Actor, settings, client_id, kind: str, source: str,
                      title: str, district_code: str | None = None, deadline: datetime | None = None,
                      description: str | None = None, outfall_id: int | None = None, location: Point | None = None,
                      media_ids: Sequence[int] = (), intake_channel: str | None = None,
                      intake_ref: str | None = None, supervision_level: str | None = None) -> Task:
    """Send a task to a district; a replay of the clientId returns the first task.

    The district comes from the outfall (or the outfall nearest the location) when not given; the
    deadline defaults to the kind's (Settings.task_deadline_days)."""
    client_id = normalise_client_id(client_id)
    h = payload_hash(dict(kind=kind, source=source, title=title, description=description, district=district_code,
                          outfall=outfall_id, location=[location.lat, location.lon] if location else None,
                          deadline=deadline.isoformat() if deadline else None, media=sorted(media_ids),
                          # only when given, so the hashes of requests made before intake existed still match
                          **({"intake": [intake_channel, intake_ref]} if intake_channel or intake_ref else {}),
                          **({"level": supervision_level} if supervision_level else {})))
    existing = await find_replay(session, Task, client_id, h, "task", may_see=may_see_task(actor))
    if existing is not None:
        return existing
    # The role first (a district role against its own district); the district again once it is derived.
    require(actor, "task.create", district_code if district_code is not None else actor.district_code)
    if actor.role == "INTEGRATOR" and kind not in DETECTION_KINDS:
        raise Forbidden(f"an integrator token may only raise {', '.join(sorted(DETECTION_KINDS))} tasks")
    if kind not in KINDS:
        raise BadInput(f"kind {kind!r} unknown", field="kind")
    if source not in SOURCES:
        raise BadInput(f"source {source!r} unknown", field="source")
    intake_channel, intake_ref, supervision_level = check_intake(source, intake_channel, intake_ref,
                                                                 supervision_level, actor)
    title = (title or "").strip()
    if not 1 <= len(title) <= 200:
        raise BadInput("title must be 1-200 characters", field="title")
    if description is not None and len(description) > 4000:
        raise BadInput("description is longer than 4000 characters", field="description")
    await check_district(session, district_code)
    if deadline is None:
        deadline = utcnow() + timedelta(days=default_deadline_days(settings, kind))
    if deadline.tzinfo is None:
        raise BadInput("deadline needs a UTC offset", field="deadline")
    if deadline <= utcnow():
        raise BadInput("deadline must be in the future", field="deadline")
    o = None
    if outfall_id is not None:
        o = await session.get(Outfall, outfall_id)
        if o is None:
            raise BadInput(f"outfallId: no outfall with id {outfall_id}", field="outfallId")
        if district_code is not None and o.district_code != district_code:
            raise BadInput("the outfall is in another district", field="outfallId")
    if location is not None:
        check_point(location, "location")
    if district_code is None:
        district_code = o.district_code if o else (
            await district_near(session, location.lat, location.lon) if location else None)
        if district_code is None:
            raise BadInput("give districtCode, an outfallId, or a location within 5 km of a registered outfall",
                           field="districtCode")
        require(actor, "task.create", district_code)
    lat, lon = (location.lat, location.lon) if location else ((o.lat, o.lon) if o else (None, None))
    await intake_taken(session, intake_channel, intake_ref)
    t = Task(client_id=client_id, request_hash=h, kind=kind, source=source, title=title, description=description,
             district_code=district_code, outfall_id=outfall_id, lat=lat, lon=lon, deadline=deadline,
             created_by_id=actor.user_id, intake_channel=intake_channel, intake_ref=intake_ref,
             supervision_level=supervision_level)
    t, created = await insert_once(session, t, "task", may_see=may_see_task(actor),
                                   in_savepoint=lambda: _assign_code(session, t),
                                   on_conflict=lambda: intake_taken(session, intake_channel, intake_ref))
    if not created:
        return t
    await media.attach(session=session, actor=actor, media_ids=list(media_ids), owner_type="task", owner_id=t.id,
                       settings=settings, site=Site(lat, lon) if lat is not None and lon is not None else None)
    await events.record(session, t, "CREATED", actor, settings)
    return t


def _exceedance_line(m: Measurement) -> str:
    unit = f" {m.unit}" if m.unit else ""
    if m.limit is None:
        bound = ""
    elif m.limit_low is not None and m.limit_low != m.limit:
        bound = f"，限值 {m.limit_low:g}–{m.limit:g}{unit}"
    else:
        bound = f"，{'下限' if m.limit_low is not None else '限值'} {m.limit:g}{unit}"
    multiple = m.exceedance_multiple
    times = f"，超标 {multiple:.2f} 倍" if multiple is not None else ""
    return f"{parameter_label(m.parameter)} {m.value:g}{unit}{bound}（{m.standard}）{times}"


async def _task_parameters(session: AsyncSession, task: Task) -> list[str]:
    """The parameters an EXCEEDANCE task lists, in the order they joined it (from its own history)."""
    rows = (await session.execute(select(col(TaskEvent.detail)).where(
        col(TaskEvent.task_id) == task.id, col(TaskEvent.type).in_(("CREATED", "AMENDED"))).order_by(col(TaskEvent.id)))).scalars()
    out: list[str] = [task.parameter] if task.parameter else []
    for detail in rows:
        for p in detail.get("parameters") or []:
            if p not in out:
                out.append(p)
    return out


def _exceedance_title(outfall: Outfall, parameters: list[str]) -> str:
    return f"{outfall.name} 超标：{'、'.join(parameter_label(p) for p in parameters)}"[:200]


def exceedance_deadline(settings) -> datetime:
    """When a task a rule raised (an exceedance, a station's episode) falls due."""
    return utcnow() + timedelta(days=settings.exceedance_deadline_days)


async def raise_system_task(*, session: AsyncSession, actor: Actor | None, settings, task: Task,
                            **detail) -> Task:
    """Raise a task a rule decided on (an inspection's exceedance, a station's off-target episode): no
    clientId, no permission check of its own; the caller's rule is the authority. Numbered and
    announced like any other task."""
    task.created_by_id = actor.user_id if actor else None
    session.add(task)
    await _assign_code(session, task)
    await events.record(session, task, "CREATED", actor, settings, **detail)
    return task


async def raise_exceedance_tasks(*, session: AsyncSession, actor: Actor, settings, outfall: Outfall,
                                 inspection: Inspection, measurements: list[Measurement]) -> list[Task]:
    """One open EXCEEDANCE task per outfall, listing every parameter over its limit: the officer
    rectifies the outfall once. A later exceedance (of any parameter) joins the open task, adds its
    readings to the description and is recorded as an AMENDED event; only when none is open is a
    task raised. Returns the tasks raised (not the ones joined)."""
    if not measurements:
        return []
    # Serialise concurrent inspections of one outfall on PostgreSQL (SQLite has one writer anyway),
    # so two exceedances at once cannot both find no open task.
    await session.execute(select(col(Outfall.id)).where(col(Outfall.id) == outfall.id).with_for_update())
    open_task = (await session.execute(select(Task).where(
        col(Task.outfall_id) == outfall.id, col(Task.kind) == "EXCEEDANCE", col(Task.status).in_(OPEN_STATES))
        .order_by(col(Task.id)).limit(1))).scalar_one_or_none()
    lines = [_exceedance_line(m) for m in measurements]
    params = list(dict.fromkeys(m.parameter for m in measurements))
    if open_task is not None:
        listed = await _task_parameters(session, open_task)
        added = [p for p in params if p not in listed]
        open_task.title = _exceedance_title(outfall, listed + added)
        open_task.description = ((open_task.description or "") + f"\n{utcnow():%Y-%m-%d %H:%M} UTC 再次超标：\n"
                                 + "\n".join(lines))[-4000:]
        open_task.version += 1
        open_task.updated_at = utcnow()
        await events.record(session, open_task, "AMENDED", actor, settings, parameters=params, added=added,
                            inspection_id=inspection.id,
                            multiples={m.parameter: m.exceedance_multiple for m in measurements})
        return []
    t = Task(kind="EXCEEDANCE", source="SAMPLE_EXCEEDANCE", parameter=params[0],
             title=_exceedance_title(outfall, params), description="\n".join(lines)[:4000],
             district_code=outfall.district_code, outfall_id=outfall.id, lat=outfall.lat, lon=outfall.lon,
             deadline=exceedance_deadline(settings), raised_by_inspection_id=inspection.id)
    await raise_system_task(session=session, actor=actor, settings=settings, task=t, parameters=params,
                            multiples={m.parameter: m.exceedance_multiple for m in measurements})
    return [t]


async def start_task(*, session: AsyncSession, actor: Actor, settings, task_id: int) -> Task:
    t = await _load(session, task_id, lock=True)
    require(actor, "task.start", t.district_code)
    _move(t, "start")
    await events.record(session, t, "STARTED", actor, settings)
    return t


async def cancel_task(*, session: AsyncSession, actor: Actor, settings, task_id: int, reason: str) -> Task:
    t = await _load(session, task_id, lock=True)
    require(actor, "task.cancel", t.district_code)
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("a reason is required to cancel a task", field="reason")
    _move(t, "cancel")
    t.cancel_reason = reason[:500]
    await events.record(session, t, "CANCELLED", actor, settings, reason=t.cancel_reason)
    return t


async def submit_rectification(*, session: AsyncSession, actor: Actor, settings, client_id, task_id: int,
                               note: str | None, before_ids: list[int], after_ids: list[int]) -> Submission:
    """The district's evidence: at least one before and one after READY photo, judged against the task."""
    client_id = normalise_client_id(client_id)
    h = payload_hash(dict(task=task_id, note=note, before=sorted(before_ids), after=sorted(after_ids)))
    existing = await find_replay(session, Submission, client_id, h, "submission",
                                 may_see=_may_see_submission(session, actor))
    if existing is not None:
        return existing
    t = await _load(session, task_id, lock=True)
    # A concurrent replay may have committed while we waited for the task's lock.
    existing = await find_replay(session, Submission, client_id, h, "submission",
                                 may_see=_may_see_submission(session, actor))
    if existing is not None:
        return existing
    require(actor, "task.submit", t.district_code)
    if not before_ids:
        raise BadInput("at least one before photo is required", field="beforeMediaIds")
    if not after_ids:
        raise BadInput("at least one after photo is required", field="afterMediaIds")
    if set(before_ids) & set(after_ids):
        raise BadInput("the same media cannot be both before and after", field="afterMediaIds")
    if note is not None and len(note) > 4000:
        raise BadInput("note is longer than 4000 characters", field="note")
    # Check the move first (a clear INVALID_STATE), but make it only once the insert has won.
    _can_move(t, "submit")
    s = Submission(client_id=client_id, request_hash=h, task_id=pk(t), submitted_by_id=actor.user_id, note=note)
    # SQLite has no row locks: a concurrent replay can still race us to the unique client_id
    s, created = await insert_once(session, s, "submission", may_see=_may_see_submission(session, actor))
    if not created:
        return s
    _move(t, "submit")
    site = Site(t.lat, t.lon) if t.lat is not None and t.lon is not None else None
    # The site before the work does not change between attempts: earlier before photos may be shown again.
    earlier = (await session.execute(select(col(Submission.id)).where(col(Submission.task_id) == t.id,
                                                                  col(Submission.id) != s.id))).scalars()
    before = await media.attach(session=session, actor=actor, media_ids=before_ids, owner_type="submission",
                                owner_id=s.id, slot="BEFORE", settings=settings, site=site,
                                field="beforeMediaIds",
                                reusable=frozenset(("submission", i, "BEFORE") for i in earlier if i is not None))
    # "After" photos must be taken after the task was issued.
    after = await media.attach(session=session, actor=actor, media_ids=after_ids, owner_type="submission",
                               owner_id=s.id, slot="AFTER", settings=settings, site=site,
                               window=Window(start=t.created_at, end=None), field="afterMediaIds")
    session.add_all([SubmissionMedia(submission_id=pk(s), media_id=pk(m), slot="BEFORE") for m in before]
                    + [SubmissionMedia(submission_id=pk(s), media_id=pk(m), slot="AFTER") for m in after])
    pairs = pair_checks([media.photo_facts(m) for m in before], [media.photo_facts(m) for m in after])
    # The finding photos: those given when the task was created, or the inspection's that raised it.
    found_by = (col(Media.owner_type) == "task") & (col(Media.owner_id) == t.id)
    if t.raised_by_inspection_id is not None:
        found_by = found_by | ((col(Media.owner_type) == "inspection") & (col(Media.owner_id) == t.raised_by_inspection_id))
    findings = list((await session.execute(select(Media).where(found_by, col(Media.status) == "READY")
                                           .order_by(col(Media.id)))).scalars())
    pairs += await submission_checks(session, findings=findings, before=before, after=after)
    s.checks = [{**c, "media": m.id} for m in before + after for c in m.checks] + [media.check_dict(c) for c in pairs]
    await events.record(session, t, "SUBMITTED", actor, settings, submission_id=s.id)
    return s


async def review_submission(*, session: AsyncSession, actor: Actor, settings, submission_id: int, decision: str,
                            reason: str | None) -> Submission:
    """APPROVE closes the task; REJECT (with a reason) reopens it. Exactly one concurrent review wins."""
    require(actor, "task.review")
    if decision not in ("APPROVE", "REJECT"):
        raise BadInput(f"decision {decision!r} unknown", field="decision")
    reason = (reason or "").strip() or None
    if decision == "REJECT" and not reason:
        raise BadInput("a reason is required to reject", field="reason")
    s = await session.get(Submission, submission_id)
    if s is None:
        raise NotFound(f"no submission with id {submission_id}")
    now = utcnow()
    new = "APPROVED" if decision == "APPROVE" else "REJECTED"
    # Compare-and-set on the row: the loser of a race updates nothing and gets INVALID_STATE.
    r = await session.execute(update(Submission).where(col(Submission.id) == s.id, col(Submission.status) == "PENDING_REVIEW")
                              .values(status=new, decision=decision, reason=reason, reviewer_id=actor.user_id,
                                      reviewed_at=now).execution_options(synchronize_session=False))
    if rowcount(r) != 1:
        raise InvalidState("this submission has already been reviewed")
    await session.refresh(s)
    t = await _load(session, s.task_id, lock=True)
    _move(t, "approve" if decision == "APPROVE" else "reject")
    # An approved task does not make the outfall REMEDIATED: that follows its plan's acceptance
    # (server/domain/lifecycle/plans.py, issue 19 item 3).
    await events.record(session, t, "APPROVED" if decision == "APPROVE" else "REJECTED", actor, settings,
                        submission_id=s.id, reason=reason)
    return s


TASK_ORDER = Order.of("t", col(Task.deadline), col(Task.id))


async def list_tasks(*, session: AsyncSession, actor: Actor, filter: TaskFilter | None, first: int | None,
                     after: str | None, cap: int, want_total: bool = True, last: int | None = None,
                     before: str | None = None) -> Page[Task]:
    """Tasks by deadline (soonest first), within the caller's scope."""
    require(actor, "task.read", actor.district_code)
    f = filter or TaskFilter()
    await validate_task_filter(session, f)
    stmt = task_query(select(Task), actor, f, utcnow())
    return await page(session, stmt, TASK_ORDER, first=first, after=after, last=last, before=before, cap=cap,
                      want_total=want_total)


EVENT_CURSOR = "task_event"


def event_cursor(seq: int) -> str:
    """The opaque resume point after one event (`taskEvents(after:)`): its place in commit order, `seq`.
    (Cursors made before `seq` held the event id; those events have seq = id, so they still resume.)"""
    return encode_cursor(EVENT_CURSOR, [seq])


def event_after_seq(cursor: str | None) -> int | None:
    """The `seq` in a `taskEvents(after:)` cursor; BAD_USER_INPUT naming `after` for anything else."""
    key = decode_cursor(cursor, EVENT_CURSOR, (int,), "after")
    if key is None:
        return None
    if not isinstance(key[0], int) or isinstance(key[0], bool):
        raise BadInput("cursor in `after` does not belong to this list", field="after")
    return key[0]


async def last_event_seq(*, session: AsyncSession) -> int:
    """Where the durable log ends now (0 when empty): a live-only subscriber starts after it."""
    return (await session.execute(select(func.max(col(TaskEvent.seq))))).scalar_one() or 0


async def events_after(*, session: AsyncSession, actor: Actor, after_seq: int, district_code: str | None,
                       limit: int) -> list[tuple[TaskEvent, Task]]:
    """The durable log's events after `after_seq` with their tasks, in commit order, within what the caller
    may read. `seq` is given as an event's transaction commits (migration 0019), so what is visible is
    always a prefix of it: a later reader never finds an event below a seq it was already given."""
    require(actor, "task.read", actor.district_code)
    stmt = (select(TaskEvent, Task).join(Task, col(Task.id) == col(TaskEvent.task_id))
            .where(col(TaskEvent.seq) > after_seq))
    if actor.role in DISTRICT_ROLES:
        stmt = stmt.where(col(TaskEvent.district_code) == actor.district_code)
    if district_code:
        stmt = stmt.where(col(TaskEvent.district_code) == district_code)
    return [(e, t) for e, t in (await session.execute(stmt.order_by(col(TaskEvent.seq)).limit(limit))).all()]


async def get_task(*, session: AsyncSession, actor: Actor, task_id: int) -> Task | None:
    t = await session.get(Task, task_id)
    if t is None:
        return None
    require(actor, "task.read", t.district_code)
    return t


async def sweep_deadlines(*, db, settings, broker=None, now: datetime | None = None) -> dict:
    """OVERDUE once per task, and one reminder before the deadline. Safe to run from many processes."""
    from server.domain.notify.service import enqueue

    now = now or utcnow()
    out = {"overdue": 0, "reminded": 0}
    async with db.session() as s:
        late = list((await s.execute(select(col(Task.id)).where(
            col(Task.status).in_(OPEN_STATES), col(Task.deadline) < now, col(Task.overdue_at).is_(None)))).scalars())
        soon = list((await s.execute(select(col(Task.id)).where(
            col(Task.status).in_(OPEN_STATES), col(Task.deadline) >= now,
            col(Task.deadline) < now + timedelta(hours=settings.reminder_hours), col(Task.reminded_at).is_(None)))).scalars())
    for tid in late:
        async with db.transaction() as s:
            r = await s.execute(update(Task).where(col(Task.id) == tid, col(Task.overdue_at).is_(None)).values(overdue_at=now))
            if r.rowcount == 1:  # another sweeper did not get there first
                t = await s.get(Task, tid)
                await events.record(s, t, "OVERDUE", None, settings)
                out["overdue"] += 1
        if broker is not None:
            for ev in s.info.pop("task_events", []):
                await broker.publish(ev)
    for tid in soon:
        async with db.transaction() as s:
            r = await s.execute(update(Task).where(col(Task.id) == tid, col(Task.reminded_at).is_(None)).values(reminded_at=now))
            if r.rowcount == 1:
                t = await s.get(Task, tid)
                await enqueue(session=s, settings=settings, event_key=f"reminder:{tid}", type_="REMINDER", task=t)
                out["reminded"] += 1
    return out



async def raise_dry_weather_flow_task(*, session: AsyncSession, actor: Actor, settings, outfall: Outfall,
                                      inspection: Inspection) -> Task | None:
    """A stormwater outlet flowing in dry weather: sewage is getting into the storm drains. That flow is
    the finding (a stormwater outlet has no discharge limit to exceed): one open task per outfall."""
    await session.execute(select(col(Outfall.id)).where(col(Outfall.id) == outfall.id).with_for_update())
    open_one = (await session.execute(select(col(Task.id)).where(
        col(Task.outfall_id) == outfall.id, col(Task.kind) == "ILLEGAL_DISCHARGE", col(Task.source) == "INSPECTION",
        col(Task.raised_by_inspection_id).is_not(None), col(Task.status).in_(OPEN_STATES)))).first()
    if open_one:
        return None
    t = Task(kind="ILLEGAL_DISCHARGE", source="INSPECTION", title=f"{outfall.name} 雨洪排口旱天出流"[:200],
             description="雨洪排口在旱天有水排出：排查雨污混接、错接，溯源污水来源。",
             district_code=outfall.district_code, outfall_id=outfall.id, lat=outfall.lat, lon=outfall.lon,
             deadline=utcnow() + timedelta(days=settings.exceedance_deadline_days),
             created_by_id=actor.user_id, raised_by_inspection_id=inspection.id)
    session.add(t)
    await _assign_code(session, t)
    await events.record(session, t, "CREATED", actor, settings, finding="DRY_WEATHER_FLOW")
    return t
