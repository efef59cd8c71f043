"""Task events numbered in commit order (issue 13): `seq`, the resume cursor of `taskEvents(after:)`.

An event's id is taken when it is inserted, not when its transaction commits. On PostgreSQL two writers
can commit out of id order (101 taken first, committed after 102), so a subscriber that had seen 102 and
resumed "after 102" never saw 101. `seq` is given at commit instead: a deferred constraint trigger runs
as the transaction commits, takes a transaction-level advisory lock (released by the commit itself) and
numbers the transaction's events after every event already committed. Taken at commit, after every row
lock the transaction will ever hold, the lock cannot join a deadlock; it serialises only the commits of
event-writing transactions. SQLite serialises writers already, so there the number is given on insert.

Existing events keep their order: seq = id.

Revision ID: 0019_event_commit_order
Revises: 0018_outfall_gps_fix
"""
from alembic import op
import sqlalchemy as sa

revision = '0019_event_commit_order'
down_revision = '0018_outfall_gps_fix'
branch_labels = None
depends_on = None

# pg_advisory_xact_lock key of event numbering: "owev" (the scheduler's session lock is "owsc")
LOCK_KEY = 0x6F77_6576
NEXT = "(SELECT coalesce(max(seq), 0) + 1 FROM task_events)"


def upgrade() -> None:
    op.add_column('task_events', sa.Column('seq', sa.BigInteger(), nullable=True))
    op.execute("UPDATE task_events SET seq = id")
    op.create_index('ux_task_events_seq', 'task_events', ['seq'], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION task_events_commit_seq() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock({LOCK_KEY});
                UPDATE task_events SET seq = {NEXT} WHERE id = NEW.id AND seq IS NULL;
                RETURN NULL;
            END $$""")
        op.execute("""
            CREATE CONSTRAINT TRIGGER task_events_commit_seq AFTER INSERT ON task_events
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.seq IS NULL)
            EXECUTE FUNCTION task_events_commit_seq()""")
    else:
        op.execute(f"""
            CREATE TRIGGER task_events_commit_seq AFTER INSERT ON task_events FOR EACH ROW WHEN NEW.seq IS NULL
            BEGIN UPDATE task_events SET seq = {NEXT} WHERE id = NEW.id; END""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS task_events_commit_seq" +
               (" ON task_events" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS task_events_commit_seq()")
    op.drop_index('ux_task_events_seq', 'task_events')
    with op.batch_alter_table('task_events') as b:
        b.drop_column('seq')
