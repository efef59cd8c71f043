"""Users, sign-in, API tokens and the audit trail's reader."""
from server.areas.area import Area
from server.domain.audit.models import AuditEvent
from server.domain.permissions import READ_ROLES, rule
from server.domain.users.models import ApiToken, User
from server.domain.users.throttle import RateCounter
from server.graphql.users.account import AccountMutation, AccountQuery
from server.graphql.users.resolvers import UserMutation, UserQuery

AREA = Area(
    name="users",
    tables=(User, ApiToken, RateCounter, AuditEvent),
    audited={User: "user", ApiToken: "api_token"},
    verbs={
        "token.manage": rule({"ADMIN"}),
        "account.logout": rule(READ_ROLES),  # a password session's own; no API token scope grants it
        "audit.read": rule({"SUPERVISOR", "ADMIN"}),
    },
    queries=(UserQuery, AccountQuery),
    mutations=(UserMutation, AccountMutation),
    reads={"User": ("users",)},
    uncacheable=("Query.me",),  # the caller's own record, from the users table
)
