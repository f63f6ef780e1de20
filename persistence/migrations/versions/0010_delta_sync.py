"""delta sync: the change feed, SQLite's clock, the pruned-through position, and
transactions' sync position

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 14:00:00

Nothing is backfilled: a client's first sync is a full one, which reads the current
state; transactions stored before have ``sync_pos`` 0, below every cursor.
"""
from alembic import op
import sqlalchemy as sa

import persistence.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_changes',
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('pos', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=100), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'pos', 'kind', 'entity_id', name=op.f('pk_sync_changes'))
    )
    op.create_index('ix_sync_changes_at', 'sync_changes', ['at'], unique=False)
    op.create_table('sync_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pos', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_clock'))
    )
    op.create_table('sync_pruned',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pos', sa.BigInteger(), nullable=False),
    sa.Column('at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_pruned'))
    )
    with op.batch_alter_table('transactions') as batch:
        batch.add_column(sa.Column('sync_pos', sa.BigInteger(), server_default='0', nullable=False))
    op.create_index('ix_transactions_user_sync', 'transactions', ['user_id', 'sync_pos'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_transactions_user_sync', table_name='transactions')
    with op.batch_alter_table('transactions') as batch:
        batch.drop_column('sync_pos')
    op.drop_table('sync_pruned')
    op.drop_table('sync_clock')
    op.drop_index('ix_sync_changes_at', table_name='sync_changes')
    op.drop_table('sync_changes')
