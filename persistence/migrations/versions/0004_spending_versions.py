"""spending_versions: a per-user counter every write of transactions raises

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 22:45:00

Progress is cached per process, keyed by the budget's version and the spending version
of each user it counts; a write on any process raises the writer's counter in the same
transaction, so every process sees the change on its next read. Users with no row are
at version 0.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spending_versions',
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_spending_versions'))
    )


def downgrade() -> None:
    op.drop_table('spending_versions')
