"""progress read paths: spending_daily by (user, day), and a monthly rollup

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:00:00

Progress sums each period of a budget. The primary key of spending_daily leads with
(user_id, category_key, currency), so a day range scanned every day of the user's
history: ix_spending_daily_user_day makes it a range (covering on PostgreSQL).
spending_monthly holds the same sums per calendar month, so whole months are read
as one row per category however many days and transactions they hold. It is filled
from spending_daily here, and kept in step by every write from now on.
"""
from alembic import op
import sqlalchemy as sa
import persistence.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_spending_daily_user_day', 'spending_daily', ['user_id', 'day'],
        postgresql_include=['category_key', 'currency', 'total', 'count'],
    )
    op.create_table('spending_monthly',
    sa.Column('user_id', sa.String(length=200), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('category_key', sa.String(length=100), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', persistence.types.Money(precision=24, scale=4), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'month', 'category_key', 'currency', name=op.f('pk_spending_monthly'))
    )
    month = "date_trunc('month', day)::date" if op.get_bind().dialect.name == "postgresql" else "date(day, 'start of month')"
    op.execute(
        "INSERT INTO spending_monthly (user_id, month, category_key, currency, total, count) "
        f"SELECT user_id, {month}, category_key, currency, sum(total), sum(count) FROM spending_daily "
        f"GROUP BY user_id, {month}, category_key, currency"
    )


def downgrade() -> None:
    op.drop_table('spending_monthly')
    op.drop_index('ix_spending_daily_user_day', table_name='spending_daily')
