"""Inspections at an outfall and their measurements (served by the loop's GraphQL)."""
from server.areas.area import MAP, MEDIA, Area
from server.domain.inspections.models import Inspection, Measurement
from server.domain.permissions import READ_ROLES, rule

AREA = Area(
    name="inspections",
    tables=(Inspection, Measurement),
    audited={Inspection: "inspection"},
    verbs={
        "inspection.create": rule({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
        "inspection.read": rule(READ_ROLES, True),
    },
    watched={"inspections": MAP, "measurements": MEDIA},
    reads={
        "Inspection": ("inspections",),
        "Inspection.outfall": ("outfalls", "districts", "rivers"),
        "Inspection.measurements": ("measurements",), "Measurement": ("measurements",),
        "Inspection.media": ("media",), "Inspection.checks": ("media",),  # the evidence checks of its photos
        "Inspection.inspector": ("users",),
        "InspectionConnection": ("inspections",), "InspectionEdge": ("inspections",),
    },
    uncacheable=("Inspection.inspector", "Inspection.raisedTasks"),  # users and tasks are not watched
)
