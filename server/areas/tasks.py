"""The rectification loop: tasks, their events and submissions, the daily brief."""
from server.areas.area import Area, Job
from server.domain.permissions import READ_ROLES, rule
from server.domain.tasks.models import Submission, SubmissionMedia, Task, TaskEvent
from server.domain.tasks.service import sweep_deadlines
from server.graphql.loop.brief import BriefQuery
from server.graphql.loop.resolvers import LoopMutation, LoopQuery, LoopSubscription
from server.web.wiring import Services


async def _deadlines(services: Services) -> dict[str, int]:
    return await sweep_deadlines(db=services.db, settings=services.settings, broker=services.events)


AREA = Area(
    name="tasks",
    tables=(Task, TaskEvent, Submission, SubmissionMedia),
    audited={Task: "task", Submission: "submission"},
    verbs={
        "task.read": rule(READ_ROLES, True),
        "task.create": rule({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True, scopes=("tasks:create",)),
        "task.start": rule({"DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, True),
        "task.submit": rule({"DISTRICT_OFFICER"}, True),
        "task.review": rule({"SUPERVISOR"}),
        "task.cancel": rule({"SUPERVISOR", "ADMIN"}),
    },
    jobs=(Job("deadlines", "overdue tasks and reminders before the deadline", _deadlines),),
    queries=(LoopQuery, BriefQuery),
    mutations=(LoopMutation,),
    subscriptions=(LoopSubscription,),
    uncacheable=("Task.isOverdue", "Task.submissions"),
    cli=("server.cli.brief",),
)
