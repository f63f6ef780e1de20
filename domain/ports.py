"""What the domain needs from storage, as protocols. ``persistence`` implements them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Generic, Protocol, Sequence, TypeVar

from domain.models import Budget, BudgetMember, BudgetRevision, BudgetType, MemberRole, Transaction, TransactionKind

if TYPE_CHECKING:  # the areas' records, named in signatures only: the areas import the ports
    from domain.alerts.rules import AlertEvent
    from domain.sharing.rules import Invitation, InvitationStatus
    from domain.goals.model import Goal
    from domain.spending.category_rules import CategoryRule
    from domain.sync.model import Change, Incremental, SyncCursor
    from domain.templates.model import Template
    from domain.webhooks.model import Delivery, Webhook

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first; each item with its opaque cursor."""

    items: list[tuple[str, T]]
    has_next: bool
    total_count: int
    end_cursor: str | None = field(default=None)


class BudgetRepository(Protocol):
    """Budgets come with their members (``Budget.members``), loaded in the same batched way
    as their categories: a page of budgets costs the same statements whatever its size."""

    async def add(self, budget: Budget) -> None: ...

    async def get(self, budget_id: str, *, for_update: bool = False) -> Budget | None: ...

    async def get_many(self, budget_ids: Sequence[str]) -> dict[str, Budget]: ...

    async def counting_spending_of(self, user_ids: Sequence[str], *, for_update: bool = False) -> list[Budget]:
        """Budgets whose spending these users' transactions count in: their own, and
        HOUSEHOLD budgets they are members of (``Budget.spender_ids``)."""
        ...

    async def page_for_user(
        self, user_id: str, type: BudgetType | None, first: int, after: str | None, shared: bool | None = None
    ) -> Page[Budget]:
        """The user's own budgets and those shared with them (``shared``: None both,
        False own only, True shared only), newest first."""
        ...

    async def add_member(self, budget_id: str, member: BudgetMember) -> Budget:
        """Add a member (who accepted an invitation); the budget as it is now."""
        ...

    async def set_role(self, budget_id: str, user_id: str, role: MemberRole) -> Budget | None:
        """Change a member's role; the budget as it is now, or None if they are not one."""
        ...

    async def remove_member(self, budget_id: str, user_id: str) -> Budget | None:
        """The budget without that member, or None if they were not one."""
        ...

    async def save(self, budget: Budget, *, expected_version: int) -> bool:
        """Write ``budget`` if the stored version is ``expected_version``; False if stale."""
        ...

    async def delete(self, budget_id: str) -> bool: ...

    async def add_revision(self, revision: BudgetRevision) -> None:
        """Record a change in the budget's change log (the caller's transaction)."""
        ...

    async def revisions(self, budget_id: str, first: int, after: str | None) -> Page[BudgetRevision]:
        """Its change log, newest first."""
        ...

    async def all_revisions(self, budget_id: str) -> list[BudgetRevision]:
        """Its whole change log, oldest first."""
        ...


class TemplateRepository(Protocol):
    """Users' own templates (the built-ins are code, not rows)."""

    async def add(self, template: Template) -> bool:
        """Store ``template``; False if its owner already has one with that key."""
        ...

    async def get(self, user_id: str, key: str) -> Template | None: ...

    async def list_for_user(self, user_id: str) -> list[Template]:
        """Oldest first."""
        ...

    async def delete(self, user_id: str, key: str) -> bool: ...


class InvitationRepository(Protocol):
    """Budget invitations; a PENDING one past ``expires_at`` reads as EXPIRED."""

    async def add(self, invitation: Invitation) -> None: ...

    async def get(self, invitation_id: str, *, for_update: bool = False) -> Invitation | None: ...

    async def open_for(self, budget_id: str, user_id: str, now: datetime) -> Invitation | None: ...

    async def count_open(self, budget_id: str, now: datetime) -> int: ...

    async def count_sent_since(self, inviter: str, since: datetime) -> int: ...

    async def respond(
        self, invitation_id: str, status: InvitationStatus, at: datetime, *, share_history: bool = False
    ) -> None: ...

    async def set_role(self, invitation_id: str, role: MemberRole) -> None: ...

    async def for_user(
        self, user_id: str, status: InvitationStatus | None, now: datetime, limit: int
    ) -> list[Invitation]:
        """Received by ``user_id``, newest first."""
        ...

    async def for_budgets(
        self, budget_ids: Sequence[str], status: InvitationStatus | None, now: datetime, limit: int | None
    ) -> dict[str, list[Invitation]]:
        """Each budget's, newest first."""
        ...

    async def stored_ids(self, invitation_ids: Sequence[str]) -> set[str]: ...


