"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 17:17:22.515002
"""
from alembic import op
import sqlalchemy as sa
import persistence.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('alerts',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('budget_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('category_key', sa.String(length=100), nullable=False),
    sa.Column('alert_type', sa.String(length=30), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('acknowledged_at', persistence.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_alerts')),
    sa.UniqueConstraint('budget_id', 'period_start', 'category_key', 'alert_type', name='uq_alerts_once'),
    sa.UniqueConstraint('id', name=op.f('uq_alerts_id'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_budget_seq', ['budget_id', 'seq'], unique=False)
        batch_op.create_index('ix_alerts_user_seq', ['user_id', 'seq'], unique=False)

    op.create_table('budgets',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_date', sa.DateTime(), nullable=False),
    sa.Column('end_date', sa.DateTime(), nullable=False),
    sa.Column('rollover_mode', sa.String(length=10), nullable=False),
    sa.Column('warning_threshold', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('limit_threshold', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('overspending_threshold', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_budgets')),
    sa.UniqueConstraint('id', name=op.f('uq_budgets_id'))
    )
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.create_index('ix_budgets_user_pk', ['user_id', 'pk'], unique=False)

    op.create_table('spending_daily',
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('category_key', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('total', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'category_key', 'currency', 'day', name=op.f('pk_spending_daily'))
    )
    op.create_table('transactions',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('category_key', sa.String(length=100), nullable=False),
    sa.Column('amount', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_transactions')),
    sa.UniqueConstraint('id', name=op.f('uq_transactions_id')),
    sa.UniqueConstraint('user_id', 'external_id', name='uq_transactions_user_external')
    )
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.create_index('ix_transactions_user_cat_time', ['user_id', 'category_key', 'occurred_at'], unique=False)
        batch_op.create_index('ix_transactions_user_time', ['user_id', 'occurred_at', 'pk'], unique=False)

    op.create_table('user_templates',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_user_templates')),
    sa.UniqueConstraint('user_id', 'key', name='uq_user_templates_user_key')
    )
    op.create_table('webhook_deliveries',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('webhook_id', sa.String(length=40), nullable=False),
    sa.Column('alert_seq', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('id', name=op.f('uq_webhook_deliveries_id')),
    sa.UniqueConstraint('webhook_id', 'alert_seq', name='uq_webhook_deliveries_once')
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhooks',
    sa.Column('pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_webhooks')),
    sa.UniqueConstraint('id', name=op.f('uq_webhooks_id'))
    )
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhooks_user_id'), ['user_id'], unique=False)

    op.create_table('budget_categories',
    sa.Column('budget_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('amount', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('since_period', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_pk'], ['budgets.pk'], name=op.f('fk_budget_categories_budget_pk_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_pk', 'position', name=op.f('pk_budget_categories')),
    sa.UniqueConstraint('budget_pk', 'name_key', name='uq_budget_categories_budget_key')
    )
    op.create_table('budget_members',
    sa.Column('budget_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['budget_pk'], ['budgets.pk'], name=op.f('fk_budget_members_budget_pk_budgets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('budget_pk', 'user_id', name=op.f('pk_budget_members'))
    )
    with op.batch_alter_table('budget_members', schema=None) as batch_op:
        batch_op.create_index('ix_budget_members_user', ['user_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('budget_members', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_members_user')

    op.drop_table('budget_members')
    op.drop_table('budget_categories')
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhooks_user_id'))

    op.drop_table('webhooks')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_due')

    op.drop_table('webhook_deliveries')
    op.drop_table('user_templates')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_transactions_user_time')
        batch_op.drop_index('ix_transactions_user_cat_time')

    op.drop_table('transactions')
    op.drop_table('spending_daily')
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.drop_index('ix_budgets_user_pk')

    op.drop_table('budgets')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_user_seq')
        batch_op.drop_index('ix_alerts_budget_seq')

    op.drop_table('alerts')

