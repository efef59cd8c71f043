"""Approved limits bump data-version row 1: `Outfall.approvedLimits` is served from the response
cache, and a change to an outfall's limits must not leave the cached map and profile stale. Found
by tests/server/areas/test_declarations.py (the outfalls area's field reads against the watched tables).

Revision ID: 0014_limits_version
Revises: 0013_lifecycle
"""
from alembic import op

TABLE = "outfall_limits"  # as server/areas/outfalls.py (watched, row 1); the function is 0005's

revision = '0014_limits_version'
down_revision = '0013_lifecycle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE TRIGGER {TABLE}_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for verb in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER {TABLE}_bump_{verb.lower()} AFTER {verb} ON {TABLE}
                BEGIN UPDATE data_version SET v = v + 1 WHERE id = 1; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_bump_version ON {TABLE}")
    else:
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_bump_{verb}")
