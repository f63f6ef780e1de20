"""Domain records: plain, immutable dataclasses with no framework in them."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from bisect import bisect_right
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from functools import cached_property, lru_cache

from .periods import BudgetPeriod

__all__ = [
    "AlertThresholds",
    "Budget",
    "BudgetPeriod",
    "BudgetMember",
    "BudgetRevision",
    "CategoryPlan",
    "FieldChange",
    "PeriodAmount",
    "BudgetType",
    "CategoryLimit",
    "MemberRole",
    "RolloverMode",
    "CategorizedBy",
    "Split",
    "Transaction",
    "TransactionKind",
    "category_key",
    "new_id",
    "utcnow",
]


class BudgetType(str, Enum):
    PERSONAL = "personal"
    HOUSEHOLD = "household"
    BUSINESS = "business"
    PROJECT = "project"
    CUSTOM = "custom"


class RolloverMode(str, Enum):
    NONE = "none"  # every period starts from its limit
    UNUSED = "unused"  # unused amount carries forward; overspending is forgiven
    FULL = "full"  # unused amount and overspending both carry (envelope / YNAB)


class MemberRole(str, Enum):
    """What a user a budget is shared with may do (the owner may do everything)."""

    VIEWER = "viewer"  # read the budget, its progress and its alerts
    EDITOR = "editor"  # ... and update it


@dataclass(frozen=True)
class BudgetMember:
    """A user who accepted an invitation to a budget (see ``domain.sharing``)."""

    user_id: str
    role: MemberRole
    created_at: datetime  # when they were invited
    accepted_at: datetime  # when they accepted: their consent
    share_history: bool = False  # counted from before ``accepted_at`` too, as they chose

    @property
    def counts_from(self) -> datetime | None:
        """The first moment (naive UTC, the calendar of ``Transaction.occurred_at``) of
        their spending a HOUSEHOLD budget counts; None: all of it."""
        return None if self.share_history else naive(self.accepted_at)


@dataclass(frozen=True)
class AlertThresholds:
    warning: Decimal = Decimal("0.80")
    limit_reached: Decimal = Decimal("1.00")
    overspending: Decimal = Decimal("1.10")


@dataclass(frozen=True)
class CategoryLimit:
    name: str
    amount: Decimal
    since_period: int = 0  # the first period this category is counted in (for rollover)
    # How transactions match it (see category_key): read for every category of every
    # progress figure, so computed once.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", category_key(self.name))


@dataclass(frozen=True)
class CategoryPlan:
    """The categories and amounts in force from period ``from_period`` on (until the
    next plan): a budget's past keeps the plans it had."""

    from_period: int
    limits: tuple[CategoryLimit, ...]


@dataclass(frozen=True)
class PeriodAmount:
    """One category's amount for one period only (assigned money, as in YNAB/Actual)."""

    period: int
    category: str
    amount: Decimal
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", category_key(self.category))


@dataclass(frozen=True)
class FieldChange:
    """One field of a budget before and after a change, as text (None: not set)."""

    field: str  # ``name``, ``thresholds.warning``, ``categories.Groceries.amount``, …
    before: str | None
    after: str | None


@dataclass(frozen=True)
class BudgetRevision:
    """One recorded change of a budget (its creation included)."""

    budget_id: str
    version: int
    changed_at: datetime
    changed_by: str | None  # None: the trusted local caller or a restore
    effective_period: int | None
    changes: tuple[FieldChange, ...]


@lru_cache(maxsize=16_384)  # pure; every budget read and every transaction asks it of the same few names
def category_key(name: str) -> str:
    """How categories match: trimmed, NFC-normalised and case-folded, so "Café" typed
    composed or decomposed, and "CAFÉ", are one category."""
    name = name.strip()
    return (name if name.isascii() else unicodedata.normalize("NFC", name)).casefold()


