"""Queries, mutations and the subscription of the rectification loop: parse, call a service, build a type."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, AsyncGenerator

import strawberry

from server.domain.errors import Forbidden
from server.domain.inspections import service as inspections
from server.domain.outfalls.service import Point
from server.domain.permissions import can, require
from server.domain.sqltypes import filled, pk
from server.domain.tasks import service as tasks
from server.domain.tasks.queries import TaskFilter as TaskQuery
from server.graphql.common import UPDATED_SINCE, GeoPointInput, connection, parse_id, parse_ids, selected_names
from server.graphql.context import Info
from server.graphql.writes import write
from server.graphql.enums import MeasurementMethod, Parameter, ReviewDecision, SampleType, TaskEventType, TaskKind, TaskSource, TaskStatus
from server.graphql.loop.types import (Inspection, InspectionConnection, InspectionEdge, Submission, Task,
                                       TaskConnection, TaskEdge, TaskEvent)
from server.graphql.lifecycle.enums import InspectionOutcome, IntakeChannel, SupervisionLevel


@strawberry.input
class MeasurementInput:
    parameter: Parameter
    value: float
    sample_type: SampleType | None = strawberry.field(
        default=None, description="EFFLUENT (default: the outfall's discharge) or river water UPSTREAM/DOWNSTREAM.")
    method: MeasurementMethod | None = strawberry.field(
        default=None, description="KIT (default): a screening result; LAB confirms it.")


@strawberry.input
class RecordInspectionInput:
    client_id: uuid.UUID
    outfall_id: strawberry.ID
    observed_at: datetime
    position: GeoPointInput | None = None
    flowing: bool | None = None
    dry_weather: bool | None = strawberry.field(
        default=None, description="No rain: a stormwater outlet flowing now is the finding.")
    note: str | None = None
    measurements: list[MeasurementInput] | None = strawberry.field(default_factory=list)
    media_ids: list[strawberry.ID] | None = strawberry.field(default_factory=list)
    outcome: InspectionOutcome | None = strawberry.field(
        default=None, description="DRY: the outfall was dry, nothing to sample; SAMPLED is implied by measurements.")


@strawberry.input(description="Where a task came in: the channel and its own reference number.")
class TaskIntakeInput:
    channel: IntakeChannel
    reference: str


@strawberry.input
class CreateTaskInput:
    client_id: uuid.UUID
    kind: TaskKind
    source: TaskSource
    title: str
    district_code: str | None = strawberry.field(
        default=None, description="GB/T 2260 code; derived from `outfallId`, else from the outfall nearest "
                                  "`location`, when not given.")
    deadline: datetime | None = strawberry.field(
        default=None, description="When the district must have rectified it; the kind's default when not given "
                                  "(OUTFALLWATCH_TASK_DEADLINE_DAYS).")
    description: str | None = None
    outfall_id: strawberry.ID | None = None
    location: GeoPointInput | None = None
    media_ids: list[strawberry.ID] | None = strawberry.field(default_factory=list)
    intake: TaskIntakeInput | None = strawberry.field(
        default=None, description="Required for PUBLIC_COMPLAINT, RIVER_CHIEF and INSPECTION_TEAM tasks.")
    supervision_level: SupervisionLevel | None = strawberry.field(
        default=None, description="DISTRICT by default; MUNICIPAL or LISTED (挂牌督办) set by the city.")


@strawberry.input
class SubmitRectificationInput:
    client_id: uuid.UUID
    task_id: strawberry.ID
    before_media_ids: list[strawberry.ID]
    after_media_ids: list[strawberry.ID]
    note: str | None = None


@strawberry.input
class ReviewSubmissionInput:
    submission_id: strawberry.ID
    decision: ReviewDecision
    reason: str | None = None


@strawberry.input
class TaskFilter:
    status: list[TaskStatus] | None = None
    district_code: str | None = None
    outfall_id: strawberry.ID | None = None
    kind: TaskKind | None = None
    overdue: bool | None = None
    updated_since: datetime | None = strawberry.field(
        default=None, description="Only tasks changed at or after this instant (incremental sync).")

    def to_domain(self) -> TaskQuery:
        return TaskQuery(status=[s.value for s in self.status] if self.status else None,
                         district_code=self.district_code,
                         outfall_id=parse_id(self.outfall_id, "filter.outfallId") if self.outfall_id else None,
                         kind=self.kind.value if self.kind else None, overdue=self.overdue,
                         updated_since=self.updated_since)


async def tasks_connection(info, f: TaskQuery | None, first, after, last=None, before=None) -> TaskConnection:
    ctx = info.context
    async with ctx.db.session() as s:
        page = await tasks.list_tasks(session=s, actor=ctx.actor, filter=f, first=first, after=after, last=last,
                                      before=before, cap=ctx.settings.max_page,
                                      want_total="totalCount" in selected_names(info))
    return connection(TaskConnection, TaskEdge, [Task.from_model(t) for t in page.items], page,
                      total_count=page.total or 0)


@strawberry.input(description="Which inspections; every condition given must hold.")
class InspectionFilter:
    outfall_id: strawberry.ID | None = strawberry.field(default=None, description="Of this outfall.")
    district_code: str | None = strawberry.field(default=None, description="In this district (GB/T 2260 code).")
    updated_since: datetime | None = strawberry.field(default=None, description=UPDATED_SINCE)

    def to_domain(self) -> inspections.InspectionFilter:
        return inspections.InspectionFilter(
            outfall_id=parse_id(self.outfall_id, "filter.outfallId") if self.outfall_id else None,
            district_code=self.district_code, updated_since=self.updated_since)


async def inspections_connection(info, f: inspections.InspectionFilter, first, after, last=None,
                                 before=None) -> InspectionConnection:
    """Inspections newest first (district roles see their own district's)."""
    ctx = info.context
    async with ctx.db.session() as s:
        page = await inspections.list_inspections(session=s, actor=ctx.actor, filter=f, first=first, after=after,
                                                  last=last, before=before, cap=ctx.settings.max_page,
                                                  want_total="totalCount" in selected_names(info))
    return connection(InspectionConnection, InspectionEdge, [Inspection.from_model(r) for r in page.items], page,
                      total_count=page.total or 0)


@strawberry.type
class LoopQuery:
    @strawberry.field
    async def inspection(self, info: Info, id: strawberry.ID) -> Inspection | None:
        async with info.context.db.session() as s:
            i = await inspections.get_inspection(session=s, actor=info.context.signed_in, inspection_id=parse_id(id))
        return Inspection.from_model(i) if i else None

    @strawberry.field(description="Inspections, newest first (observed time); district roles see their own "
                                  "district's. `updatedSince` in the filter for incremental sync.")
    async def inspections(self, info: Info, filter: InspectionFilter | None = None, first: int | None = None,
                          after: str | None = None, last: int | None = None,
                          before: str | None = None) -> InspectionConnection:
        return await inspections_connection(info, filter.to_domain() if filter else inspections.InspectionFilter(),
                                            first, after, last, before)

    @strawberry.field
    async def task(self, info: Info, id: strawberry.ID) -> Task | None:
        async with info.context.db.session() as s:
            t = await tasks.get_task(session=s, actor=info.context.signed_in, task_id=parse_id(id))
        return Task.from_model(t) if t else None

    @strawberry.field(description="Tasks by deadline, soonest first; district roles see their own district only.")
    async def tasks(self, info: Info, filter: TaskFilter | None = None, first: int | None = None,
                    after: str | None = None, last: int | None = None, before: str | None = None) -> TaskConnection:
        return await tasks_connection(info, filter.to_domain() if filter else None, first, after, last, before)


def _point(p: GeoPointInput | None) -> Point | None:
    return p.to_point() if p else None


@strawberry.type
class LoopMutation:
    @strawberry.mutation(description="Record an inspection; idempotent on clientId. Exceedances raise tasks.")
    async def record_inspection(self, info: Info, input: RecordInspectionInput) -> Inspection:
        ctx = info.context
        readings = [inspections.Reading(m.parameter.value, m.value, m.sample_type.value if m.sample_type else "EFFLUENT",
                                        m.method.value if m.method else "KIT") for m in input.measurements or []]
        async with write(info) as s:
            i = await inspections.record_inspection(
                session=s, actor=ctx.signed_in, settings=ctx.settings, client_id=input.client_id,
                outfall_id=parse_id(input.outfall_id, "outfallId"), observed_at=input.observed_at,
                position=_point(input.position), flowing=input.flowing, note=input.note, readings=readings,
                media_ids=parse_ids(input.media_ids, "mediaIds"), dry_weather=input.dry_weather,
                outcome=input.outcome.value if input.outcome else None)
        return Inspection.from_model(i)

    @strawberry.mutation
    async def create_task(self, info: Info, input: CreateTaskInput) -> Task:
        ctx = info.context
        async with write(info) as s:
            t = await tasks.create_task(
                session=s, actor=ctx.signed_in, settings=ctx.settings, client_id=input.client_id, kind=input.kind.value,
                source=input.source.value, title=input.title, district_code=input.district_code,
                deadline=input.deadline, description=input.description,
                outfall_id=parse_id(input.outfall_id, "outfallId") if input.outfall_id else None,
                location=_point(input.location), media_ids=parse_ids(input.media_ids, "mediaIds"),
                intake_channel=input.intake.channel.value if input.intake else None,
                intake_ref=input.intake.reference if input.intake else None,
                supervision_level=input.supervision_level.value if input.supervision_level else None)
        return Task.from_model(t)

    @strawberry.mutation
    async def start_task(self, info: Info, id: strawberry.ID) -> Task:
        ctx = info.context
        async with write(info) as s:
            t = await tasks.start_task(session=s, actor=ctx.signed_in, settings=ctx.settings, task_id=parse_id(id))
        return Task.from_model(t)

    @strawberry.mutation
    async def submit_rectification(self, info: Info, input: SubmitRectificationInput) -> Submission:
        ctx = info.context
        async with write(info) as s:
            sub = await tasks.submit_rectification(
                session=s, actor=ctx.signed_in, settings=ctx.settings, client_id=input.client_id,
                task_id=parse_id(input.task_id, "taskId"), note=input.note,
                before_ids=parse_ids(input.before_media_ids, "beforeMediaIds"),
                after_ids=parse_ids(input.after_media_ids, "afterMediaIds"))
        return Submission.from_model(sub)

    @strawberry.mutation
    async def review_submission(self, info: Info, input: ReviewSubmissionInput) -> Submission:
        ctx = info.context
        async with write(info) as s:
            sub = await tasks.review_submission(
                session=s, actor=ctx.signed_in, settings=ctx.settings,
                submission_id=parse_id(input.submission_id, "submissionId"), decision=input.decision.value,
                reason=input.reason)
        return Submission.from_model(sub)

    @strawberry.mutation
    async def cancel_task(self, info: Info, id: strawberry.ID, reason: str) -> Task:
        ctx = info.context
        async with write(info) as s:
            t = await tasks.cancel_task(session=s, actor=ctx.signed_in, settings=ctx.settings, task_id=parse_id(id),
                                        reason=reason)
        return Task.from_model(t)


REPLAY_BATCH = 200


@strawberry.type
class LoopSubscription:
    @strawberry.subscription(description=(
        "Task events as they happen; each subscriber sees only its scope. With `after` (the `cursor` of the "
        "last event received), first the events missed since then are replayed from the durable log, oldest "
        "first, then live ones follow, none twice."))
    async def task_events(self, info: Info, district_code: str | None = None,
                          after: Annotated[str | None, strawberry.argument(
                              description="Resume after this event's `cursor`.")] = None
                          ) -> AsyncGenerator[TaskEvent, None]:
        ctx = info.context
        a = await ctx.actor_from_connection()
        actor = require(a, "task.read", a.district_code if a else None)
        if actor.role in ("INSPECTOR", "DISTRICT_OFFICER"):
            if district_code and district_code != actor.district_code:
                raise Forbidden(f"role {actor.role} may only follow its own district's tasks")
            district_code = actor.district_code
        after_seq = tasks.event_after_seq(after)
        # Every event delivered, replayed or live, is read from the durable log in commit order (`seq`),
        # from the last one delivered: the broker's announcements only say when to look. So no event is
        # delivered twice or skipped, whatever order the announcements arrive in, and an announcement
        # dropped by a full queue loses nothing. Subscribed before the log's end is read: nothing
        # committed in between goes unannounced.
        async with ctx.services.events.subscribe() as announced:
            if after_seq is None:  # live only: from the log's end
                async with ctx.db.session() as s:
                    after_seq = await tasks.last_event_seq(session=s)
            look = True
            while True:
                # Before each read and at least every auth_recheck_s: a subscription ends with its
                # sign-in (logout, revoked token, expiry), with UNAUTHENTICATED.
                await ctx.recheck_actor()
                if look:
                    async with ctx.db.session() as s:
                        rows = await tasks.events_after(session=s, actor=actor, after_seq=after_seq,
                                                        district_code=district_code, limit=REPLAY_BATCH)
                    for r, t in rows:
                        after_seq = filled(r.seq, "an event's seq")
                        yield _event(pk(r), after_seq, r.type, t, r.at)
                    if len(rows) == REPLAY_BATCH:
                        continue
                news, missed = await announced.wait(ctx.settings.auth_recheck_s)
                # Announcements of what this subscriber may not see need no read; a timeout reads anyway,
                # in case an announcement was lost on the way (a dropped LISTEN connection).
                look = missed or not news or any(
                    (not district_code or d.get("district_code") == district_code)
                    and can(actor, "task.read", d.get("district_code")) for d in news)


def _event(event_id: int, seq: int, type_: str, task, at: datetime) -> TaskEvent:
    return TaskEvent(id=strawberry.ID(str(event_id)), cursor=tasks.event_cursor(seq),
                     type=TaskEventType(type_), task=Task.from_model(task), at=at)