class UnitOfWork(Protocol):
    """One database transaction. ``async with`` commits on success, rolls back on error."""

    budgets: BudgetRepository
    spending: "SpendingRepository"
    alerts: "AlertRepository"
    templates: TemplateRepository
    webhooks: "WebhookRepository"
    invitations: InvitationRepository
    rules: "RuleRepository"
    goals: "GoalRepository"
    sync: "SyncRepository"

    async def __aenter__(self) -> "UnitOfWork": ...

    async def __aexit__(self, *exc) -> None: ...

    async def commit(self) -> None: ...


class SyncRepository(Protocol):
    """Delta sync's feed (the writes log themselves: ``persistence/sync_log.py``)."""

    async def horizon(self) -> int:
        """Every position below it has committed; nothing committing later falls below it."""
        ...

    async def pruned_through(self) -> int:
        """Changes at or below this position may have been pruned."""
        ...

    async def changes(self, user_id: str, after: "Incremental", horizon: int, limit: int) -> list["Change"]:
        """The user's feed after ``after``, below ``horizon``, in (position, kind, id) order."""
        ...

    async def current(self, user_id: str, kind: str, after_pos: int, after: str | None, limit: int) -> list[tuple[int, str]]:
        """A full sync's walk of the things of ``kind`` the user has now."""
        ...

    async def seal(self, user_id: str, cursor: "SyncCursor") -> str: ...

    async def open(self, user_id: str, sealed: str) -> "SyncCursor":
        """VALIDATION for anything but a cursor sealed for this user."""
        ...

    async def prune(self, before: datetime, now: datetime) -> int: ...


class RuleRepository(Protocol):
    """Users' category rules."""

    async def add(self, rule: "CategoryRule") -> "CategoryRule": ...

    async def get(self, rule_id: str) -> "CategoryRule | None": ...

    async def save(self, rule: "CategoryRule") -> None: ...

    async def delete(self, rule_id: str) -> bool: ...

    async def for_users(self, user_ids: Sequence[str]) -> dict[str, list["CategoryRule"]]:
        """Each user's rules, oldest first."""
        ...

    async def count_for_user(self, user_id: str) -> int: ...


class GoalRepository(Protocol):
    async def add(self, goal: "Goal") -> None: ...

    async def get(self, goal_id: str) -> "Goal | None": ...

    async def save(self, goal: "Goal") -> None: ...

    async def delete(self, goal_id: str) -> bool: ...

    async def for_user(self, user_id: str) -> list["Goal"]: ...

    async def for_budgets(self, budget_ids: Sequence[str]) -> dict[str, list["Goal"]]: ...

    async def delete_for_budget(self, budget_id: str) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = False) -> UnitOfWork: ...


@dataclass(frozen=True)
class SpendingWindow:
    """One user's spending in some categories over the days ``[start, end)`` (a period).
    ``since``, when given, is a moment on the day ``start``: that day counts only what
    occurred from then on (a member counted from the moment they accepted)."""

    user_id: str
    category_keys: frozenset[str]
    start: date
    end: date
    since: datetime | None = None


@dataclass(frozen=True)
class WindowSum:
    """What one user spent over ``[start, end)`` in one category and currency."""

    user_id: str
    start: date
    end: date
    since: datetime | None
    category_key: str
    currency: str
    total: Decimal
    count: int


