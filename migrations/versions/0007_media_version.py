"""A second data-version row for media and measurements, so cached detail pages can include photos
without every upload invalidating the cached map (which reads row 1 only).

Revision ID: 0007
Revises: 0006
"""
from alembic import op

MEDIA_WATCHED = ("media", "measurements")  # as server.domain.data_version

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO data_version (id, v) VALUES (2, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION bump_media_version() RETURNS trigger AS $$
            BEGIN UPDATE data_version SET v = v + 1 WHERE id = 2; RETURN NULL; END; $$ LANGUAGE plpgsql""")
        for t in MEDIA_WATCHED:
            op.execute(f"""CREATE TRIGGER {t}_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {t}
                FOR EACH STATEMENT EXECUTE FUNCTION bump_media_version()""")
    else:
        for t in MEDIA_WATCHED:
            for verb in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"""CREATE TRIGGER {t}_bump_{verb.lower()} AFTER {verb} ON {t}
                    BEGIN UPDATE data_version SET v = v + 1 WHERE id = 2; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for t in MEDIA_WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {t}_bump_version ON {t}")
        op.execute("DROP FUNCTION IF EXISTS bump_media_version()")
    else:
        for t in MEDIA_WATCHED:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {t}_bump_{verb}")
    op.execute("DELETE FROM data_version WHERE id = 2")
