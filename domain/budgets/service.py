"""Use cases: what a client can do with budgets. Framework-free; storage via ports.

Every method takes the caller (:class:`domain.access.Actor`) first and applies the
rules of :mod:`domain.access` before touching anything.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Callable, Mapping, Sequence

from domain.alerts import raising as alerting
from domain import money
from domain import periods
from domain import validation as v
from domain.access import Actor, can_admin, can_edit, can_read, require_budget, require_user
from domain.errors import conflict, validation
from domain.models import (
    AlertThresholds,
    Budget,
    BudgetPeriod,
    BudgetType,
    CategoryLimit,
    RolloverMode,
    new_id,
    utcnow,
)
from domain.ports import Page, SpendingWindow, UnitOfWorkFactory
from domain.paging import PAGE_MAX, page_size

UPDATABLE = frozenset(
    {"name", "type", "period", "categories", "start_date", "rollover_enabled", "rollover_mode", "currency", "thresholds"}
)


def _rollover(mode: Any, enabled: Any, field_prefix: tuple[str, ...] = ()) -> RolloverMode | None:
    """``rolloverMode`` wins; ``rolloverEnabled: true`` means UNUSED, false NONE."""
    if mode is not None:
        return v.rollover_mode(mode, *field_prefix, "rolloverMode")
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise validation("rolloverEnabled must be true or false", *field_prefix, "rolloverEnabled")
        return RolloverMode.UNUSED if enabled else RolloverMode.NONE
    return None


def _changes_what_may_be_spent(before: Budget, after: Budget) -> bool:
    """Does the change move any figure alerts are raised on? Limits, thresholds, the
    calendar, rollover, currency, and whose spending counts (a type change to or from
    HOUSEHOLD with members)."""
    return (
        before.limits, before.thresholds, before.period, before.start_date, before.rollover_mode, before.currency,
        before.spender_ids,
    ) != (
        after.limits, after.thresholds, after.period, after.start_date, after.rollover_mode, after.currency,
        after.spender_ids,
    )


async def _has_counted_spending(uow, budget: Budget) -> bool:
    """Has any transaction been counted in the budget: one of its spenders', in one of its
    categories and its currency, from its first period on?"""
    keys = frozenset(c.key for c in budget.limits)
    start = periods.anchor_of(budget.start_date).date()
    end = date(v.YEAR_MAX + 1, 1, 1)
    windows = [SpendingWindow(user, keys, start, end) for user in sorted(budget.spender_ids)]
    sums = await uow.spending.window_sums(windows)
    return any(s.currency == budget.currency and s.count > 0 for s in sums)


class BudgetService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Callable[[], datetime] = utcnow):
        self.uow = uow
        self.clock = clock

    # -- reads -----------------------------------------------------------------
    async def find_budget(self, actor: Actor, budget_id: str) -> Budget | None:
        """The budget, or None when there is none or the caller may not read it."""
        async with self.uow() as uow:
            budget = await uow.budgets.get(budget_id)
        return budget if budget is not None and can_read(actor, budget) else None

    async def find_budgets(self, actor: Actor, budget_ids: Sequence[str]) -> dict[str, Budget]:
        """Those of the budgets the caller may read, by id (one read): as :meth:`find_budget`
        for each id, the others simply absent."""
        async with self.uow() as uow:
            found = await uow.budgets.get_many(list(dict.fromkeys(budget_ids)))
        return {i: b for i, b in found.items() if can_read(actor, b)}

    async def get_budget(self, actor: Actor, budget_id: str) -> Budget:
        async with self.uow() as uow:
            return require_budget(actor, budget_id, await uow.budgets.get(budget_id))

    async def list_budgets(
        self,
        actor: Actor,
        user_id: str | None,
        type: BudgetType | str | None = None,
        first: int = 50,
        after: str | None = None,
        shared: bool | None = None,
    ) -> Page[Budget]:
        """The user's budgets, newest first: their own and those shared with them
        (``shared``: None both, False only their own, True only those shared with them)."""
        user = require_user(actor, user_id, "userId")
        kind = v.budget_type(type, "type") if type is not None else None
        page_size(first)
        async with self.uow() as uow:
            return await uow.budgets.page_for_user(user, kind, first, after, shared)

    async def get_budgets(
        self, actor: Actor, user_id: str | None, type: BudgetType | str | None = None
    ) -> list[Budget]:
        """Every budget of a user, newest first (the spec's ``get_budgets``)."""
        result: list[Budget] = []
        after = None
        while True:
            page = await self.list_budgets(actor, user_id, type, PAGE_MAX, after)
            result.extend(b for _, b in page.items)
            if not page.has_next:
                return result
            after = page.end_cursor

    # -- writes ----------------------------------------------------------------
    async def create_budget(
        self,
        actor: Actor,
        *,
        user_id: str | None,
        name: str,
        type: BudgetType | str,
        period: BudgetPeriod | str,
        categories: Mapping[str, Any] | list[tuple[str, Any]],
        start_date: datetime | None = None,
        rollover_enabled: bool | None = None,
        rollover_mode: RolloverMode | str | None = None,
        currency: str | None = None,
        thresholds: AlertThresholds | Mapping[str, Any] | None = None,
    ) -> Budget:
        p = v.Problems()
        user = p.attempt(require_user, actor, user_id, "userId")
        clean_name = p.attempt(v.budget_name, name, "name")
        kind = p.attempt(v.budget_type, type, "type")
        per = p.attempt(v.budget_period, period, "period")
        cur = p.attempt(money.normalize_currency, currency or money.DEFAULT_CURRENCY, "currency")
        # By default the first day of the current period, as applyTemplate does.
        default_start = periods.calendar_start(per, self.clock()) if per is not None else self.clock()
        start = p.attempt(v.start_date, start_date if start_date is not None else default_start, "startDate")
        mode = p.attempt(_rollover, rollover_mode, rollover_enabled)
        # With a bad currency, still report the category problems (checked as if USD).
        limits = p.attempt(v.category_limits, categories, cur or money.DEFAULT_CURRENCY, "categories")
        limits_thresholds = (
            p.attempt(v.thresholds, thresholds, "thresholds") if thresholds is not None else AlertThresholds()
        )
        p.check()
        anchor = periods.anchor_of(start)
        now = self.clock()
        budget = Budget(
            id=new_id("bud"),
            user_id=user,
            name=clean_name,
            type=kind,
            period=per,
            currency=cur,
            limits=tuple(CategoryLimit(n, a, 0) for n, a in limits),
            start_date=anchor,
            end_date=periods.end_date(anchor, per),
            rollover_mode=mode or RolloverMode.NONE,
            created_at=now,
            updated_at=now,
            thresholds=limits_thresholds,
            version=1,
        )
        async with self.uow(write=True) as uow:
            await uow.budgets.add(budget)
            # Spending may already be past a threshold in the current period.
            await alerting.after_budget_change(uow, budget, self.clock())
        return budget

    async def update_budget(
        self, actor: Actor, budget_id: str, updates: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Budget:
        """Partial update (the owner and EDITOR members). ``None`` values count as not
        given. Changing ``period`` or ``start_date`` recomputes ``end_date``;
        ``updated_at`` moves, ``created_at`` stays."""
        given = {k: val for k, val in dict(updates or {}).items() if val is not None}
        unknown = sorted(set(given) - UPDATABLE)
        if unknown:
            raise validation(f"Unknown field(s) {', '.join(unknown)}: updatable are {', '.join(sorted(UPDATABLE))}")
        if not given:
            raise validation("No updates provided")
        async with self.uow(write=True) as uow:
            current = require_budget(actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_edit)
            if expected_version is not None and expected_version != current.version:
                raise conflict(
                    f"Budget {budget_id} was changed by someone else (version {current.version}, "
                    f"expected {expected_version}): reload it and retry",
                    "expectedVersion",
                )
            updated = self._apply(current, given)
            if updated.currency != current.currency and await _has_counted_spending(uow, current):
                raise validation(
                    f"Budget {budget_id} has spending counted in {current.currency}: its currency cannot change "
                    f"(that would read its amounts as {updated.currency}); create a budget in {updated.currency}",
                    "currency",
                )
            if not await uow.budgets.save(updated, expected_version=current.version):
                raise conflict(f"Budget {budget_id} was changed concurrently: reload it and retry")
            if _changes_what_may_be_spent(current, updated):
                await alerting.after_budget_change(uow, updated, self.clock())
            return updated

    def _apply(self, b: Budget, given: Mapping[str, Any]) -> Budget:
        p = v.Problems()
        changes: dict[str, Any] = {}
        if "name" in given:
            changes["name"] = p.attempt(v.budget_name, given["name"], "name")
        if "type" in given:
            changes["type"] = p.attempt(v.budget_type, given["type"], "type")
        if "period" in given:
            changes["period"] = p.attempt(v.budget_period, given["period"], "period")
        if "currency" in given:
            changes["currency"] = p.attempt(money.normalize_currency, given["currency"], "currency")
        if "start_date" in given:
            changes["start_date"] = p.attempt(v.start_date, given["start_date"], "startDate")
        if "rollover_mode" in given or "rollover_enabled" in given:
            changes["rollover_mode"] = p.attempt(_rollover, given.get("rollover_mode"), given.get("rollover_enabled"))
        if "thresholds" in given:
            changes["thresholds"] = p.attempt(v.thresholds, given["thresholds"], "thresholds", base=b.thresholds)
        p.check()
        per = changes.get("period", b.period)
        anchor = periods.anchor_of(changes.get("start_date", b.start_date))
        cur = changes.get("currency", b.currency)
        calendar_moved = per != b.period or anchor != b.start_date
        if "categories" in given or "currency" in given:
            source = given.get("categories", [(c.name, c.amount) for c in b.limits])
            pairs = v.category_limits(source, cur, "categories")
            # Categories that stay keep their rollover history unless the calendar moved.
            old = tuple(dataclasses.replace(c, since_period=0) for c in b.limits) if calendar_moved else b.limits
            current_index = periods.index_at(anchor, per, self.clock().replace(tzinfo=None))
            changes["limits"] = v.replace_limits(old, pairs, current_index)
        elif calendar_moved:
            changes["limits"] = tuple(dataclasses.replace(c, since_period=0) for c in b.limits)
        changes.pop("categories", None)
        changes.pop("start_date", None)
        now = self.clock()
        return dataclasses.replace(
            b,
            **changes,
            start_date=anchor,
            end_date=periods.end_date(anchor, per),
            updated_at=max(now, b.updated_at),
            version=b.version + 1,
        )

    async def delete_budget(self, actor: Actor, budget_id: str) -> None:
        async with self.uow(write=True) as uow:
            require_budget(actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_admin)
            await uow.budgets.delete(budget_id)
            await uow.alerts.delete_for_budget(budget_id)  # no alert points at nothing

