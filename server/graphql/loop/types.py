"""Inspections, tasks, submissions: types built from models; nested data through per-request loaders."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.inspections.models import Inspection as InspectionRow, Measurement as MeasurementRow
from server.domain.sqltypes import filled
from server.domain.tasks.models import Submission as SubmissionRow, Task as TaskRow
from server.domain.tasks.service import is_overdue
from server.graphql.common import UPDATED_AT, GeoPoint, PageInfo
from server.graphql.enums import (JudgementBasis, MeasurementMethod, Parameter, ReviewDecision, SampleType,
                                  SubmissionStatus, TaskEventType, TaskKind, TaskSource, TaskStatus)
from server.graphql.geo.types import District
from server.graphql.media.types import EvidenceCheck, Media
from server.graphql.users.types import User
from server.graphql.lifecycle.enums import InspectionOutcome, IntakeChannel, SupervisionLevel

if TYPE_CHECKING:
    from server.graphql.outfalls.types import Outfall

OutfallRef = Annotated["Outfall", strawberry.lazy("server.graphql.outfalls.types")]


async def _outfall(info, outfall_id: int):
    from server.graphql.outfalls.types import build_outfalls

    o = await info.context.loaders.outfall.load(outfall_id)
    return (await build_outfalls(info, [o]))[0] if o else None


async def _user(info, user_id: int | None):
    if user_id is None:
        return None
    u = await info.context.loaders.user.load(user_id)
    return await User.load(info, u) if u else None


def media_checks(rows) -> list[EvidenceCheck]:
    return [EvidenceCheck.from_dict(c, m.id) for m in rows for c in m.checks or []]


def lifecycle_fields(m: MeasurementRow) -> dict:
    return dict(sample_type=SampleType(m.sample_type) if m.sample_type else None, method=MeasurementMethod(m.method),
                screening=m.method == "KIT", basis=JudgementBasis(m.basis) if m.basis else None, note=m.note)


@strawberry.type
class Measurement:
    parameter: Parameter
    value: float
    unit: str
    limit: float | None = strawberry.field(description="The limit it was judged against, with the standard's name "
                                                       "(e.g. GB 3838-2002 III).")
    limit_low: float | None
    standard: str | None
    exceeded: bool
    exceedance_ratio: float | None = strawberry.field(
        description="value / limit where a maximum applies (limit / value for DO). Not 超标倍数: see exceedanceMultiple.")
    exceedance_multiple: float | None = strawberry.field(
        description="超标倍数 as the bureaus define it, (value − limit) / limit, when a maximum is exceeded; "
                    "null within the limit and for pH and DO.")
    sample_type: SampleType | None = strawberry.field(
        default=None, description="What was sampled; null for readings recorded before sample types existed.")
    method: MeasurementMethod = strawberry.field(default=MeasurementMethod.KIT)
    screening: bool = strawberry.field(default=True, description="A kit reading: a screening result until a lab confirms.")
    basis: JudgementBasis | None = strawberry.field(
        default=None, description="DISCHARGE (the outfall's standard), APPROVED (its approved limits), "
                                  "RECEIVING_WATER (the river's target class); null when not judged.")
    note: str | None = strawberry.field(default=None, description="Why the reading was not judged, when it was not.")

    @classmethod
    def from_model(cls, m: MeasurementRow) -> "Measurement":
        return cls(parameter=Parameter(m.parameter), value=m.value, unit=m.unit, limit=m.limit, limit_low=m.limit_low,
                   standard=m.standard, exceeded=m.exceeded, exceedance_ratio=m.exceedance_ratio,
                   exceedance_multiple=m.exceedance_multiple, **lifecycle_fields(m))


@strawberry.type
class Inspection:
    id: strawberry.ID
    client_id: uuid.UUID
    observed_at: datetime
    received_at: datetime
    position: GeoPoint | None
    flowing: bool | None
    note: str | None
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[InspectionRow]

    @strawberry.field(description="Whether it was dry weather (a stormwater outlet flowing then is the finding).")
    def dry_weather(self) -> bool | None:
        return self.row.dry_weather

    @strawberry.field(description="SAMPLED, or DRY: nothing to sample; null when not recorded.")
    def outcome(self) -> InspectionOutcome | None:
        return InspectionOutcome(self.row.outcome) if self.row.outcome else None

    @strawberry.field
    async def outfall(self, info: strawberry.Info) -> OutfallRef:
        return await _outfall(info, self.row.outfall_id)

    @strawberry.field
    async def inspector(self, info: strawberry.Info) -> User:
        return await _user(info, self.row.inspector_id)

    @strawberry.field
    async def measurements(self, info: strawberry.Info) -> list[Measurement]:
        return [Measurement.from_model(m) for m in await info.context.loaders.measurements.load(self.row.id)]

    @strawberry.field
    async def media(self, info: strawberry.Info) -> list[Media]:
        return [Media.from_model(m) for m in await info.context.loaders.inspection_media.load(self.row.id)]

    @strawberry.field(description="The evidence checks of every photo and video attached, each naming its media "
                                  "(e.g. FAR_FROM_SITE for one taken away from the outfall).")
    async def checks(self, info: strawberry.Info) -> list[EvidenceCheck]:
        return media_checks(await info.context.loaders.inspection_media.load(self.row.id))

    @strawberry.field(description="Tasks this inspection raised (e.g. from an exceedance).")
    async def raised_tasks(self, info: strawberry.Info) -> list["Task"]:
        return [Task.from_model(t) for t in await info.context.loaders.raised_tasks.load(self.row.id)]

    @classmethod
    def from_model(cls, i: InspectionRow) -> "Inspection":
        # The row's loaded state, not its ORM attributes: a map page builds 500 of these.
        d = i.__dict__
        if not _INSPECTION_COLUMNS.issubset(d.keys()):
            d = {k: getattr(i, k) for k in _INSPECTION_COLUMNS}
        lat, lon = d["lat"], d["lon"]
        pos = GeoPoint(lat=lat, lon=lon, accuracy_m=d["accuracy_m"]) if lat is not None and lon is not None else None
        return cls(id=strawberry.ID(str(d["id"])), client_id=uuid.UUID(d["client_id"]), observed_at=d["observed_at"],
                   received_at=d["received_at"], position=pos, flowing=d["flowing"], note=d["note"],
                   updated_at=d["updated_at"], row=i)


_INSPECTION_COLUMNS = frozenset(("id", "client_id", "observed_at", "received_at", "lat", "lon", "accuracy_m",
                                 "flowing", "note", "updated_at"))


@strawberry.type
class InspectionEdge:
    node: Inspection
    cursor: str


@strawberry.type
class InspectionConnection:
    edges: list[InspectionEdge]
    nodes: list[Inspection] = strawberry.field(description="The nodes of `edges`, without their cursors.")
    page_info: PageInfo
    total_count: int


@strawberry.type
class Review:
    decision: ReviewDecision
    reason: str | None
    reviewed_at: datetime
    reviewer_id: strawberry.Private[int]

    @strawberry.field
    async def reviewer(self, info: strawberry.Info) -> User:
        return await _user(info, self.reviewer_id)


@strawberry.type
class Submission:
    id: strawberry.ID
    client_id: uuid.UUID
    submitted_at: datetime
    note: str | None
    status: SubmissionStatus
    review: Review | None
    checks: list[EvidenceCheck] = strawberry.field(
        description="All evidence checks of the before and after media, judged against this task.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[SubmissionRow]

    @strawberry.field
    async def task(self, info: strawberry.Info) -> "Task":
        return Task.from_model(await info.context.loaders.task.load(self.row.task_id))

    @strawberry.field
    async def submitted_by(self, info: strawberry.Info) -> User:
        return await _user(info, self.row.submitted_by_id)

    @strawberry.field
    async def before(self, info: strawberry.Info) -> list[Media]:
        return [Media.from_model(m) for slot, m in await info.context.loaders.submission_media.load(self.row.id)
                if slot == "BEFORE"]

    @strawberry.field
    async def after(self, info: strawberry.Info) -> list[Media]:
        return [Media.from_model(m) for slot, m in await info.context.loaders.submission_media.load(self.row.id)
                if slot == "AFTER"]

    @classmethod
    def from_model(cls, s: SubmissionRow) -> "Submission":
        review = None
        if s.decision and s.reviewed_at is not None and s.reviewer_id is not None:  # set together by the review
            review = Review(decision=ReviewDecision(s.decision), reason=s.reason, reviewed_at=s.reviewed_at,
                            reviewer_id=s.reviewer_id)
        return cls(id=strawberry.ID(str(s.id)), client_id=uuid.UUID(s.client_id), submitted_at=s.submitted_at,
                   note=s.note, status=SubmissionStatus(s.status), review=review,
                   checks=[EvidenceCheck.from_dict(c) for c in s.checks or []], updated_at=s.updated_at, row=s)


@strawberry.type
class Task:
    id: strawberry.ID
    code: str
    kind: TaskKind
    source: TaskSource
    status: TaskStatus
    title: str
    description: str | None
    location: GeoPoint | None
    deadline: datetime
    is_overdue: bool
    created_at: datetime
    updated_at: datetime = strawberry.field(description=UPDATED_AT)
    version: int
    cancel_reason: str | None
    row: strawberry.Private[TaskRow]

    @strawberry.field(description="Where the task came in (12345, WeChat, river chief, inspection team).")
    def intake_channel(self) -> IntakeChannel | None:
        return IntakeChannel(self.row.intake_channel) if self.row.intake_channel else None

    @strawberry.field(description="The channel's own reference number.")
    def intake_reference(self) -> str | None:
        return self.row.intake_ref

    @strawberry.field(description="Who supervises it; goes up a level when the task runs late.")
    def supervision_level(self) -> SupervisionLevel:
        return SupervisionLevel(self.row.supervision_level or "DISTRICT")

    @strawberry.field(description="When it last went up a supervision level.")
    def escalated_at(self) -> datetime | None:
        return self.row.escalated_at

    @strawberry.field
    async def district(self, info: strawberry.Info) -> District:
        return District.from_model(await info.context.loaders.district.load(self.row.district_code))

    @strawberry.field
    async def outfall(self, info: strawberry.Info) -> OutfallRef | None:
        return await _outfall(info, self.row.outfall_id) if self.row.outfall_id else None

    @strawberry.field
    async def created_by(self, info: strawberry.Info) -> User | None:
        return await _user(info, self.row.created_by_id)

    @strawberry.field(description="The evidence pack: every finding, before and after photo with its signed C2PA "
                                   "manifest, and an index (a zip; GET with the Authorization header).")
    def evidence_pack_url(self, info: strawberry.Info) -> str:
        return f"{info.context.settings.public_url}/export/tasks/{self.row.id}/evidence.zip"

    @strawberry.field
    async def submissions(self, info: strawberry.Info) -> list[Submission]:
        return [Submission.from_model(s) for s in await info.context.loaders.submissions.load(self.row.id)]

    @strawberry.field
    async def latest_submission(self, info: strawberry.Info) -> Submission | None:
        subs = await info.context.loaders.submissions.load(self.row.id)
        return Submission.from_model(subs[-1]) if subs else None

    @strawberry.field
    async def media(self, info: strawberry.Info) -> list[Media]:
        return [Media.from_model(m) for m in await info.context.loaders.task_media.load(self.row.id)]

    @strawberry.field(description="The evidence checks of every photo and video the task was raised with, each "
                                  "naming its media (e.g. FAR_FROM_SITE for one taken away from the site).")
    async def checks(self, info: strawberry.Info) -> list[EvidenceCheck]:
        return media_checks(await info.context.loaders.task_media.load(self.row.id))

    @strawberry.field(description="The inspection whose exceedance raised this task (the original finding: "
                                  "its readings and photos), if one did. Same district as the task.")
    async def raised_by(self, info: strawberry.Info) -> Inspection | None:
        if self.row.raised_by_inspection_id is None:
            return None
        row = await info.context.loaders.inspection.load(self.row.raised_by_inspection_id)
        return Inspection.from_model(row) if row else None

    @classmethod
    def from_model(cls, t: TaskRow) -> "Task":
        loc = GeoPoint(lat=t.lat, lon=t.lon) if t.lat is not None and t.lon is not None else None
        return cls(id=strawberry.ID(str(t.id)), code=filled(t.code, "a task's code"), kind=TaskKind(t.kind), source=TaskSource(t.source),
                   status=TaskStatus(t.status), title=t.title, description=t.description, location=loc,
                   deadline=t.deadline, is_overdue=is_overdue(t), created_at=t.created_at, updated_at=t.updated_at, version=t.version,
                   cancel_reason=t.cancel_reason, row=t)


@strawberry.type
class TaskEdge:
    node: Task
    cursor: str


@strawberry.type
class TaskConnection:
    edges: list[TaskEdge]
    nodes: list[Task] = strawberry.field(description="The nodes of `edges`, without their cursors.")
    page_info: PageInfo
    total_count: int


@strawberry.type(description="One entry of the durable task event log, as it happened.")
class TaskEvent:
    id: strawberry.ID = strawberry.field(description="The event's place in the log; later events have larger ids.")
    cursor: str = strawberry.field(description="Pass as `taskEvents(after:)` to resume after this event.")
    type: TaskEventType = strawberry.field(description="What happened.")
    task: Task = strawberry.field(description="The task as it is now (not as it was at the event).")
    at: datetime = strawberry.field(description="When it happened.")
