"""data version: a counter every write to the cached tables bumps (by trigger)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 02:17:30.340159
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)

WATCHED = ("outfalls", "inspections", "districts", "rivers")  # as server.domain.data_version


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('v', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )

    op.execute("INSERT INTO data_version (id, v) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION bump_data_version() RETURNS trigger AS $$
            BEGIN UPDATE data_version SET v = v + 1 WHERE id = 1; RETURN NULL; END; $$ LANGUAGE plpgsql""")
        for t in WATCHED:  # once per statement: a bulk import bumps it once, not per row
            op.execute(f"""CREATE TRIGGER {t}_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t}
                FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for t in WATCHED:
            for verb in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"""CREATE TRIGGER {t}_bump_{verb.lower()} AFTER {verb} ON {t}
                    BEGIN UPDATE data_version SET v = v + 1 WHERE id = 1; END""")

def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for t in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_bump_version ON {t}")
        op.execute("DROP FUNCTION IF EXISTS bump_data_version()")
    else:
        for t in WATCHED:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {t}_bump_{verb}")
    op.drop_table('data_version')
