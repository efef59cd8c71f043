"""Water-quality stations, their readings and episodes, and tracing (溯) upstream of them."""
from server.areas.area import MAP, Area
from server.domain.permissions import READ_ROLES, rule
from server.domain.stations.models import OutfallRiverPosition, Station, StationEpisode, readings
from server.graphql.stations.resolvers import StationMutation, StationQuery
from server.graphql.stations.tracing import TracingMutation, TracingQuery

AREA = Area(
    name="stations",
    tables=(Station, readings, StationEpisode, OutfallRiverPosition),
    verbs={
        "station.read": rule(READ_ROLES),
        "station.manage": rule({"SUPERVISOR", "ADMIN"}),
        "station.ingest": rule({"ADMIN"}, scopes=("readings:write",)),  # and the station network's token
        "tracing.read": rule({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}),
        "tracing.raise": rule({"SUPERVISOR", "ADMIN"}),
    },
    queries=(StationQuery, TracingQuery),
    mutations=(StationMutation, TracingMutation),
    watched={"stations": MAP},  # outfallStats counts stations and their open episodes
    cli=("server.cli.stations",),
)