@dataclass(frozen=True)
class Budget:
    id: str
    user_id: str
    name: str
    type: BudgetType
    period: BudgetPeriod
    currency: str
    limits: tuple[CategoryLimit, ...]
    start_date: datetime
    end_date: datetime
    rollover_mode: RolloverMode
    created_at: datetime
    updated_at: datetime
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)
    version: int = 1
    members: tuple[BudgetMember, ...] = ()  # users it is shared with, oldest first; not the owner
    time_zone: str = "UTC"  # IANA name: the calendar its days are counted on
    # ``limits`` is the latest plan, in force from period ``limits_from`` on; ``earlier``
    # the plans before it (oldest first), each until the next one starts.
    limits_from: int = 0
    earlier: tuple[CategoryPlan, ...] = ()
    overrides: tuple[PeriodAmount, ...] = ()  # period-only amounts, by (period, category)

    @property
    def categories(self) -> dict[str, Decimal]:
        """The spec's view: category name → limit of the latest plan, in the order given."""
        return {c.name: c.amount for c in self.limits}

    @property
    def total_budgeted(self) -> Decimal:
        return sum((c.amount for c in self.limits), Decimal(0))

    @property
    def plans(self) -> tuple[CategoryPlan, ...]:
        """Every plan, oldest first, the latest (``limits``) last."""
        return (*self.earlier, CategoryPlan(self.limits_from, self.limits))

    @property
    def has_history(self) -> bool:
        """Do its amounts differ between periods (plans or period-only amounts)?"""
        return bool(self.earlier or self.overrides)

    def plan_at(self, k: int) -> tuple[CategoryLimit, ...]:
        """The categories in force in period ``k`` with their plan's amounts (the first
        plan's before it starts)."""
        if k >= self.limits_from or not self.earlier:
            return self.limits
        starts = self._plan_starts
        i = bisect_right(starts, k) - 1
        return self.earlier[max(i, 0)].limits

    def limits_at(self, k: int) -> tuple[CategoryLimit, ...]:
        """The categories of period ``k`` with that period's own amounts: its plan's, or
        the period-only amount where one is set."""
        limits = self.plan_at(k)
        if not self.overrides:
            return limits
        own = self._overrides.get(k)
        if not own:
            return limits
        return tuple(
            CategoryLimit(c.name, own[c.key], c.since_period) if c.key in own else c for c in limits
        )

    def amount_at(self, key: str, k: int) -> Decimal | None:
        """Category ``key``'s own amount in period ``k`` (None: not a category then)."""
        if self.overrides:
            own = self._overrides.get(k)
            if own and key in own:
                return own[key]
        for c in self.plan_at(k):
            if c.key == key:
                return c.amount
        return None

    def override_at(self, k: int, key: str) -> PeriodAmount | None:
        return next((o for o in self.overrides if o.period == k and o.key == key), None)

    @cached_property
    def all_keys(self) -> frozenset[str]:
        """The keys of every category of every plan."""
        return frozenset(c.key for plan in self.plans for c in plan.limits)

    @cached_property
    def _plan_starts(self) -> list[int]:
        return [p.from_period for p in self.earlier]

    @cached_property
    def _overrides(self) -> dict[int, dict[str, Decimal]]:
        by_period: dict[int, dict[str, Decimal]] = {}
        for o in self.overrides:
            by_period.setdefault(o.period, {})[o.key] = o.amount
        return by_period

    @property
    def rollover_enabled(self) -> bool:
        return self.rollover_mode is not RolloverMode.NONE

    @property
    def spender_ids(self) -> frozenset[str]:
        """Whose transactions it counts: its owner's, and a HOUSEHOLD budget's members' too."""
        if self.type is BudgetType.HOUSEHOLD:
            return frozenset({self.user_id, *(m.user_id for m in self.members)})
        return frozenset({self.user_id})

    def counts_from(self, user_id: str) -> datetime | None:
        """From when it counts ``user_id``'s spending (one of ``spender_ids``): the owner's
        all of it (None), a member's from their acceptance unless they shared their history."""
        for m in self.members:
            if m.user_id == user_id and user_id != self.user_id:
                return m.counts_from
        return None

    def member(self, user_id: str | None) -> BudgetMember | None:
        return next((m for m in self.members if m.user_id == user_id), None)


def new_id(prefix: str) -> str:
    """``prefix_`` followed by 16 random URL-safe characters (96 bits)."""
    return f"{prefix}_{secrets.token_urlsafe(12)}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def utc_text(moment: datetime) -> str:
    """A timestamp as ISO 8601 in UTC with a ``Z`` (``2025-11-15T09:30:00Z``)."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """An ISO 8601 date-time, a trailing ``Z`` read as UTC; ValueError otherwise."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def naive(moment: datetime) -> datetime:
    """A moment on the budgets' calendar: naive UTC."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


class TransactionKind(str, Enum):
    EXPENSE = "expense"  # spending (a negative amount is a refund)
    INCOME = "income"  # never counted as spending


class CategorizedBy(str, Enum):
    MANUAL = "manual"  # the caller gave the category (or the splits)
    RULE = "rule"  # one of the user's category rules (``Transaction.rule_id``)
    SOURCE_MAPPING = "source_mapping"  # the built-in mapping of the bank's category


@dataclass(frozen=True)
class Split:
    """Part of a transaction counted in its own category."""

    category: str
    amount: Decimal
    memo: str | None = None

    @property
    def key(self) -> str:
        return category_key(self.category)


@dataclass(frozen=True)
class Transaction:
    """Spending (positive) or a refund (negative) in one category, or split over several;
    or income; or not categorized yet (counted nowhere)."""

    id: str
    user_id: str
    category: str | None
    amount: Decimal
    currency: str
    occurred_at: datetime  # naive UTC: the moment
    description: str
    external_id: str | None
    created_at: datetime
    occurred_on: date | None = None  # the calendar day it counts on (None: occurred_at's)
    kind: TransactionKind = TransactionKind.EXPENSE
    splits: tuple[Split, ...] = ()  # when given, they sum to ``amount`` and ``category`` is None
    source_category: str | None = None  # the bank's category (Plaid's FOOD_AND_DRINK_GROCERIES)
    categorized_by: CategorizedBy | None = CategorizedBy.MANUAL  # None: uncategorized
    rule_id: str | None = None  # the rule that categorized it
    version: int = 1  # raised by every update

    def __post_init__(self) -> None:
        if self.occurred_on is None:
            object.__setattr__(self, "occurred_on", self.occurred_at.date())

    @property
    def category_key(self) -> str | None:
        return None if self.category is None else category_key(self.category)

    @property
    def parts(self) -> tuple[tuple[str, Decimal], ...]:
        """What it counts as spending: (category key, amount) per category; nothing for
        income or an uncategorized transaction."""
        if self.kind is TransactionKind.INCOME:
            return ()
        if self.splits:
            return tuple((s.key, s.amount) for s in self.splits)
        if self.category is None:
            return ()
        return ((category_key(self.category), self.amount),)
