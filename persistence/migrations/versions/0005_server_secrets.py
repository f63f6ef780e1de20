"""server_secrets: a cursor key every process of a deployment shares

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:00:00

Page cursors are sealed with a key (persistence/cursors.py). Unless
BUDGETQL_CURSOR_SECRET is set, the key is this random secret, generated here once, so
all processes on the database (serve --workers N, several hosts) use the same one.
Secrets are cursor-sealing material only: anyone who reads the database already sees
everything the cursors point into.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('server_secrets',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_server_secrets'))
    )
    op.bulk_insert(table, [{'name': 'cursor_key', 'value': secrets.token_urlsafe(48)}])


def downgrade() -> None:
    op.drop_table('server_secrets')
