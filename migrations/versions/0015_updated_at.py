"""updatedAt on every record (issue 13): inspections, submissions, media, patrols, users, devices and
API tokens get `updated_at`, the mark an integrator's incremental sync (`updatedSince`) reads.

Existing rows are backfilled with the latest moment they are known to have changed (a review, an
upload's completion, a revocation), else when they were made; never the migration's own clock, which
would make every old row look new to every sync.

Revision ID: 0015_updated_at
Revises: 0014_limits_version
"""
from alembic import op
import sqlalchemy as sa

revision = '0015_updated_at'
down_revision = '0014_limits_version'
branch_labels = None
depends_on = None

# table -> what it was last changed at, as far as its own columns tell
BACKFILL = {
    "inspections": "received_at",
    "submissions": "COALESCE(reviewed_at, submitted_at)",
    "media": "COALESCE(completed_at, created_at)",
    "patrols": "received_at",
    "users": "created_at",
    "devices": "COALESCE(revoked_at, registered_at)",
    "api_tokens": "COALESCE(revoked_at, created_at)",
}


def upgrade() -> None:
    # NOT NULL at once, with a default only so that existing rows can take the column (SQLite: a constant);
    # SQLite could make it NOT NULL later only by copying each table, and a copy of `users` fails its
    # foreign keys.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, source in BACKFILL.items():
        default = sa.text("'1970-01-01 00:00:00.000000'") if sqlite else sa.text("CURRENT_TIMESTAMP")
        op.add_column(table, sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False,
                                       server_default=default))
        op.execute(f"UPDATE {table} SET updated_at = {source}")
        if not sqlite:  # the app always sets it; SQLite keeps the (unused) default, it cannot drop one in place
            op.alter_column(table, 'updated_at', server_default=None)
    op.create_index('ix_inspections_updated_at', 'inspections', ['updated_at'])
    op.create_index('ix_patrols_updated_at', 'patrols', ['updated_at'])


def downgrade() -> None:
    op.drop_index('ix_patrols_updated_at', table_name='patrols')
    op.drop_index('ix_inspections_updated_at', table_name='inspections')
    for table in reversed(BACKFILL):
        op.drop_column(table, 'updated_at')  # SQLite >= 3.35 drops a plain column in place
