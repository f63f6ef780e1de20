"""Use cases for spending: record and delete transactions, list them, and compute
progress for many (budget, period) pairs with one read of the spending rollup."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from domain.alerts import raising as alerting
from domain.goals import service as goal_alerts
from domain import periods
from domain import validation as v
from domain.progress import cache as progress_cache
from domain.spending import rules as transactions
from domain.access import Actor, owns, require_user
from domain.errors import conflict, not_found, validation
from domain.models import Budget, CategorizedBy, Transaction, TransactionKind, category_key, naive, utcnow
from domain.spending.category_rules import RuleSet, categorize
from domain.spending.rules import UPDATABLE
from domain.ports import Page, UnitOfWorkFactory
from domain.service import Service
from domain.progress.batch import ProgressKey, progress_in, seen_from
from domain.progress.rules import BudgetProgress
from domain.paging import page_size

PERIODS_MAX = 120
APPLY_BATCH = 500  # transactions re-categorized per database transaction


class SpendingService(Service):
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime] = utcnow):
        super().__init__(uow, clock)
        self.cache = progress_cache.ProgressCache()

    def now(self) -> datetime:
        return naive(self.clock())

    # -- transactions ------------------------------------------------------------
    async def record(self, actor: Actor, data: transactions.TransactionInput) -> tuple[Transaction, bool]:
        """Store one transaction; ``(stored, created)``: ``created`` is False when the
        same externalId was already recorded for the user (nothing is counted twice)."""
        return (await self._write([transactions.build(actor, data, self.clock())]))[0]

    async def record_many(
        self, actor: Actor, items: Sequence[transactions.TransactionInput]
    ) -> list[tuple[Transaction, bool]]:
        """All or nothing: any invalid item rejects the whole batch."""
        return await self._write(transactions.build_batch(actor, list(items), self.clock()))

    async def restore(self, items: Sequence[Transaction]) -> int:
        """Store transactions as they were exported, ids and all, like any write (the
        rollup and alerts follow). One whose id is stored already, or whose externalId
        the user has recorded, is skipped. How many were stored."""
        if len(items) > transactions.BATCH_MAX:
            raise validation(f"A batch holds at most {transactions.BATCH_MAX} transactions (got {len(items)})")
        stored = await self._write(list(items), skip_stored_ids=True)
        return sum(1 for _, created in stored if created)

    async def _write(self, built: list[Transaction], *, skip_stored_ids: bool = False) -> list[tuple[Transaction, bool]]:
        async with self.uow(write=True) as uow:
            if skip_stored_ids:
                known = await uow.spending.stored_ids([t.id for t in built])
                built = [t for t in built if t.id not in known]
            else:
                built = await self._categorized(uow, built)
            stored = await uow.spending.insert(built)
            await self._alerts(uow, [t for t, created in stored if created])
            return stored

    async def _alerts(self, uow, written: list[Transaction]) -> None:
        """Budget alerts, then goal alerts, for these writes (in the writer's transaction),
        from one locked read of the budgets counting them."""
        now = self.clock()
        budgets = await alerting.counting_budgets(uow, written)
        await alerting.after_spending(uow, written, now, budgets)
        await goal_alerts.after_spending(uow, written, now, budgets)

    async def _categorized(self, uow, built: list[Transaction]) -> list[Transaction]:
        """Those without a category through their owner's rules, then the bank mapping."""
        pending = [t for t in built if t.categorized_by is not CategorizedBy.MANUAL]
        if not pending:
            return built
        found = await uow.rules.for_users(sorted({t.user_id for t in pending}))
        rulesets = {user: RuleSet(rules) for user, rules in found.items()}
        return [categorize(t, rulesets.get(t.user_id)) for t in built]

    async def update(
        self, actor: Actor, transaction_id: str, changes: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Transaction:
        """Change a transaction (its owner): the spending moves between categories and
        periods in the same database transaction, and alerts are evaluated where it now
        counts. Fields not in ``changes`` stay; ``category: None`` uncategorizes it (its
        owner's rules then apply), as does changing what a rule or the bank mapping
        categorized it by."""
        v.changes(changes, UPDATABLE)
        async with self.uow(write=True) as uow:
            current = await uow.spending.get_for_update(transaction_id)
            if current is None or not owns(actor, current.user_id):
                raise not_found(f"Transaction with ID {transaction_id} not found", "id")
            if expected_version is not None and expected_version != current.version:
                raise conflict(
                    f"Transaction {transaction_id} was changed by someone else (version {current.version}, "
                    f"expected {expected_version}): reload it and retry",
                    "expectedVersion",
                )
            updated = transactions.updated(current, changes, self.clock())
            updated = (await self._categorized(uow, [updated]))[0]
            if not await uow.spending.update(current, updated):
                raise conflict(f"Transaction {transaction_id} was changed concurrently: reload it and retry")
            await self._alerts(uow, [current, updated])
            return updated

    async def apply_rules(
        self,
        actor: Actor,
        user_id: str | None,
        start: datetime | None = None,
        end: datetime | None = None,
        only_uncategorized: bool = True,
    ) -> int:
        """Re-categorize the user's stored transactions (``occurredAt`` in [start, end))
        by their rules and the bank mapping, in batches, each its own database
        transaction with its rollups and alerts. Transactions categorized by hand (or
        split) are never touched; ``only_uncategorized: False`` also re-applies to those a
        rule or the mapping categorized. How many changed."""
        user = require_user(actor, user_id, "userId")
        start, end = transactions.time_range(start, end)
        changed = 0
        after = None
        while True:
            async with self.uow(write=True) as uow:
                page = await uow.spending.page(
                    user, None, start, end, APPLY_BATCH, after, uncategorized=True if only_uncategorized else None
                )
                rules = RuleSet((await uow.rules.for_users([user]))[user])
                moved: list[Transaction] = []
                for _, t in page.items:
                    if t.categorized_by is CategorizedBy.MANUAL:
                        continue
                    again = categorize(t, rules)
                    if (again.category, again.categorized_by, again.rule_id) == (t.category, t.categorized_by, t.rule_id):
                        continue
                    again = dataclasses.replace(again, version=t.version + 1)
                    if await uow.spending.update(t, again):
                        moved.extend((t, again))
                        changed += 1
                await self._alerts(uow, moved)
            if not page.has_next:
                return changed
            after = page.end_cursor

    async def delete(self, actor: Actor, transaction_id: str) -> Transaction:
        async with self.uow(write=True) as uow:
            found = await uow.spending.get(transaction_id)
            if found is None or not owns(actor, found.user_id):
                raise not_found(f"Transaction with ID {transaction_id} not found", "id")
            removed = await uow.spending.delete(transaction_id)
            if removed is None:  # deleted concurrently
                raise not_found(f"Transaction with ID {transaction_id} not found", "id")
            await self._alerts(uow, [removed])
        return removed

    async def get(self, actor: Actor, transaction_id: str) -> Transaction | None:
        async with self.uow() as uow:
            found = await uow.spending.get(transaction_id)
        return found if found is not None and owns(actor, found.user_id) else None

    async def find_many(self, actor: Actor, transaction_ids: Sequence[str]) -> dict[str, Transaction]:
        """Those of the caller's transactions among ``transaction_ids``, by id (one read):
        another user's is absent, as a missing one is."""
        async with self.uow() as uow:
            found = await uow.spending.get_many(transaction_ids)
        return {i: t for i, t in found.items() if owns(actor, t.user_id)}

    async def list(
        self,
        actor: Actor,
        user_id: str | None,
        category: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        first: int = 50,
        after: str | None = None,
        kind: TransactionKind | str | None = None,
        uncategorized: bool | None = None,
    ) -> Page[Transaction]:
        user = require_user(actor, user_id, "userId")
        page_size(first)
        start, end = transactions.time_range(start, end)
        key = category_key(transactions.category_name(category, "category")) if category else None
        which = transactions.kind_of(kind, "kind") if kind is not None else None
        async with self.uow() as uow:
            return await uow.spending.page(user, key, start, end, first, after, which, uncategorized)

    # -- progress ------------------------------------------------------------------
    def period_at(self, budget: Budget, at: datetime | None) -> int:
        """The index of the period containing ``at`` (default now) on the budget's wall
        clock (an aware ``at`` is converted to its time zone, a naive one is read as its
        wall-clock time); ``at`` must be in the years 1900–2999."""
        if at is not None:
            v.moment(at, "at", label="at")
        local = seen_from(budget, at, self.clock())
        return periods.index_at(periods.anchor_of(budget.start_date), budget.period, local)

    def period_of(self, budget: Budget, at: datetime | None = None, period: int | None = None) -> int:
        """Period index ``period`` if given (VALIDATION unless it starts in the years
        1900–2999), else the one containing ``at``."""
        if period is not None:
            return v.period_index(periods.anchor_of(budget.start_date), budget.period, period, "period")
        return self.period_at(budget, at)

    async def progress_many(self, keys: Sequence[ProgressKey]) -> list[BudgetProgress]:
        """Figures of each (budget, period, as of), from the process's cache where their
        inputs are unchanged (see :mod:`domain.progress_cache`), the others from one read."""
        now = self.clock()
        async with self.uow() as uow:
            versions = await uow.spending.versions(sorted({u for b, _, _ in keys for u in b.spender_ids}))
            cache_keys = [
                progress_cache.key_of(b, k, seen_from(b, at, now).date(), versions)
                for b, k, at in keys
            ]
            found = [self.cache.get(ck) for ck in cache_keys]
            missing = [i for i, p in enumerate(found) if p is None]
            if missing:
                computed = await progress_in(uow, [keys[i] for i in missing], now)
                for i, p in zip(missing, computed):
                    found[i] = p
                    self.cache.put(cache_keys[i], p)
        return found

    def history(self, budget: Budget, last: int) -> list[int]:
        """Indexes of the current period and those before it (from period 0 on),
        newest first, at most ``last`` of them."""
        if not isinstance(last, int) or not 1 <= last <= PERIODS_MAX:
            raise validation(f"last must be between 1 and {PERIODS_MAX}", "last")
        current = self.period_at(budget, None)
        first = max(0, current - last + 1) if current >= 0 else current
        return list(range(current, first - 1, -1))
