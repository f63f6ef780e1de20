"""sharing needs consent: budget invitations, members' acceptance times

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 22:30:00

Until now shareBudget made anyone a member at once, and a HOUSEHOLD budget counted all
of a member's spending, without asking them. From now on shareBudget sends an
invitation (budget_invitations) and only an accepted one makes a member, counted from
the moment of acceptance (accepted_at) unless they chose to share their history.

Existing memberships were created by owners under the old rule: they are carried over
as accepted at the time they were created (accepted_at = created_at), WITHOUT their
history (share_history false), so their spending before that moment no longer counts.
A member who never meant to share can leave the budget (leaveBudget).
"""
from alembic import op
import sqlalchemy as sa
import persistence.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('budget_members') as batch:
        batch.add_column(sa.Column('accepted_at', persistence.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('share_history', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE budget_members SET accepted_at = created_at")
    with op.batch_alter_table('budget_members') as batch:
        batch.alter_column('accepted_at', existing_type=persistence.types.UTCDateTime(), nullable=False)
    op.create_table('budget_invitations',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('budget_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('invited_by', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('share_history', sa.Boolean(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('responded_at', persistence.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['budget_pk'], ['budgets.pk'], name=op.f('fk_budget_invitations_budget_pk_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_budget_invitations')),
    sa.UniqueConstraint('id', name=op.f('uq_budget_invitations_id'))
    )
    op.create_index('ix_budget_invitations_user', 'budget_invitations', ['user_id', 'pk'])
    op.create_index('ix_budget_invitations_budget', 'budget_invitations', ['budget_pk', 'pk'])
    op.create_index('ix_budget_invitations_inviter', 'budget_invitations', ['invited_by', 'created_at'])


def downgrade() -> None:
    op.drop_table('budget_invitations')
    with op.batch_alter_table('budget_members') as batch:
        batch.drop_column('share_history')
        batch.drop_column('accepted_at')
