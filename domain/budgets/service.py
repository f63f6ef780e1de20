"""Use cases: what a client can do with budgets. Framework-free; storage via ports.

Every method takes the caller (:class:`domain.access.Actor`) first and applies the
rules of :mod:`domain.access` before touching anything.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping, Sequence

from domain.alerts import raising as alerting
from domain.budgets import history
from domain import money
from domain import periods
from domain import validation as v
from domain.time_zones import UTC, time_zone as check_time_zone, wall_clock
from domain.access import Actor, can_admin, can_edit, can_read, require_budget, require_user
from domain.errors import conflict, validation
from domain.models import (
    AlertThresholds,
    Budget,
    BudgetPeriod,
    BudgetType,
    CategoryLimit,
    CategoryPlan,
    PeriodAmount,
    RolloverMode,
    category_key,
    new_id,
)
from domain.ports import Page, SpendingWindow
from domain.service import Service
from domain.paging import PAGE_MAX, page_size

UPDATABLE = frozenset(
    {
        "name", "type", "period", "categories", "start_date", "rollover_enabled", "rollover_mode", "currency",
        "thresholds", "time_zone", "effective_period",
    }
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
        before.plans, before.overrides, before.thresholds, before.period, before.start_date, before.rollover_mode,
        before.currency, before.spender_ids, before.time_zone,
    ) != (
        after.plans, after.overrides, after.thresholds, after.period, after.start_date, after.rollover_mode,
        after.currency, after.spender_ids, after.time_zone,
    )


def current_period(budget: Budget, now: datetime) -> int:
    """The index of the period containing ``now`` on the budget's wall clock."""
    return periods.index_at(periods.anchor_of(budget.start_date), budget.period, wall_clock(now, budget.time_zone))


def _with_plans(b: Budget, plans: list[CategoryPlan], **changes: Any) -> Budget:
    """``b`` with these plans (oldest first); consecutive plans that say the same are one."""
    merged: list[CategoryPlan] = []
    for plan in plans:
        if merged and merged[-1].limits == plan.limits:
            continue
        merged.append(plan)
    return dataclasses.replace(
        b, limits=merged[-1].limits, limits_from=merged[-1].from_period, earlier=tuple(merged[:-1]), **changes
    )


def _fits(amounts: list[tuple[str, Decimal]], currency: str, field: str) -> None:
    """Every amount of the budget's history must be one ``currency`` can hold."""
    p = v.Problems()
    for name, amount in amounts:
        p.attempt(money.check_amount, amount, currency, field, name, allow_zero=True)
    p.check()


async def _has_counted_spending(uow, budget: Budget) -> bool:
    """Has any transaction been counted in the budget: one of its spenders', in one of its
    categories and its currency, from its first period on?"""
    keys = frozenset(c.key for c in budget.limits)
    start = periods.anchor_of(budget.start_date).date()
    end = date(v.YEAR_MAX + 1, 1, 1)
    windows = [SpendingWindow(user, keys, start, end) for user in sorted(budget.spender_ids)]
    sums = await uow.spending.window_sums(windows)
    return any(s.currency == budget.currency and s.count > 0 for s in sums)


