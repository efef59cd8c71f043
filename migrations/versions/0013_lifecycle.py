"""The outfall's life (issue 19), part 1: each outfall's discharge standard, grade and approved limits;
each reading's sample type, method (kit screening / lab) and the basis it was judged on.

Existing outfalls get "standard to be assigned" (UNASSIGNED), not a guess, except stormwater outlets
by their HJ 1312 subtype, which have no discharge limit by rule. Existing readings keep sample_type
NULL: nobody recorded whether they were effluent or river water.

Revision ID: 0013_lifecycle
Revises: 0012_limits
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)

revision = '0013_lifecycle'
down_revision = '0012_limits'
branch_labels = None
depends_on = None

STORMWATER_SUBTYPES = ("industrial.mining_enterprise_storm", "industrial.mining_enterprise_storm.factory",
                       "industrial.mining_enterprise_storm.mine", "industrial.mining_enterprise_storm.tailings",
                       "industrial.park_wwtp_storm", "other.urban_storm")  # as server/reference/lifecycle.json


def upgrade() -> None:
    S = sqlmodel.sql.sqltypes.AutoString
    op.add_column('outfalls', sa.Column('discharge_standard', S(length=16), nullable=False,
                                        server_default='UNASSIGNED'))
    op.add_column('outfalls', sa.Column('discharge_grade', S(length=8), nullable=True))
    op.add_column('outfalls', sa.Column('sector_standard', S(length=80), nullable=True))
    op.execute(sa.text("UPDATE outfalls SET discharge_standard = 'STORMWATER' WHERE subtype IN :s")
               .bindparams(sa.bindparam("s", expanding=True, value=list(STORMWATER_SUBTYPES))))
    op.create_table('outfall_limits',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('outfall_id', sa.Integer(), nullable=False),
                    sa.Column('parameter', S(length=12), nullable=False),
                    sa.Column('limit_max', sa.Float(), nullable=True),
                    sa.Column('limit_min', sa.Float(), nullable=True),
                    sa.Column('basis', S(length=200), nullable=True),
                    sa.Column('set_by_id', sa.Integer(), nullable=True),
                    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['outfall_id'], ['outfalls.id']),
                    sa.ForeignKeyConstraint(['set_by_id'], ['users.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('outfall_id', 'parameter', name='uq_outfall_limits_parameter'))
    op.create_index('ix_outfall_limits_outfall_id', 'outfall_limits', ['outfall_id'])
    op.add_column('inspections', sa.Column('dry_weather', sa.Boolean(), nullable=True))
    op.add_column('measurements', sa.Column('sample_type', S(length=12), nullable=True))
    op.add_column('measurements', sa.Column('method', S(length=4), nullable=False, server_default='KIT'))
    op.add_column('measurements', sa.Column('basis', S(length=16), nullable=True))
    op.add_column('measurements', sa.Column('note', S(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('measurements') as b:
        for c in ('note', 'basis', 'method', 'sample_type'):
            b.drop_column(c)
    with op.batch_alter_table('inspections') as b:
        b.drop_column('dry_weather')
    op.drop_index('ix_outfall_limits_outfall_id', table_name='outfall_limits')
    op.drop_table('outfall_limits')
    with op.batch_alter_table('outfalls') as b:
        for c in ('sector_standard', 'discharge_grade', 'discharge_standard'):
            b.drop_column(c)