class SpendingRepository(Protocol):
    async def insert(self, transactions: Sequence[Transaction]) -> list[tuple[Transaction, bool]]:
        """Store transactions and roll them up; one already stored under the same
        (user, externalId) is returned instead, with ``False`` (nothing counted twice)."""
        ...

    async def get(self, transaction_id: str) -> Transaction | None: ...

    async def get_many(self, transaction_ids: Sequence[str]) -> dict[str, Transaction]:
        """Those of ``transaction_ids`` that are stored, by id (one statement)."""
        ...

    async def stored_ids(self, transaction_ids: Sequence[str]) -> set[str]:
        """Those of ``transaction_ids`` that are stored."""
        ...

    async def delete(self, transaction_id: str) -> Transaction | None:
        """Remove a transaction and take it out of the rollup; the removed one, or None."""
        ...

    async def page(
        self,
        user_id: str,
        category_key: str | None,
        start: datetime | None,
        end: datetime | None,
        first: int,
        after: str | None,
        kind: TransactionKind | None = None,
        uncategorized: bool | None = None,
    ) -> Page[Transaction]:
        """The user's transactions, newest first, keyset-paged: of one category (its
        splits included), of one kind, or only those without a category."""
        ...

    async def versions(self, user_ids: Sequence[str]) -> dict[str, int]:
        """Each user's spending version: raised by every write of their transactions."""
        ...

    async def daily_totals(self, user_id: str, start: date, end: date, currency: str) -> list[tuple[date, str, Decimal]]:
        """(day, kind, total) of a user's transactions in one currency over [start, end)."""
        ...

    async def window_sums(self, windows: Sequence[SpendingWindow]) -> list[WindowSum]:
        """Sums per window, category and currency for every window, in one round trip:
        rows grow with windows and categories, not with the number of transactions."""
        ...


class AlertRepository(Protocol):
    """The alert outbox."""

    async def add(self, events: Sequence[AlertEvent]) -> list[AlertEvent]:
        """Store the events not stored before (unique per budget, period, category and
        type) and announce them when the transaction commits; the new ones, with seq."""
        ...

    async def get(self, alert_id: str) -> AlertEvent | None: ...

    async def get_many(self, alert_ids: Sequence[str]) -> dict[str, AlertEvent]:
        """Those of ``alert_ids`` that are stored, by id (one statement)."""
        ...

    async def delete_for_budget(self, budget_id: str) -> None:
        """Delete a (deleted) budget's alerts, and their webhook deliveries not yet sent
        (those already sent or failed stay in the delivery log)."""
        ...

    async def acknowledge(self, alert_id: str, at: datetime) -> AlertEvent | None: ...

    async def by_seqs(self, seqs: Sequence[int]) -> list[AlertEvent]:
        """With ``audience`` loaded: who receives each (the budget's members now)."""
        ...

    async def after(self, seq: int, user_id: str, budget_id: str | None, limit: int) -> list[AlertEvent]:
        """Alerts the user may read (see ``page``) raised after ``seq``, oldest first."""
        ...

    async def raised_since(self, moment: datetime) -> list[AlertEvent]:
        """With ``audience`` loaded, as ``by_seqs``."""
        ...

    async def page(
        self, user_id: str, budget_id: str | None, unacknowledged_only: bool, first: int, after: str | None
    ) -> Page[AlertEvent]:
        """Alerts the user may read, newest first: those of their own budgets and of
        budgets shared with them."""
        ...


class WebhookRepository(Protocol):
    """Webhooks and their delivery log (the worker's claiming lives with the worker)."""

    async def add(self, webhook: Webhook) -> None: ...

    async def count_for_user(self, user_id: str) -> int:
        """How many webhooks the user has; serializes concurrent registrations of one user."""
        ...

    async def list_for_user(self, user_id: str) -> list[Webhook]:
        """Oldest first."""
        ...

    async def get(self, webhook_id: str) -> Webhook | None: ...

    async def get_many(self, webhook_ids: Sequence[str]) -> dict[str, Webhook]:
        """Those of ``webhook_ids`` that are stored, by id (one statement)."""
        ...

    async def for_users(self, user_ids: Sequence[str]) -> list[Webhook]:
        """The users' webhooks, locked against deletion until the transaction ends."""
        ...

    async def delete(self, webhook_id: str) -> bool:
        """Remove a webhook and its deliveries (pending ones are never sent)."""
        ...

    async def add_deliveries(self, deliveries: Sequence[Delivery]) -> None: ...

    async def deliveries(self, webhook_id: str, first: int, after: str | None) -> Page[Delivery]:
        """The webhook's delivery log, newest alert first."""
        ...
