"""The outfall register: outfalls, their codes and their approved limits."""
from server.areas.area import MAP, Area
from server.domain.outfalls.models import Outfall, OutfallCodeCounter, OutfallLimit
from server.domain.permissions import READ_ROLES, rule
from server.graphql.outfalls.mutations import OutfallMutation
from server.graphql.outfalls.queries import OutfallQuery

AREA = Area(
    name="outfalls",
    tables=(Outfall, OutfallCodeCounter, OutfallLimit),
    audited={Outfall: "outfall"},
    verbs={
        "outfall.read": rule(READ_ROLES),
        "outfall.create": rule({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
        "outfall.update": rule({"INSPECTOR", "SUPERVISOR", "ADMIN"}, True),
        # Supervised decisions (issue 19): reclassifying, the receiving water and its class, the
        # discharge standard, remediation approach, status and 销号. A field user proposes; a city role decides.
        "outfall.decide": rule({"SUPERVISOR", "ADMIN"}),
    },
    queries=(OutfallQuery,),
    mutations=(OutfallMutation,),
    cached=("outfalls", "outfallPoints", "outfallClusters", "outfall", "outfallStats"),
    watched={"outfalls": MAP, "outfall_limits": MAP},
    reads={
        "Query.outfalls": ("outfalls", "districts", "rivers"),  # the filter checks its codes
        "Query.outfall": ("outfalls",),
        "Query.outfallPoints": ("outfalls", "districts", "rivers"),
        "OutfallPoints": ("outfalls",),
        "OutfallPoints.exceeded": ("inspections", "measurements"),  # the latest inspection's readings
        "Query.outfallClusters": ("outfalls", "districts", "rivers"),
        "OutfallClusters": ("outfalls",),
        "OutfallClusters.exceeded": ("inspections", "measurements"),
        "OutfallClusters.notExceeded": ("inspections", "measurements"),
        "Query.outfallStats": ("outfalls", "districts", "rivers", "stations"),
        "OutfallConnection": ("outfalls",), "OutfallEdge": ("outfalls",),
        "Outfall": ("outfalls",),
        "Outfall.river": ("rivers",), "Outfall.district": ("districts",),
        "Outfall.receivingTarget": ("outfalls", "rivers"),
        "Outfall.approvedLimits": ("outfall_limits",), "ApprovedLimit": ("outfall_limits",),
        "Outfall.media": ("media",),
        "Outfall.latestInspection": ("inspections",), "Outfall.inspections": ("inspections",),
        "StatBucket": ("outfalls", "districts", "rivers"),
        "StatBucket.stations": ("stations",), "StatBucket.stationsOffTarget": ("stations",),
    },
    uncacheable=("Outfall.tasks",),  # tasks change by the minute (and go overdue with no write)
    cli=("server.cli.register",),
)
