"""goals: targets funded by a budget category

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:30:00
"""
from alembic import op
import sqlalchemy as sa

import persistence.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('goals',
    sa.Column('pk', SEQ, autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('target_amount', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('budget_id', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('starting_amount', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_goals')),
    sa.UniqueConstraint('id', name=op.f('uq_goals_id'))
    )
    op.create_index('ix_goals_user_pk', 'goals', ['user_id', 'pk'], unique=False)
    op.create_index('ix_goals_budget', 'goals', ['budget_id', 'pk'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_goals_budget', table_name='goals')
    op.drop_index('ix_goals_user_pk', table_name='goals')
    op.drop_table('goals')
