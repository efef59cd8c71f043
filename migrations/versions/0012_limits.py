"""Throttle and rate-limit counters shared by every worker and machine (issue 12 items 3 and "more
than one machine"): one row per key, times in epoch seconds.

Revision ID: 0012_limits
Revises: 0011_evidence_attestation
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_limits'
down_revision = '0011_evidence_attestation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.Float(), nullable=False),
        sa.Column("last_at", sa.Float(), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_counters")
