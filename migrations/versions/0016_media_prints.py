"""Reuse detection: each photo's local features (ORB) and the map cell it was taken in.

Revision ID: 0016_media_prints
Revises: 0015_updated_at
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_media_prints'
down_revision = '0015_updated_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_prints",
        sa.Column("media_id", sa.Integer(), sa.ForeignKey("media.id"), primary_key=True),
        sa.Column("cell", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("probe", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_media_prints_cell", "media_prints", ["cell"])


def downgrade() -> None:
    op.drop_index("ix_media_prints_cell", table_name="media_prints")
    op.drop_table("media_prints")
