"""Use cases of goals: create, change, delete, read with their figures; and the goal
alerts raised inside the writes that fund them."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime, timezone
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Iterable, Mapping, Sequence

from domain import money
from domain import periods
from domain import validation as v
from domain.access import Actor, can_edit, can_read, owns, require_budget, require_user
from domain.alerts.raising import enqueue
from domain.alerts.rules import AlertEvent, AlertType, SEVERITY
from domain.budgets.service import current_period
from domain.errors import conflict, not_found, validation
from domain.goals import rules
from domain.goals.model import Goal, GoalProgress
from domain.models import Budget, Transaction, category_key, naive, new_id
from domain.ports import SpendingWindow, UnitOfWork
from domain.service import Service
from domain.progress.batch import after_consent
from domain.time_zones import wall_clock

UPDATABLE = frozenset({"name", "target_amount", "target_date", "category", "starting_amount"})
RECENT = 3  # periods the projection averages


class GoalService(Service):
    # -- writes ----------------------------------------------------------------
    async def create(
        self,
        actor: Actor,
        *,
        user_id: str | None,
        name: Any,
        target_amount: Any,
        target_date: Any,
        budget_id: Any,
        category: Any,
        currency: str | None = None,
        starting_amount: Any = None,
    ) -> Goal:
        p = v.Problems()
        user = p.attempt(require_user, actor, user_id, "userId")
        title = p.attempt(rules.name, name, "name")
        day = p.attempt(rules.target_date, target_date, "targetDate")
        p.check()
        now = self.clock()
        async with self.uow(write=True) as uow:
            budget = require_budget(actor, str(budget_id), await uow.budgets.get(str(budget_id)), can_edit, "budgetId")
            p = v.Problems()
            cur = budget.currency
            if currency is not None:
                given = p.attempt(money.normalize_currency, currency, "currency")
                if given is not None and given != budget.currency:
                    p.add(validation(f"A goal is in its budget's currency ({budget.currency}), not {given}", "currency"))
            target = p.attempt(money.check_amount, target_amount, cur, "targetAmount", allow_zero=False)
            start = p.attempt(money.check_amount, starting_amount if starting_amount is not None else 0, cur,
                              "startingAmount")
            found = p.attempt(_category_of, budget, category, "category")
            p.check()
            if len(await uow.goals.for_user(user)) >= rules.GOALS_PER_USER:
                raise validation(f"A user has at most {rules.GOALS_PER_USER} goals: delete one first", "userId")
            goal = Goal(new_id("gol"), user, title, target, day, cur, budget.id, found, start, now, now)
            await uow.goals.add(goal)
            await raise_goal_alerts(uow, [goal], now)
            return goal

    async def update(
        self, actor: Actor, goal_id: str, changes: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Goal:
        given = {k: val for k, val in changes.items() if val is not None}
        v.changes(given, UPDATABLE)
        now = self.clock()
        async with self.uow(write=True) as uow:
            goal = await self._own(uow, actor, goal_id)
            if expected_version is not None and expected_version != goal.version:
                raise conflict(f"Goal {goal_id} was changed by someone else (version {goal.version})", "expectedVersion")
            budget = await uow.budgets.get(goal.budget_id)
            p = v.Problems()
            fields: dict[str, Any] = {}
            if "name" in given:
                fields["name"] = p.attempt(rules.name, given["name"], "name")
            if "target_amount" in given:
                fields["target_amount"] = p.attempt(
                    money.check_amount, given["target_amount"], goal.currency, "targetAmount", allow_zero=False
                )
            if "starting_amount" in given:
                fields["starting_amount"] = p.attempt(
                    money.check_amount, given["starting_amount"], goal.currency, "startingAmount"
                )
            if "target_date" in given:
                fields["target_date"] = p.attempt(rules.target_date, given["target_date"], "targetDate")
            if "category" in given and budget is not None:
                fields["category"] = p.attempt(_category_of, budget, given["category"], "category")
            p.check()
            changed = dataclasses.replace(goal, **fields, updated_at=max(now, goal.updated_at), version=goal.version + 1)
            await uow.goals.save(changed)
            await raise_goal_alerts(uow, [changed], now)
            return changed

    async def delete(self, actor: Actor, goal_id: str) -> None:
        async with self.uow(write=True) as uow:
            await self._own(uow, actor, goal_id)
            await uow.goals.delete(goal_id)

    async def _own(self, uow: UnitOfWork, actor: Actor, goal_id: str) -> Goal:
        goal = await uow.goals.get(goal_id)
        if goal is None or not owns(actor, goal.user_id):
            raise not_found(f"Goal {goal_id} not found", "id")
        return goal

    # -- reads -----------------------------------------------------------------
    async def find(self, actor: Actor, goal_id: str) -> Goal | None:
        """The goal if the caller owns it or may read its budget (members see the goals of
        a shared budget)."""
        async with self.uow() as uow:
            goal = await uow.goals.get(goal_id)
            if goal is None:
                return None
            if owns(actor, goal.user_id):
                return goal
            budget = await uow.budgets.get(goal.budget_id)
        return goal if budget is not None and can_read(actor, budget) else None

    async def find_many(self, actor: Actor, goal_ids: Sequence[str]) -> dict[str, GoalProgress]:
        """Those of ``goal_ids`` the caller may read (as :meth:`find`), with their figures."""
        found = [g for g in [await self.find(actor, i) for i in dict.fromkeys(goal_ids)] if g is not None]
        return {p.goal.id: p for p in await self.progress_many(found)} if found else {}

    async def list_for_user(self, actor: Actor, user_id: str | None) -> list[Goal]:
        user = require_user(actor, user_id, "userId")
        async with self.uow() as uow:
            return await uow.goals.for_user(user)

    async def for_budgets(self, budgets: Sequence[Budget]) -> dict[str, list[Goal]]:
        """The goals linked to each budget (the caller may read the budgets already)."""
        async with self.uow() as uow:
            return await uow.goals.for_budgets([b.id for b in budgets])

    async def progress_many(self, goals: Sequence[Goal]) -> list[GoalProgress]:
        async with self.uow() as uow:
            budgets = await uow.budgets.get_many(sorted({g.budget_id for g in goals}))
            return await figures(uow, goals, budgets, self.clock())


def _category_of(budget: Budget, value: Any, *field: str) -> str:
    name = v.category_name(value, *field)
    key = category_key(name)
    for plan in budget.plans:
        for c in plan.limits:
            if c.key == key:
                return c.name
    raise validation(
        f"Budget {budget.id} has no category {name!r}: a goal is funded by one of its categories "
        f"({', '.join(c.name for c in budget.limits)})",
        *field,
    )


async def contributions(
    uow: UnitOfWork, goals: Sequence[Goal], budgets: Mapping[str, Budget], now: datetime
) -> dict[str, dict[int, Decimal]]:
    """Per goal, what each recent period of its budget put into its category (and, under
    index ``current - RECENT - 1``, everything before them): one read of the rollups."""
    plans: list[tuple[Goal, int, SpendingWindow]] = []
    for goal in goals:
        budget = budgets.get(goal.budget_id)
        if budget is None:
            continue
        k = current_period(budget, now)
        if k < 0:
            continue
        anchor = periods.anchor_of(budget.start_date)
        first = max(k - RECENT, 0)
        bounds = [(j, periods.period_start(anchor, budget.period, j).date(),
                   periods.period_start(anchor, budget.period, j + 1).date()) for j in range(first, k + 1)]
        if first > 0:
            bounds.insert(0, (first - 1, anchor.date(), periods.period_start(anchor, budget.period, first).date()))
        keys = frozenset({category_key(goal.category)})
        for user in sorted(budget.spender_ids):
            since = budget.counts_from(user)
            local = wall_clock(since, budget.time_zone) if since is not None else None
            for j, start, end in bounds:
                window = after_consent(SpendingWindow(user, keys, start, end), since, local)
                if window is not None:
                    plans.append((goal, j, window))
    rows = await uow.spending.window_sums(list(dict.fromkeys(w for _, _, w in plans)))
    by_window: dict[tuple, list] = defaultdict(list)
    for row in rows:
        by_window[(row.user_id, row.start, row.end, row.since)].append(row)
    result: dict[str, dict[int, Decimal]] = {g.id: {} for g in goals}
    for goal, j, w in plans:
        key = category_key(goal.category)
        for row in by_window.get((w.user_id, w.start, w.end, w.since), ()):
            if row.category_key == key and row.currency == goal.currency:
                result[goal.id][j] = result[goal.id].get(j, Decimal(0)) + row.total
    for goal in goals:
        q = money.quantum(goal.currency)
        result[goal.id] = {j: amount.quantize(q) for j, amount in result[goal.id].items()}
    return result


async def figures(uow: UnitOfWork, goals: Sequence[Goal], budgets: Mapping[str, Budget], now: datetime) -> list[GoalProgress]:
    sums = await contributions(uow, goals, budgets, now)
    result = []
    for goal in goals:
        budget = budgets.get(goal.budget_id)
        if budget is None:
            raise not_found(f"Budget {goal.budget_id} of goal {goal.id} not found")
        result.append(rules.progress(goal, budget, sums[goal.id], max(current_period(budget, now), 0)))
    return result


async def raise_goal_alerts(
    uow: UnitOfWork, goals: Iterable[Goal], now: datetime, budgets: Mapping[str, Budget] | None = None
) -> list[AlertEvent]:
    """GOAL_REACHED (once) and GOAL_OFF_TRACK (once for the period just ended) for these
    goals, in the caller's transaction; the outbox's unique key makes "once" hold under
    racing writers. ``budgets``: theirs, when the caller has read them already."""
    goals = list(goals)
    if not goals:
        return []
    if budgets is None:
        budgets = await uow.budgets.get_many(sorted({g.budget_id for g in goals}))
    goals = [g for g in goals if g.budget_id in budgets]
    sums = await contributions(uow, goals, budgets, now)
    stamp = naive(now).replace(tzinfo=timezone.utc)
    events = []
    for goal in goals:
        budget = budgets[goal.budget_id]
        k = current_period(budget, now)
        if k < 0:
            continue
        figures_now = rules.progress(goal, budget, sums[goal.id], k)
        audience = frozenset(m.user_id for m in budget.members)
        anchor = periods.anchor_of(budget.start_date)
        if figures_now.saved >= goal.target_amount:
            events.append(_event(goal, budget, AlertType.GOAL_REACHED, anchor, figures_now.saved, goal.target_amount,
                                 f"GOAL REACHED: {goal.name} saved {figures_now.saved} of {goal.target_amount}",
                                 stamp, audience))
        elif k >= 1 and (short := rules.shortfall(goal, budget, sums[goal.id], k - 1)) is not None:
            put_in, need = short
            start = periods.period_start(anchor, budget.period, k - 1)
            events.append(_event(goal, budget, AlertType.GOAL_OFF_TRACK, start, put_in, need,
                                 f"GOAL OFF TRACK: {goal.name} got {put_in} last period, {need} was needed",
                                 stamp, audience))
    stored = await uow.alerts.add(events)
    await enqueue(uow, stored, stamp)
    return stored


def _event(goal: Goal, budget: Budget, kind: AlertType, period_start: datetime, spent: Decimal, budgeted: Decimal,
           message: str, stamp: datetime, audience: frozenset[str]) -> AlertEvent:
    percent = (spent / budgeted * 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR) if budgeted > 0 else None
    return AlertEvent(
        id=new_id("alr"), seq=0, budget_id=budget.id, user_id=budget.user_id, period_start=period_start,
        category=goal.category, alert_type=kind, severity=SEVERITY[kind], message=message, percent_used=percent,
        spent_amount=spent, budgeted_amount=budgeted, remaining_amount=budgeted - spent, timestamp=stamp,
        audience=audience, goal_id=goal.id,
    )


async def after_spending(
    uow: UnitOfWork, written: Sequence[Transaction], now: datetime, budgets: Sequence[Budget]
) -> list[AlertEvent]:
    """Goal alerts after a write of these transactions: the goals of ``budgets``, those
    counting their spending (read once by the writer for budget and goal alerts alike)."""
    if not budgets:
        return []
    linked = await uow.goals.for_budgets([b.id for b in budgets])
    keys = {(t.user_id, key) for t in written for key, _ in t.parts}
    touched = [
        g for b in budgets for g in linked.get(b.id, ())
        if any((u, category_key(g.category)) in keys for u in b.spender_ids)
    ]
    return await raise_goal_alerts(uow, touched, now, {b.id: b for b in budgets})
