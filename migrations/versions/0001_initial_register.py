"""initial register: districts, rivers, users, outfalls

Revision ID: 0001
Revises:
Create Date: 2026-11-25 01:29:27.391727
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (AutoString columns)


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('districts',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('parent_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('rivers',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('parent_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['rivers.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('outfall_code_counters',
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], ),
    sa.PrimaryKeyConstraint('district_code')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_username'), ['username'], unique=True)

    op.create_table('outfalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('subtype', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('river_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('water_class', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('remediation', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('responsible_unit', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('signboard_installed', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], ),
    sa.ForeignKeyConstraint(['river_code'], ['rivers.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id'),
    sa.UniqueConstraint('code')
    )
    with op.batch_alter_table('outfalls', schema=None) as batch_op:
        batch_op.create_index('ix_outfalls_district_code', ['district_code'], unique=False)
        batch_op.create_index('ix_outfalls_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index('ix_outfalls_river_code', ['river_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outfalls', schema=None) as batch_op:
        batch_op.drop_index('ix_outfalls_river_code')
        batch_op.drop_index('ix_outfalls_lat_lon')
        batch_op.drop_index('ix_outfalls_district_code')

    op.drop_table('outfalls')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_username'))

    op.drop_table('users')
    op.drop_table('outfall_code_counters')
    op.drop_table('rivers')
    op.drop_table('districts')
