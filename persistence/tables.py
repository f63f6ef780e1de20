"""SQLAlchemy 2.0 typed models: the database schema. Migrations create it;
``create_all`` is never used outside tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,

    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import Money, UTCDateTime

# BIGINT on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
SeqInt = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Sequenced:
    """A table keyed by ``pk``, its rows' place in the table's own sequence: what foreign
    keys point at and keyset pages are ordered by. Declared once here, it stays each
    table's first column (``sort_order``)."""

    pk: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True, sort_order=-2)


class Entity(Sequenced):
    """A row the API names by its public ``id`` (unique) besides its internal ``pk``: the
    second column."""

    id: Mapped[str] = mapped_column(String(40), unique=True, sort_order=-1)


class BudgetRow(Entity, Base):
    __tablename__ = "budgets"

    user_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[datetime] = mapped_column(DateTime())
    end_date: Mapped[datetime] = mapped_column(DateTime())
    rollover_mode: Mapped[str] = mapped_column(String(10))
    warning_threshold: Mapped[Decimal] = mapped_column(Money())
    limit_threshold: Mapped[Decimal] = mapped_column(Money())
    overspending_threshold: Mapped[Decimal] = mapped_column(Money())
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    categories: Mapped[list["BudgetCategoryRow"]] = relationship(
        back_populates="budget",
        order_by="BudgetCategoryRow.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )
    # Loaded with the budget, batched like the categories: one more statement per page.
    members: Mapped[list["BudgetMemberRow"]] = relationship(
        order_by="[BudgetMemberRow.created_at, BudgetMemberRow.user_id]",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    __table_args__ = (Index("ix_budgets_user_pk", "user_id", "pk"),)


class BudgetCategoryRow(Base):
    """The categories of one plan of a budget: in force from period ``from_period``
    until the next plan's (the latest plan has the highest ``from_period``)."""

    __tablename__ = "budget_categories"

    budget_pk: Mapped[int] = mapped_column(ForeignKey("budgets.pk", ondelete="CASCADE"), primary_key=True)
    from_period: Mapped[int] = mapped_column(Integer, primary_key=True, default=0, server_default="0")
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money())
    since_period: Mapped[int] = mapped_column(Integer, default=0)

    budget: Mapped[BudgetRow] = relationship(back_populates="categories")

    __table_args__ = (
        UniqueConstraint("budget_pk", "from_period", "name_key", name="uq_budget_categories_budget_key"),
    )


class BudgetPeriodAmountRow(Base):
    """A category's amount for one period only (``setPeriodAmount``)."""

    __tablename__ = "budget_period_amounts"

    budget_pk: Mapped[int] = mapped_column(ForeignKey("budgets.pk", ondelete="CASCADE"), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money())


class BudgetRevisionRow(Sequenced, Base):
    """A budget's change log: one row per recorded change, written in its transaction."""

    __tablename__ = "budget_revisions"

    budget_pk: Mapped[int] = mapped_column(ForeignKey("budgets.pk", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    effective_period: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # [{"field": ..., "before": ..., "after": ...}] in order; values as text
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (Index("ix_budget_revisions_budget_pk", "budget_pk", "pk"),)


class BudgetMemberRow(Base):
    """Users who accepted an invitation to a budget (see ``BudgetInvitationRow``)."""

    __tablename__ = "budget_members"

    budget_pk: Mapped[int] = mapped_column(ForeignKey("budgets.pk", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # invited
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    share_history: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_budget_members_user", "user_id"),)


class BudgetInvitationRow(Entity, Base):
    """An invitation to a budget: nobody is a member until they accept one."""

    __tablename__ = "budget_invitations"

    budget_pk: Mapped[int] = mapped_column(ForeignKey("budgets.pk", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(200))  # the invitee
    role: Mapped[str] = mapped_column(String(10))
    invited_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    share_history: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        Index("ix_budget_invitations_user", "user_id", "pk"),
        Index("ix_budget_invitations_budget", "budget_pk", "pk"),
        Index("ix_budget_invitations_inviter", "invited_by", "created_at"),
    )


class TransactionRow(Entity, Base):
    __tablename__ = "transactions"

    user_id: Mapped[str] = mapped_column(String(200))
    # NULL: uncategorized, or split (its splits are in transaction_splits)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    category_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(DateTime())  # naive UTC: the moment
    occurred_on: Mapped[date] = mapped_column(Date())  # the calendar day it counts on
    description: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(10), default="expense", server_default="expense")
    split: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    categorized_by: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rule_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The position of the unit of work that last inserted or updated it (delta sync:
    # ``persistence/sync_log.py``); 0 for those stored before migration 0010.
    sync_pos: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("user_id", "external_id", name="uq_transactions_user_external"),
        Index("ix_transactions_user_cat_time", "user_id", "category_key", "occurred_at"),
        Index("ix_transactions_user_time", "user_id", "occurred_at", "pk"),
        Index("ix_transactions_user_sync", "user_id", "sync_pos"),
    )


class TransactionSplitRow(Base):
    """One part of a split transaction, counted in its own category."""

    __tablename__ = "transaction_splits"

    transaction_pk: Mapped[int] = mapped_column(ForeignKey("transactions.pk", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(100))
    category_key: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money())
    memo: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CategoryRuleRow(Entity, Base):
    """A user's category rule: its conditions, all of which must hold."""

    __tablename__ = "category_rules"

    user_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer)
    description_contains: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description_equals: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description_starts_with: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    amount_min: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    amount_max: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_category_rules_user_pk", "user_id", "pk"),)


class GoalRow(Entity, Base):
    """A goal, funded by one category of one budget."""

    __tablename__ = "goals"

    user_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    target_amount: Mapped[Decimal] = mapped_column(Money())
    target_date: Mapped[date] = mapped_column(Date())
    currency: Mapped[str] = mapped_column(String(3))
    budget_id: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(100))
    starting_amount: Mapped[Decimal] = mapped_column(Money())
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_goals_user_pk", "user_id", "pk"),
        Index("ix_goals_budget", "budget_id", "pk"),
    )


class SpendingVersionRow(Base):
    """A counter per user, raised by every write of their transactions in the same
    database transaction: progress computed from their spending at version v is still
    right while the counter reads v (the progress cache's key, in every process)."""

    __tablename__ = "spending_versions"

    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class SpendingDailyRow(Base):
    """Per-day spending rollup, maintained in the same database transaction as each
    write, so progress reads never scan the transaction history."""

    __tablename__ = "spending_daily"

    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    category_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    total: Mapped[Decimal] = mapped_column(Money())
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        # Progress sums a user's day ranges (periods): an index-only scan on PostgreSQL.
        Index(
            "ix_spending_daily_user_day", "user_id", "day",
            postgresql_include=["category_key", "currency", "total", "count"],
        ),
    )


