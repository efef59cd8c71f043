"""The outfall's life (issue 19 items 3-8): remediation plans and acceptance, tracing records, Order 35
approval/registration, protected zones, supervision escalation and the district assessment."""
from server.areas.area import Area, Job
from server.domain.lifecycle.intake import escalate_late_tasks
from server.domain.lifecycle.models import OutfallPermit, PermitChange, ProtectedZone, RemediationPlan, TracingRecord
from server.domain.permissions import rule
from server.graphql.lifecycle.resolvers import LifecycleMutation, LifecycleQuery
from server.web.wiring import Services


async def _escalate(services: Services) -> dict[str, int]:
    return await escalate_late_tasks(db=services.db, settings=services.settings, broker=services.events)


AREA = Area(
    name="lifecycle",
    tables=(RemediationPlan, TracingRecord, OutfallPermit, PermitChange, ProtectedZone),
    audited={RemediationPlan: "remediation_plan", TracingRecord: "tracing_record", OutfallPermit: "outfall_permit",
             ProtectedZone: "protected_zone"},
    verbs={
        # The city decides plans, accepts them and reviews tracing; the district does the work and records
        # its evidence; inspectors verify suspects and trace.
        "plan.create": rule({"SUPERVISOR", "ADMIN"}),
        "plan.evidence": rule({"DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, True),
        "plan.accept": rule({"SUPERVISOR"}),
        "trace.submit": rule({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, True),
        "trace.review": rule({"SUPERVISOR"}),
        # Tracing records name contacts: the district's people and the city, not integrators or other districts.
        "trace.read": rule({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}, True),
        "permit.manage": rule({"SUPERVISOR", "ADMIN"}),
        "outfall.codes": rule({"ADMIN"}),
        "outfall.verify": rule({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
        "zone.manage": rule({"SUPERVISOR", "ADMIN"}),
    },
    jobs=(Job("escalation", "late tasks up one supervision level (区县 → 市级 → 挂牌督办)", _escalate),),
    queries=(LifecycleQuery,),
    mutations=(LifecycleMutation,),
    # Outfall fields that read this area's tables (unwatched) or depend on who asks: never from the cache.
    uncacheable=("Outfall.remediationPlan", "Outfall.tracing", "Outfall.tracingRecords", "Outfall.permit",
                 "Outfall.receivingWater"),
)
