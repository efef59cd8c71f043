"""The phone's GPS fix at registration, kept beside the outfall's location (issue 16 item 2): the
inspector may move the pin by hand, and both the fix and the placed position are evidence.

Existing outfalls have no fix recorded (NULL): nobody kept it.

Revision ID: 0018_outfall_gps_fix
Revises: 0017_outfall_life
"""
from alembic import op
import sqlalchemy as sa

revision = '0018_outfall_gps_fix'
down_revision = '0017_outfall_life'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outfalls', sa.Column('gps_fix_lat', sa.Float(), nullable=True))
    op.add_column('outfalls', sa.Column('gps_fix_lon', sa.Float(), nullable=True))
    op.add_column('outfalls', sa.Column('gps_fix_accuracy_m', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outfalls') as b:
        for c in ('gps_fix_accuracy_m', 'gps_fix_lon', 'gps_fix_lat'):
            b.drop_column(c)
