"""Stations (测 at the river): stations, 4-hourly readings (one row per slot, a value+flag pair per
parameter), alert episodes, and outfalls' river-km for tracing (溯). Station writes bump data
version row 1, as outfallStats counts stations.

Revision ID: 0009_stations
Revises: 0008_evidence_uploads
Create Date: 2026-11-30 17:05:09.861180
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)


revision = '0009_stations'
down_revision = '0008_evidence_uploads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('river_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('river_km', sa.Float(), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('target_class', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('water_body', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('evaluated_through', sa.DateTime(timezone=True), nullable=True),
    sa.Column('off_streak', sa.Integer(), nullable=False),
    sa.Column('on_streak', sa.Integer(), nullable=False),
    sa.Column('fault_streak', sa.Integer(), nullable=False),
    sa.Column('open_episode_id', sa.Integer(), nullable=True),
    sa.Column('open_fault_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], ),
    sa.ForeignKeyConstraint(['river_code'], ['rivers.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stations_district_code'), ['district_code'], unique=False)
        batch_op.create_index('ix_stations_river_km', ['river_code', 'river_km'], unique=False)

    op.create_table('station_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('v_water_temp', sa.Float(), nullable=True),
    sa.Column('f_water_temp', sa.String(length=7), nullable=True),
    sa.Column('v_ph', sa.Float(), nullable=True),
    sa.Column('f_ph', sa.String(length=7), nullable=True),
    sa.Column('v_do', sa.Float(), nullable=True),
    sa.Column('f_do', sa.String(length=7), nullable=True),
    sa.Column('v_conductivity', sa.Float(), nullable=True),
    sa.Column('f_conductivity', sa.String(length=7), nullable=True),
    sa.Column('v_turbidity', sa.Float(), nullable=True),
    sa.Column('f_turbidity', sa.String(length=7), nullable=True),
    sa.Column('v_codmn', sa.Float(), nullable=True),
    sa.Column('f_codmn', sa.String(length=7), nullable=True),
    sa.Column('v_nh3_n', sa.Float(), nullable=True),
    sa.Column('f_nh3_n', sa.String(length=7), nullable=True),
    sa.Column('v_tp', sa.Float(), nullable=True),
    sa.Column('f_tp', sa.String(length=7), nullable=True),
    sa.Column('v_tn', sa.Float(), nullable=True),
    sa.Column('f_tn', sa.String(length=7), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('station_id', 'observed_at', name='uq_station_readings_slot')
    )
    op.create_table('outfall_river_positions',
    sa.Column('outfall_id', sa.Integer(), nullable=False),
    sa.Column('river_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('river_km', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['outfall_id'], ['outfalls.id'], ),
    sa.PrimaryKeyConstraint('outfall_id')
    )
    with op.batch_alter_table('outfall_river_positions', schema=None) as batch_op:
        batch_op.create_index('ix_outfall_river_positions_km', ['river_code', 'river_km'], unique=False)

    op.create_table('station_episodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('worst_class', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('failing', sa.JSON(), nullable=False),
    sa.Column('notified', sa.Boolean(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('station_episodes', schema=None) as batch_op:
        batch_op.create_index('ix_station_episodes_started', ['started_at'], unique=False)
        batch_op.create_index('ix_station_episodes_station', ['station_id', 'started_at'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE TRIGGER stations_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stations
            FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for verb in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER stations_bump_{verb.lower()} AFTER {verb} ON stations
                BEGIN UPDATE data_version SET v = v + 1 WHERE id = 1; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stations_bump_version ON stations")
    else:
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS stations_bump_{verb}")
    with op.batch_alter_table('station_episodes', schema=None) as batch_op:
        batch_op.drop_index('ix_station_episodes_station')
        batch_op.drop_index('ix_station_episodes_started')

    op.drop_table('station_episodes')
    with op.batch_alter_table('outfall_river_positions', schema=None) as batch_op:
        batch_op.drop_index('ix_outfall_river_positions_km')

    op.drop_table('outfall_river_positions')
    op.drop_table('station_readings')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index('ix_stations_river_km')
        batch_op.drop_index(batch_op.f('ix_stations_district_code'))

    op.drop_table('stations')
