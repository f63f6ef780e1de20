"""Use cases: a budget's insights and suggested limits, a user's savings rate."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Sequence

from domain import money
from domain import validation as v
from domain.access import Actor, can_read, require_user
from domain.budgets.service import BudgetService, current_period
from domain.errors import not_found, validation
from domain.insights import rules
from domain.models import Budget, TransactionKind, category_key, utcnow
from domain.spending.service import SpendingService

PERIODS_MAX = 60
MONTHS_MAX = 120


class InsightService:
    def __init__(self, budgets: BudgetService, spending: SpendingService, clock: Callable[[], datetime] = utcnow):
        self.budgets = budgets
        self.spending = spending
        self.uow = budgets.uow
        self.clock = clock

    async def _history(self, budget: Budget, periods: Any) -> tuple[int, list[int], list]:
        if not isinstance(periods, int) or isinstance(periods, bool) or not 1 <= periods <= PERIODS_MAX:
            raise validation(f"periods must be between 1 and {PERIODS_MAX}", "periods")
        current = current_period(budget, self.clock())
        ks = list(range(max(0, current - periods), current))  # complete periods, oldest first
        figures = await self.spending.progress_many([(budget, k, None) for k in ks]) if ks else []
        return current, ks, figures

    async def insights(self, actor: Actor, budget: Budget, periods: Any = 6) -> rules.BudgetInsights:
        if not can_read(actor, budget):
            raise not_found(f"Budget {budget.id} not found", "id")
        current, ks, figures = await self._history(budget, periods)
        categories = []
        for c in budget.limits_at(max(current, 0)):
            values = [(x.spent_amount, x.budgeted_amount) for p in figures for x in p.categories if category_key(x.category_name) == c.key]
            categories.append(rules.CategoryInsight(c.name, rules.stats(values, budget.currency)))
        total = rules.stats([(p.total_spent, p.total_budgeted) for p in figures], budget.currency)
        return rules.BudgetInsights(len(ks), categories, total, rules.grew_most(categories))

    async def suggested_limits(
        self, actor: Actor, budget: Budget, periods: Any = 6, percentile: Any = 75
    ) -> list[rules.SuggestedLimit]:
        if not can_read(actor, budget):
            raise not_found(f"Budget {budget.id} not found", "id")
        if not isinstance(percentile, int) or isinstance(percentile, bool) or not 1 <= percentile <= 100:
            raise validation("percentile must be between 1 and 100", "percentile")
        current, _, figures = await self._history(budget, periods)
        result = []
        for c in budget.limits_at(max(current, 0)):
            spent = [x.spent_amount for p in figures for x in p.categories if category_key(x.category_name) == c.key]
            result.append(rules.suggestion(c.name, c.amount, spent, percentile, budget.period, budget.currency))
        return result

    async def apply_suggested_limits(
        self,
        actor: Actor,
        budget_id: str,
        categories: Sequence[str],
        effective_period: int | None = None,
        periods: Any = 6,
        percentile: Any = 75,
    ) -> Budget:
        """The chosen categories' suggested limits, from ``effective_period`` on (default
        the current period), through the effective-dated update."""
        budget = await self.budgets.get_budget(actor, budget_id)
        suggestions = {category_key(s.category): s for s in await self.suggested_limits(actor, budget, periods, percentile)}
        if not categories:
            raise validation("Name at least one category", "categories")
        chosen = set()
        p = v.Problems()
        for i, name in enumerate(categories):
            key = category_key(name) if isinstance(name, str) else None
            if key not in suggestions:
                p.add(validation(f"Budget {budget_id} has no category {name!r} now", "categories", str(i)))
            chosen.add(key)
        p.check()
        pairs = [(c.name, suggestions[c.key].suggested if c.key in chosen else c.amount)
                 for c in budget.plan_at(max(current_period(budget, self.clock()), 0))]
        updates: dict[str, Any] = {"categories": pairs}
        if effective_period is not None:
            updates["effective_period"] = effective_period
        return await self.budgets.update_budget(actor, budget_id, updates)

    async def savings_rate(
        self, actor: Actor, user_id: str | None, start: date, end: date, currency: str | None = None
    ) -> tuple[rules.MonthSavings, list[rules.MonthSavings]]:
        """The user's savings over [start, end] (whole days, both included): the total and
        each calendar month in it."""
        user = require_user(actor, user_id, "userId")
        cur = money.normalize_currency(currency or money.DEFAULT_CURRENCY, "currency")
        for value, name in ((start, "from"), (end, "to")):
            if not isinstance(value, date) or not v.YEAR_MIN <= value.year <= v.YEAR_MAX:
                raise validation(f"`{name}` must be a date in the years {v.YEAR_MIN}–{v.YEAR_MAX}", name)
        if end < start:
            raise validation("`to` must not be before `from`", "to")
        if (end.year - start.year) * 12 + end.month - start.month >= MONTHS_MAX:
            raise validation(f"A savings rate spans at most {MONTHS_MAX} months", "to")
        async with self.uow() as uow:
            days = await uow.spending.daily_totals(user, start, end + timedelta(days=1), cur)
        months: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for day, kind, total in days:
            months[f"{day:%Y-%m}"][kind] += total
        result = []
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            key = f"{y:04d}-{m:02d}"
            found = months.get(key, {})
            result.append(rules.month_savings(key, found.get(TransactionKind.INCOME.value, Decimal(0)),
                                              found.get(TransactionKind.EXPENSE.value, Decimal(0)), cur))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        total = rules.month_savings(
            f"{start.isoformat()}/{end.isoformat()}",
            sum((r.income for r in result), Decimal(0)),
            sum((r.spending for r in result), Decimal(0)),
            cur,
        )
        return total, result