class SpendingMonthlyRow(Base):
    """The same rollup per calendar month (``month`` is its first day): a period of
    whole months is read from here, so its cost does not grow with its days."""

    __tablename__ = "spending_monthly"

    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    month: Mapped[date] = mapped_column(Date(), primary_key=True)
    category_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    total: Mapped[Decimal] = mapped_column(Money())
    count: Mapped[int] = mapped_column(Integer)


class UserTemplateRow(Sequenced, Base):
    __tablename__ = "user_templates"

    user_id: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(20))
    # [{"name": ..., "group": ..., "weight": "..."}] in order; weights as strings (exact)
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_user_templates_user_key"),)


class AlertRow(Base):
    """The alert outbox: written in the same transaction as the write that caused it."""

    __tablename__ = "alerts"

    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    budget_id: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime] = mapped_column(DateTime())
    category_key: Mapped[str] = mapped_column(String(100))  # "" for the budget total
    alert_type: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("budget_id", "period_start", "category_key", "alert_type", name="uq_alerts_once"),
        Index("ix_alerts_user_seq", "user_id", "seq"),
        Index("ix_alerts_budget_seq", "budget_id", "seq"),
    )


class WebhookRow(Entity, Base):
    __tablename__ = "webhooks"

    user_id: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)  # None: inactive (restored)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDeliveryRow(Entity, Base):
    __tablename__ = "webhook_deliveries"

    webhook_id: Mapped[str] = mapped_column(String(40))
    alert_seq: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("webhook_id", "alert_seq", name="uq_webhook_deliveries_once"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )


class ServerSecretRow(Base):
    """Secrets every process of a deployment shares, generated once (migration 0003):
    ``cursor_key`` seals page cursors unless BUDGETQL_CURSOR_SECRET is set."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncChangeRow(Base):
    """Delta sync's feed, apart from transactions written (their ``sync_pos``): one row
    per user who must hear of a change (``user_id``: the audience, not the owner), at
    the position of the unit of work that made it. Kept for the sync retention, then
    pruned (``sync_pruned``)."""

    __tablename__ = "sync_changes"

    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    pos: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_sync_changes_at", "at"),)


class SyncClockRow(Base):
    """SQLite's sync positions: one row, raised once per writing unit of work (writers
    hold SQLite's write lock until COMMIT, so the counter's order is commit order).
    PostgreSQL uses the writing transaction's id instead and never touches it."""

    __tablename__ = "sync_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pos: Mapped[int] = mapped_column(BigInteger)


class SyncPrunedRow(Base):
    """One row: every sync change at or below ``pos`` may have been pruned, so a cursor
    that still needs one of them is CURSOR_EXPIRED."""

    __tablename__ = "sync_pruned"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pos: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
