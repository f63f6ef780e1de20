"""Spending as people manage it: splits, income, uncategorized, rules, bank categories

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:30:00

* transactions: category may be NULL (uncategorized, or split: its parts are in
  transaction_splits); kind (expense | income), split, source_category (the bank's
  category), categorized_by (manual | rule | source_mapping; NULL: uncategorized),
  rule_id and version (raised by every update). Existing rows: expense, manual, version 1.
* transaction_splits: the parts of a split transaction.
* category_rules: users' rules.
"""
from alembic import op
import sqlalchemy as sa

import persistence.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('transactions') as batch:
        batch.alter_column('category', existing_type=sa.String(length=100), nullable=True)
        batch.alter_column('category_key', existing_type=sa.String(length=100), nullable=True)
        batch.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='expense'))
        batch.add_column(sa.Column('split', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('source_category', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('categorized_by', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('rule_id', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.execute("UPDATE transactions SET categorized_by = 'manual'")
    op.create_table('transaction_splits',
    sa.Column('transaction_pk', SEQ, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('category_key', sa.String(length=100), nullable=False),
    sa.Column('amount', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('memo', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['transaction_pk'], ['transactions.pk'], name=op.f('fk_transaction_splits_transaction_pk_transactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('transaction_pk', 'position', name=op.f('pk_transaction_splits'))
    )
    op.create_table('category_rules',
    sa.Column('pk', SEQ, autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('description_contains', sa.String(length=200), nullable=True),
    sa.Column('description_equals', sa.String(length=200), nullable=True),
    sa.Column('description_starts_with', sa.String(length=200), nullable=True),
    sa.Column('source_category', sa.String(length=200), nullable=True),
    sa.Column('amount_min', persistence.types.Money(precision=24, scale=4), nullable=True),
    sa.Column('amount_max', persistence.types.Money(precision=24, scale=4), nullable=True),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_category_rules')),
    sa.UniqueConstraint('id', name=op.f('uq_category_rules_id'))
    )
    op.create_index('ix_category_rules_user_pk', 'category_rules', ['user_id', 'pk'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_category_rules_user_pk', table_name='category_rules')
    op.drop_table('category_rules')
    op.drop_table('transaction_splits')
    # What the schema before cannot hold goes: income, split and uncategorized rows.
    op.execute("DELETE FROM transactions WHERE kind <> 'expense' OR split OR category IS NULL"
               if op.get_bind().dialect.name == 'postgresql'
               else "DELETE FROM transactions WHERE kind <> 'expense' OR split = 1 OR category IS NULL")
    with op.batch_alter_table('transactions') as batch:
        for column in ('version', 'rule_id', 'categorized_by', 'source_category', 'split', 'kind'):
            batch.drop_column(column)
        batch.alter_column('category_key', existing_type=sa.String(length=100), nullable=False)
        batch.alter_column('category', existing_type=sa.String(length=100), nullable=False)
