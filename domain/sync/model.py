"""Delta sync's records: the kinds of synced things, a position in the change feed, a
cursor's state, and one page of changes.

A *position* is the writing database transaction's place in commit order as the
storage knows it (PostgreSQL: its transaction id; SQLite: a counter raised once per
writing unit of work). A reader only ever returns positions below its *horizon*, the
position below which every writing transaction has finished: see
``persistence/sync_repository.py`` for why that makes the feed gap-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

BUDGET = "budget"
TRANSACTION = "transaction"
ALERT = "alert"
TEMPLATE = "template"  # entity id: the template's key (a user's own templates only)
GOAL = "goal"
RULE = "rule"  # a category rule

# The order a full sync walks the kinds in (and the index a full-sync cursor keeps).
KINDS = (BUDGET, TRANSACTION, ALERT, TEMPLATE, GOAL, RULE)

RETENTION_MIN = timedelta(days=90)  # tombstones are kept at least this long
RETENTION_DEFAULT = timedelta(days=120)


@dataclass(frozen=True)
class Change:
    """One row of the feed: ``entity_id`` of ``kind`` changed (or went) for the reader at
    ``pos``. ``deleted`` is what the writer knew; the reader decides by the current state."""

    pos: int
    kind: str
    entity_id: str
    deleted: bool = False


@dataclass(frozen=True)
class Incremental:
    """Everything before (``pos``, ``kind``, ``entity_id``) has been delivered; ``kind`` and
    ``entity_id`` empty: everything before position ``pos``."""

    pos: int
    kind: str = ""
    entity_id: str = ""


@dataclass(frozen=True)
class Full:
    """A full sync under way: it started at horizon ``h0``, and has delivered the current
    things of ``KINDS[kind]`` up to ``after`` (a transaction's (sync position, id), the
    others' id; None: none of that kind yet). Once it is done it goes on from
    ``Incremental(h0)``: what changed while it ran comes again (applying it is idempotent)."""

    h0: int
    kind: int = 0
    after_pos: int = 0
    after: str | None = None


SyncCursor = Incremental | Full


@dataclass
class ChangeSet:
    """One page: the current state of what changed (upserts) and the ids of what is gone
    or no longer visible to the user (deletions), in feed order, each at most once."""

    cursor: str
    has_more: bool
    budgets: list[Any] = field(default_factory=list)
    deleted_budget_ids: list[str] = field(default_factory=list)
    transactions: list[Any] = field(default_factory=list)
    deleted_transaction_ids: list[str] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)
    deleted_alert_ids: list[str] = field(default_factory=list)
    templates: list[Any] = field(default_factory=list)
    deleted_template_keys: list[str] = field(default_factory=list)
    goals: list[Any] = field(default_factory=list)  # GoalProgress: a goal with its figures
    deleted_goal_ids: list[str] = field(default_factory=list)
    category_rules: list[Any] = field(default_factory=list)
    deleted_category_rule_ids: list[str] = field(default_factory=list)