class BudgetService(Service):
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
        time_zone: str | None = None,
    ) -> Budget:
        p = v.Problems()
        user = p.attempt(require_user, actor, user_id, "userId")
        clean_name = p.attempt(v.budget_name, name, "name")
        kind = p.attempt(v.budget_type, type, "type")
        per = p.attempt(v.budget_period, period, "period")
        cur = p.attempt(money.normalize_currency, currency or money.DEFAULT_CURRENCY, "currency")
        tz = p.attempt(check_time_zone, time_zone, "timeZone") if time_zone is not None else UTC
        # By default the first day of the current period (on the budget's wall clock),
        # as applyTemplate does.
        today = wall_clock(self.clock(), tz or UTC)
        default_start = periods.calendar_start(per, today) if per is not None else today
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
            time_zone=tz,
        )
        async with self.uow(write=True) as uow:
            await uow.budgets.add(budget)
            await history.record(uow, None, budget, actor, now, 0)
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
        if set(given) == {"effective_period"}:
            raise validation("effectivePeriod applies to a change of categories: give categories too", "effectivePeriod")
        v.changes(given, UPDATABLE, name_updatable=True)
        async with self.uow(write=True) as uow:
            current = require_budget(actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_edit)
            self._check_version(current, expected_version)
            updated, effective = self._apply(current, given)
            if updated.currency != current.currency and await _has_counted_spending(uow, current):
                raise validation(
                    f"Budget {budget_id} has spending counted in {current.currency}: its currency cannot change "
                    f"(that would read its amounts as {updated.currency}); create a budget in {updated.currency}",
                    "currency",
                )
            await self._store(uow, actor, current, updated, effective)
            return updated

    async def _store(self, uow, actor: Actor, current: Budget, updated: Budget, effective: int | None) -> None:
        if not await uow.budgets.save(updated, expected_version=current.version):
            raise conflict(f"Budget {current.id} was changed concurrently: reload it and retry")
        await history.record(uow, current, updated, actor, updated.updated_at, effective)
        if _changes_what_may_be_spent(current, updated):
            await alerting.after_budget_change(uow, updated, self.clock())

    async def set_period_amount(
        self,
        actor: Actor,
        budget_id: str,
        period: Any,
        category: Any,
        amount: Any,
        *,
        expected_version: int | None = None,
    ) -> Budget:
        """Set one category's amount for one period only (None: remove it, back to the
        plan's amount). The owner and EDITOR members."""
        async with self.uow(write=True) as uow:
            current = require_budget(
                actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_edit, "budgetId"
            )
            self._check_version(current, expected_version)
            anchor = periods.anchor_of(current.start_date)
            p = v.Problems()
            k = p.attempt(v.period_index, anchor, current.period, period, "period")
            if k is not None and k < 0:
                p.add(validation("period must be 0 or later: there is no budget before its first period", "period"))
                k = None
            name = p.attempt(v.category_name, category, "category")
            value = None
            if amount is not None:
                value = p.attempt(money.check_amount, amount, current.currency, "amount", allow_zero=True)
            p.check()
            plan = {c.key: c for c in current.plan_at(k)}
            found = plan.get(category_key(name))
            if found is None:
                raise validation(
                    f"Budget {budget_id} has no category {name!r} in period {k} "
                    f"(its categories then: {', '.join(c.name for c in plan.values()) or 'none'})",
                    "category",
                )
            others = tuple(o for o in current.overrides if not (o.period == k and o.key == found.key))
            overrides = others if value is None else (*others, PeriodAmount(k, found.name, value))
            overrides = tuple(sorted(overrides, key=lambda o: (o.period, o.key)))
            if overrides == current.overrides:
                return current
            updated = dataclasses.replace(
                current,
                overrides=overrides,
                updated_at=max(self.clock(), current.updated_at),
                version=current.version + 1,
            )
            await self._store(uow, actor, current, updated, k)
            return updated

    async def history(self, actor: Actor, budget: Budget, first: int = 20, after: str | None = None):
        """The budget's change log, newest first (whoever may read the budget)."""
        page_size(first)
        if not can_read(actor, budget):
            raise validation(f"Budget {budget.id} not found", "id")
        async with self.uow() as uow:
            return await uow.budgets.revisions(budget.id, first, after)

    def _check_version(self, current: Budget, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != current.version:
            raise conflict(
                f"Budget {current.id} was changed by someone else (version {current.version}, "
                f"expected {expected_version}): reload it and retry",
                "expectedVersion",
            )

    def _apply(self, b: Budget, given: Mapping[str, Any]) -> tuple[Budget, int | None]:
        """The budget after the update, and the period its category change applies from
        (None: no category change)."""
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
        if "time_zone" in given:
            changes["time_zone"] = p.attempt(check_time_zone, given["time_zone"], "timeZone")
        p.check()
        per = changes.get("period", b.period)
        anchor = periods.anchor_of(changes.get("start_date", b.start_date))
        cur = changes.get("currency", b.currency)
        tz = changes.get("time_zone", b.time_zone)
        calendar_moved = per != b.period or anchor != b.start_date
        now = self.clock()
        current_index = periods.index_at(anchor, per, wall_clock(now, tz))
        stamp = {"start_date": anchor, "end_date": periods.end_date(anchor, per), "updated_at": max(now, b.updated_at),
                 "version": b.version + 1}
        changes.pop("start_date", None)
        if calendar_moved:
            # A new schedule: the old periods no longer line up with the new ones, so the
            # categories in force now become the amounts of every period of the new
            # schedule, period-only amounts go, and rollover starts again from period 0.
            if "effective_period" in given:
                raise validation(
                    "effectivePeriod cannot be combined with a change of period or startDate: a new schedule "
                    "applies to all of its periods",
                    "effectivePeriod",
                )
            base = tuple(dataclasses.replace(c, since_period=0) for c in b.plan_at(current_period(b, now)))
            if "categories" in given or "currency" in given:
                source = given.get("categories", [(c.name, c.amount) for c in base])
                base = v.replace_limits(base, v.category_limits(source, cur, "categories"), current_index)
            budget = _with_plans(b, [CategoryPlan(0, base)], overrides=(), **changes, **stamp)
            return budget, None
        effective = None
        plans = list(b.plans)
        if "categories" in given:
            effective = max(current_index, 0)
            if "effective_period" in given:
                effective = v.period_index(anchor, per, given["effective_period"], "effectivePeriod")
                if effective < 0:
                    raise validation(
                        "effectivePeriod must be 0 or later: there is no budget before its first period",
                        "effectivePeriod",
                    )
            pairs = v.category_limits(given["categories"], cur, "categories")
            before = b.plan_at(effective - 1) if effective > 0 else ()
            # Categories that stay keep their rollover history; one added starts carrying
            # from the period it is added in. Plans from that period on are replaced.
            plans = [plan for plan in plans if plan.from_period < effective]
            plans.append(CategoryPlan(effective, v.replace_limits(before, pairs, effective)))
        elif "effective_period" in given:
            raise validation("effectivePeriod applies to a change of categories: give categories too", "effectivePeriod")
        if "currency" in given and cur != b.currency:
            _fits([(c.name, c.amount) for plan in plans for c in plan.limits], cur, "categories")
            _fits([(o.category, o.amount) for o in b.overrides], cur, "categories")
        return _with_plans(b, plans, **changes, **stamp), effective

    async def delete_budget(self, actor: Actor, budget_id: str) -> None:
        async with self.uow(write=True) as uow:
            require_budget(actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_admin)
            # Its alerts and goals first, while its members still say whom they reached.
            await uow.alerts.delete_for_budget(budget_id)  # no alert points at nothing
            await uow.goals.delete_for_budget(budget_id)  # nor a goal
            await uow.budgets.delete(budget_id)

