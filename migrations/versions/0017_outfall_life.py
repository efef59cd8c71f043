"""The outfall's life (issue 19 items 3-8): remediation plans (一口一策) and acceptance, tracing records,
approval/registration (Order 35) and its changes, protected zones; outfall verification, national and
provincial codes, merge link, receiving-reach override, siting flag; inspection outcome; task intake,
supervision level and escalation.

Existing data is kept honest: no plan, tracing record or permit is invented. Outfalls already TRACED or
REMEDIATED (set under the old rules: a typed responsible unit, any approved task) are marked
phase_basis = 'LEGACY' so they can be told from phases backed by a record; verification and inspection
outcome stay NULL (not recorded); every existing task is district-supervised (DISTRICT), which is how
tasks were assigned before levels existed.

Plain ALTERs on outfalls and tasks, no batch: recreating them on SQLite would drop 0005's triggers.

Revision ID: 0017_outfall_life
Revises: 0016_media_prints
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)

revision = '0017_outfall_life'
down_revision = '0016_media_prints'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('protected_zones',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('name', S(length=100), nullable=False),
                    sa.Column('kind', S(length=28), nullable=False),
                    sa.Column('lat', sa.Float(), nullable=False),
                    sa.Column('lon', sa.Float(), nullable=False),
                    sa.Column('radius_m', sa.Float(), nullable=False),
                    sa.Column('source', S(length=300), nullable=False),
                    sa.Column('created_by_id', sa.Integer(), nullable=True),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('name', name='uq_protected_zones_name'))
    op.create_table('outfall_permits',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('outfall_id', sa.Integer(), nullable=False),
                    sa.Column('kind', S(length=12), nullable=False),
                    sa.Column('status', S(length=10), nullable=False),
                    sa.Column('document_no', S(length=80), nullable=False),
                    sa.Column('authority', S(length=100), nullable=False),
                    sa.Column('decided_on', sa.Date(), nullable=False),
                    sa.Column('note', S(length=2000), nullable=True),
                    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['outfall_id'], ['outfalls.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('outfall_id'))
    op.create_table('remediation_plans',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('client_id', S(length=36), nullable=False),
                    sa.Column('request_hash', S(length=64), nullable=False),
                    sa.Column('outfall_id', sa.Integer(), nullable=False),
                    sa.Column('district_code', S(length=6), nullable=False),
                    sa.Column('type', S(length=8), nullable=False),
                    sa.Column('status', S(length=12), nullable=False),
                    sa.Column('measures', S(length=4000), nullable=False),
                    sa.Column('deadline', sa.Date(), nullable=False),
                    sa.Column('merged_into_id', sa.Integer(), nullable=True),
                    sa.Column('online_monitoring_required', sa.Boolean(), nullable=False),
                    sa.Column('evidence', sa.JSON(), nullable=False),
                    sa.Column('review_reason', S(length=2000), nullable=True),
                    sa.Column('created_by_id', sa.Integer(), nullable=True),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
                    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('closed_by_id', sa.Integer(), nullable=True),
                    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['district_code'], ['districts.code']),
                    sa.ForeignKeyConstraint(['merged_into_id'], ['outfalls.id']),
                    sa.ForeignKeyConstraint(['outfall_id'], ['outfalls.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('client_id'),
                    sa.UniqueConstraint('outfall_id'))
    op.create_table('permit_changes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('permit_id', sa.Integer(), nullable=False),
                    sa.Column('change', S(length=10), nullable=False),
                    sa.Column('document_no', S(length=80), nullable=False),
                    sa.Column('authority', S(length=100), nullable=False),
                    sa.Column('decided_on', sa.Date(), nullable=False),
                    sa.Column('limits', sa.JSON(), nullable=False),
                    sa.Column('note', S(length=2000), nullable=True),
                    sa.Column('actor_id', sa.Integer(), nullable=True),
                    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['permit_id'], ['outfall_permits.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_permit_changes_permit_id', 'permit_changes', ['permit_id'])
    op.create_table('tracing_records',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('client_id', S(length=36), nullable=False),
                    sa.Column('request_hash', S(length=64), nullable=False),
                    sa.Column('outfall_id', sa.Integer(), nullable=False),
                    sa.Column('district_code', S(length=6), nullable=False),
                    sa.Column('task_id', sa.Integer(), nullable=True),
                    sa.Column('status', S(length=12), nullable=False),
                    sa.Column('determined', sa.Boolean(), nullable=False),
                    sa.Column('party_name', S(length=200), nullable=False),
                    sa.Column('party_uscc', S(length=18), nullable=True),
                    sa.Column('party_type', S(length=20), nullable=False),
                    sa.Column('party_contact', S(length=100), nullable=True),
                    sa.Column('co_parties', sa.JSON(), nullable=False),
                    sa.Column('sources', sa.JSON(), nullable=False),
                    sa.Column('methods', sa.JSON(), nullable=False),
                    sa.Column('report', S(length=4000), nullable=True),
                    sa.Column('undetermined_reason', S(length=2000), nullable=True),
                    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
                    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('reviewer_id', sa.Integer(), nullable=True),
                    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('review_reason', S(length=2000), nullable=True),
                    sa.ForeignKeyConstraint(['district_code'], ['districts.code']),
                    sa.ForeignKeyConstraint(['outfall_id'], ['outfalls.id']),
                    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id']),
                    sa.ForeignKeyConstraint(['task_id'], ['tasks.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('client_id'))
    op.create_index('ix_tracing_records_outfall', 'tracing_records', ['outfall_id', 'status'])

    op.add_column('inspections', sa.Column('outcome', S(length=8), nullable=True))
    for name, length in (('verification', 12), ('national_code', 32), ('provincial_code', 32),
                         ('receiving_reach', 32), ('siting_flag', 200), ('phase_basis', 8)):
        op.add_column('outfalls', sa.Column(name, S(length=length), nullable=True))
    op.add_column('outfalls', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_index('ix_outfalls_national_code', 'outfalls', ['national_code'], unique=True)
    op.create_index('ix_outfalls_provincial_code', 'outfalls', ['provincial_code'], unique=True)
    op.execute("UPDATE outfalls SET phase_basis = 'LEGACY' WHERE phase IN ('TRACED', 'REMEDIATED')")

    op.add_column('tasks', sa.Column('intake_channel', S(length=16), nullable=True))
    op.add_column('tasks', sa.Column('intake_ref', S(length=64), nullable=True))
    op.add_column('tasks', sa.Column('supervision_level', S(length=10), nullable=False, server_default='DISTRICT'))
    op.add_column('tasks', sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('uq_tasks_intake', 'tasks', ['intake_channel', 'intake_ref'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_tasks_intake', table_name='tasks')
    for c in ('escalated_at', 'supervision_level', 'intake_ref', 'intake_channel'):
        op.drop_column('tasks', c)
    op.drop_index('ix_outfalls_provincial_code', table_name='outfalls')
    op.drop_index('ix_outfalls_national_code', table_name='outfalls')
    for c in ('merged_into_id', 'phase_basis', 'siting_flag', 'receiving_reach', 'provincial_code', 'national_code',
              'verification'):
        op.drop_column('outfalls', c)
    op.drop_column('inspections', 'outcome')
    op.drop_index('ix_tracing_records_outfall', table_name='tracing_records')
    op.drop_table('tracing_records')
    op.drop_index('ix_permit_changes_permit_id', table_name='permit_changes')
    op.drop_table('permit_changes')
    op.drop_table('remediation_plans')
    op.drop_table('outfall_permits')
    op.drop_table('protected_zones')
