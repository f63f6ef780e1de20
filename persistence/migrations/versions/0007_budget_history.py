"""Budget history: plans from a period on, period-only amounts, time zones, a change log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 07:30:00

* budget_categories rows belong to a plan (``from_period``): the categories and
  amounts in force from that period until the next plan. Existing rows form each
  budget's one plan, from period 0, so every figure stays what it was.
* budget_period_amounts: one category's amount for one period only.
* budgets.time_zone: the IANA zone its calendar is counted in (existing: UTC, as they
  were counted).
* transactions.occurred_on: the calendar day a transaction counts on (existing: the
  date of occurred_at, which is what the rollups were built from).
* budget_revisions: the change log, one row per recorded change (existing budgets
  start theirs with the next change).
"""
from alembic import op
import sqlalchemy as sa

import persistence.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('budgets') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False, server_default='UTC'))
    with op.batch_alter_table('budget_categories', recreate='always') as batch:
        batch.add_column(sa.Column('from_period', sa.Integer(), nullable=False, server_default='0'))
        batch.drop_constraint('uq_budget_categories_budget_key', type_='unique')
        batch.drop_constraint('pk_budget_categories', type_='primary')
        batch.create_primary_key('pk_budget_categories', ['budget_pk', 'from_period', 'position'])
        batch.create_unique_constraint('uq_budget_categories_budget_key', ['budget_pk', 'from_period', 'name_key'])
    with op.batch_alter_table('transactions') as batch:
        batch.add_column(sa.Column('occurred_on', sa.Date(), nullable=True))
    op.execute("UPDATE transactions SET occurred_on = CAST(occurred_at AS DATE)"
               if op.get_bind().dialect.name == 'postgresql'
               else "UPDATE transactions SET occurred_on = date(occurred_at)")
    with op.batch_alter_table('transactions') as batch:
        batch.alter_column('occurred_on', existing_type=sa.Date(), nullable=False)
    op.create_table('budget_period_amounts',
    sa.Column('budget_pk', SEQ, nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('amount', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['budget_pk'], ['budgets.pk'], name=op.f('fk_budget_period_amounts_budget_pk_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_pk', 'period', 'name_key', name=op.f('pk_budget_period_amounts'))
    )
    op.create_table('budget_revisions',
    sa.Column('pk', SEQ, autoincrement=True, nullable=False),
    sa.Column('budget_pk', SEQ, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=True),
    sa.Column('effective_period', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['budget_pk'], ['budgets.pk'], name=op.f('fk_budget_revisions_budget_pk_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_budget_revisions'))
    )
    op.create_index('ix_budget_revisions_budget_pk', 'budget_revisions', ['budget_pk', 'pk'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_budget_revisions_budget_pk', table_name='budget_revisions')
    op.drop_table('budget_revisions')
    op.drop_table('budget_period_amounts')
    with op.batch_alter_table('transactions') as batch:
        batch.drop_column('occurred_on')
    # Only the latest plan survives a downgrade (the schema before had one per budget).
    op.execute("DELETE FROM budget_categories WHERE from_period < "
               "(SELECT MAX(c2.from_period) FROM budget_categories c2 WHERE c2.budget_pk = budget_categories.budget_pk)")
    with op.batch_alter_table('budget_categories', recreate='always') as batch:
        batch.drop_constraint('uq_budget_categories_budget_key', type_='unique')
        batch.drop_constraint('pk_budget_categories', type_='primary')
        batch.drop_column('from_period')
        batch.create_primary_key('pk_budget_categories', ['budget_pk', 'position'])
        batch.create_unique_constraint('uq_budget_categories_budget_key', ['budget_pk', 'name_key'])
    with op.batch_alter_table('budgets') as batch:
        batch.drop_column('time_zone')
