"""submission_media: the photos each submission presents, so a resubmission can present its task's
earlier before photos again (a media row keeps one owner: the record it was first evidence for).

Revision ID: 0010_submission_media
Revises: 0009_stations
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)

revision = '0010_submission_media'
down_revision = '0009_stations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('submission_media',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ),
    sa.PrimaryKeyConstraint('submission_id', 'media_id')
    )
    with op.batch_alter_table('submission_media', schema=None) as batch_op:
        batch_op.create_index('ix_submission_media_media', ['media_id'], unique=False)
    # Until now a submission's photos were the media it owns.
    op.execute("INSERT INTO submission_media (submission_id, media_id, slot) "
               "SELECT owner_id, id, slot FROM media WHERE owner_type = 'submission' AND slot IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('submission_media', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_media_media')
    op.drop_table('submission_media')
