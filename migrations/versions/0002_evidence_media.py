"""evidence media

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:44:30.777997
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('display_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('thumb_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('taken_at_naive', sa.Boolean(), nullable=False),
    sa.Column('exif_lat', sa.Float(), nullable=True),
    sa.Column('exif_lon', sa.Float(), nullable=True),
    sa.Column('exif_alt', sa.Float(), nullable=True),
    sa.Column('make', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('software', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('orientation', sa.Integer(), nullable=True),
    sa.Column('phash', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('ph0', sa.Integer(), nullable=True),
    sa.Column('ph1', sa.Integer(), nullable=True),
    sa.Column('ph2', sa.Integer(), nullable=True),
    sa.Column('ph3', sa.Integer(), nullable=True),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('owner_type', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('slot', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], ),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.create_index('ix_media_owner', ['owner_type', 'owner_id'], unique=False)
        batch_op.create_index('ix_media_ph0', ['ph0'], unique=False)
        batch_op.create_index('ix_media_ph1', ['ph1'], unique=False)
        batch_op.create_index('ix_media_ph2', ['ph2'], unique=False)
        batch_op.create_index('ix_media_ph3', ['ph3'], unique=False)
        batch_op.create_index('ix_media_sha256', ['sha256'], unique=False)
        batch_op.create_index('ix_media_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_uploader_id'), ['uploader_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_uploader_id'))
        batch_op.drop_index('ix_media_status_expires')
        batch_op.drop_index('ix_media_sha256')
        batch_op.drop_index('ix_media_ph3')
        batch_op.drop_index('ix_media_ph2')
        batch_op.drop_index('ix_media_ph1')
        batch_op.drop_index('ix_media_ph0')
        batch_op.drop_index('ix_media_owner')

    op.drop_table('media')
