"""Budget templates: a named split of an income into categories, and its exact allocation.

Each category of a template has a *weight*; its share of the income is its weight
over the sum of the weights. Weights are exact (``Decimal``), so a share such as one
third stays exact; ``percent`` is only its figure rounded for display. Allocating an
income rounds each category to the currency's minor unit by the largest-remainder
method (:func:`domain.money.allocate`), so the categories always sum to the income.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from domain import money
from domain.models import BudgetPeriod, BudgetType
from domain.validation import Problems


ID_PREFIX = "tpl_"


@dataclass(frozen=True)
class TemplateCategory:
    name: str
    group: str
    weight: Decimal


@dataclass(frozen=True)
class TemplateGroup:
    name: str
    weight: Decimal  # the sum of its categories' weights


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    description: str
    type: BudgetType
    period: BudgetPeriod
    categories: tuple[TemplateCategory, ...]
    owner: str | None = None  # the user who defined it; None for a built-in
    created_at: datetime | None = None

    @property
    def built_in(self) -> bool:
        return self.owner is None

    @property
    def id(self) -> str:
        """Its global id: ``tpl_<owner>/<key>`` for a user's own (a key holds no ``/``, so
        the last one ends the owner), ``tpl_<key>`` for a built-in."""
        return f"{ID_PREFIX}{self.key}" if self.owner is None else f"{ID_PREFIX}{self.owner}/{self.key}"

    @property
    def total_weight(self) -> Decimal:
        return money.total(c.weight for c in self.categories)

    @property
    def groups(self) -> tuple[TemplateGroup, ...]:
        """Groups in the order their first category appears, each with its total weight."""
        weights: dict[str, Decimal] = {}
        for c in self.categories:
            weights[c.group] = weights.get(c.group, Decimal(0)) + c.weight
        return tuple(TemplateGroup(name, w) for name, w in weights.items())

    def percent(self, weight: Decimal) -> Decimal:
        """``weight`` as a percentage of the whole template, rounded half up to 2 places
        (for display only: allocation uses the exact share)."""
        hundredths = math.floor(Fraction(weight) * 10_000 / Fraction(self.total_weight) + Fraction(1, 2))
        return Decimal(hundredths).scaleb(-2)


def check_income(total_income: Any, currency: Any = None) -> tuple[str, Decimal]:
    """The currency code and the income at its scale; the income must be above zero.
    Both problems are reported together."""
    p = Problems()
    cur = p.attempt(money.normalize_currency, currency or money.DEFAULT_CURRENCY, "currency")
    income = p.attempt(
        money.check_amount,
        total_income,
        cur or money.DEFAULT_CURRENCY,
        "totalIncome",
        allow_zero=False,
        label="Total income",
    )
    p.check()
    return cur, income


def allocate_template(
    template: Template, total_income: Any, currency: Any = money.DEFAULT_CURRENCY
) -> list[tuple[str, Decimal]]:
    """Each category's amount of ``total_income``, in the template's order; they sum to it exactly."""
    cur, income = check_income(total_income, currency)
    amounts = money.allocate(income, [c.weight for c in template.categories], cur)
    return [(c.name, amount) for c, amount in zip(template.categories, amounts)]


def describe(template: Template) -> dict[str, Any]:
    """The spec's ``GET /budgets/templates/list`` entry: percents as display numbers."""
    return {
        "name": template.name,
        "description": template.description,
        "type": template.type.value,
        "period": template.period.value,
        "categories": {c.name: float(template.percent(c.weight)) for c in template.categories},
    }
