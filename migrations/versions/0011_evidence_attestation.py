"""Attested capture: devices (one Ed25519 key per phone install) and each upload's verdict.

Revision ID: 0011_evidence_attestation
Revises: 0010_submission_media
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_evidence_attestation'
down_revision = '0010_submission_media'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("key_storage", sa.String(12), nullable=False, server_default="SOFTWARE"),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("last_counter", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_devices_key_id", "devices", ["key_id"], unique=True)
    op.create_index("ix_devices_user_id", "devices", ["user_id"])
    # Plain ALTERs, no batch: recreating media on SQLite would drop 0007's triggers.
    op.add_column("media", sa.Column("att_status", sa.String(12), nullable=True))
    op.add_column("media", sa.Column("att_device_id", sa.Integer(), nullable=True))
    op.add_column("media", sa.Column("att_counter", sa.BigInteger(), nullable=True))
    op.add_column("media", sa.Column("attestation", sa.JSON(), nullable=True))
    # One capture counter value per device, ever: a second upload under the same one is a replay.
    op.create_index("ux_media_att_counter", "media", ["att_device_id", "att_counter"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_media_att_counter", "media")
    for c in ("attestation", "att_counter", "att_device_id", "att_status"):
        op.drop_column("media", c)
    op.drop_index("ix_devices_user_id", "devices")
    op.drop_index("ix_devices_key_id", "devices")
    op.drop_table("devices")
