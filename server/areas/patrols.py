"""Patrols: the tracks inspectors walk along the rivers."""
from server.areas.area import Area
from server.domain.patrols.models import Patrol
from server.domain.permissions import READ_ROLES, rule
from server.graphql.patrols.resolvers import PatrolMutation, PatrolQuery

AREA = Area(
    name="patrols",
    tables=(Patrol,),
    audited={Patrol: "patrol"},
    verbs={
        "patrol.create": rule({"INSPECTOR", "DISTRICT_OFFICER", "SUPERVISOR", "ADMIN"}),
        "patrol.read": rule(READ_ROLES, True),
    },
    queries=(PatrolQuery,),
    mutations=(PatrolMutation,),
)
