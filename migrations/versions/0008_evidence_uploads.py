"""Uploads: a video's duration, and whether a rejected upload's key was swept after its ticket expired.

A presigned S3 POST cannot be revoked, so the object key of a REJECTED upload is deleted once more after
its ticket's expiry; `object_swept` records that this final sweep happened.

Revision ID: 0008_evidence_uploads
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_evidence_uploads'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTERs, no batch: recreating the table on SQLite would drop 0007's triggers on media.
    op.add_column("media", sa.Column("duration_s", sa.Float(), nullable=True))
    op.add_column("media", sa.Column("object_swept", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("media", "object_swept")
    op.drop_column("media", "duration_s")
