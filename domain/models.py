"""Domain records: plain, immutable dataclasses with no framework in them."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum

from .periods import BudgetPeriod

__all__ = [
    "AlertThresholds",
    "Budget",
    "BudgetPeriod",
    "BudgetMember",
    "BudgetType",
    "CategoryLimit",
    "MemberRole",
    "RolloverMode",
    "Transaction",
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

    @property
    def categories(self) -> dict[str, Decimal]:
        """The spec's view: category name → limit, in the order given."""
        return {c.name: c.amount for c in self.limits}

    @property
    def total_budgeted(self) -> Decimal:
        return sum((c.amount for c in self.limits), Decimal(0))

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


@dataclass(frozen=True)
class Transaction:
    """Spending (positive) or a refund (negative) in one category."""

    id: str
    user_id: str
    category: str
    amount: Decimal
    currency: str
    occurred_at: datetime  # naive, UTC: the budget calendar's time
    description: str
    external_id: str | None
    created_at: datetime

    @property
    def category_key(self) -> str:
        return category_key(self.category)
