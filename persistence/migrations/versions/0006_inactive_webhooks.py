"""webhooks.secret may be empty: a webhook restored from a backup is inactive

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 23:05:00

Backups never hold webhook secrets. A restored webhook has none (NULL) and receives
nothing until rotateWebhookSecret gives it one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhooks') as batch:
        batch.alter_column('secret', existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM webhooks WHERE secret IS NULL")
    with op.batch_alter_table('webhooks') as batch:
        batch.alter_column('secret', existing_type=sa.Text(), nullable=False)
