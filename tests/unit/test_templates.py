"""Templates in the pure domain: the spec's five worked examples to the cent, and exact
allocation for any income."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import BUILTINS, BudgetError, BudgetPeriod, ErrorCode, allocate_template, list_templates, money
from domain.periods import calendar_start

# The spec's tables ("Budget Templates"), group by group, written out again here as the
# oracle: template key → (income, {group: (group total, [(category, amount), ...])}).
SPEC_EXAMPLES = {
    "50_30_20": (
        "5000.00",
        {
            "Needs": ("2500", [("Housing", 1250), ("Groceries", 500), ("Utilities", 200), ("Transportation", 300), ("Insurance", 250)]),
            "Wants": ("1500", [("Restaurants", 400), ("Entertainment", 300), ("Shopping", 400), ("Hobbies", 200), ("Travel", 200)]),
            "Savings": ("1000", [("Emergency Fund", 300), ("Investments", 500), ("Debt Paydown", 200)]),
        },
    ),
    "zero_based": (
        "4500.00",
        {
            "Fixed": ("2700", [("Rent", 1500), ("Utilities", 200), ("Insurance", 300), ("Car Payment", 400), ("Phone", 100), ("Internet", 80), ("Subscriptions", 120)]),
            "Variable": ("900", [("Groceries", 500), ("Gas", 200), ("Restaurants", 150), ("Personal Care", 50)]),
            "Savings": ("450", [("Emergency Fund", 250), ("Retirement", 200)]),
            "Discretionary": ("450", [("Entertainment", 200), ("Hobbies", 150), ("Shopping", 100)]),
        },
    ),
    "envelope": (
        "3000.00",
        {
            "Bills": ("1200", [("Rent", 800), ("Utilities", 150), ("Insurance", 150), ("Subscriptions", 100)]),
            "Everyday": ("900", [("Groceries", 500), ("Gas", 200), ("Household", 100), ("Personal Care", 100)]),
            "Savings": ("450", [("Emergency Fund", 300), ("Goals", 150)]),
            "Fun": ("450", [("Restaurants", 200), ("Entertainment", 150), ("Hobbies", 100)]),
        },
    ),
    "pay_yourself_first": (
        "6000.00",
        {
            "Savings": ("1800", [("Emergency Fund", 600), ("Retirement", 800), ("Investments", 400)]),
            "Needs": ("2400", [("Housing", 1200), ("Groceries", 500), ("Utilities", 250), ("Transportation", 300), ("Insurance", 150)]),
            "Wants": ("1200", [("Restaurants", 400), ("Entertainment", 300), ("Shopping", 300), ("Travel", 200)]),
            "Giving": ("600", [("Charity", 400), ("Gifts", 200)]),
        },
    ),
    "business_essentials": (
        "10000.00",
        {
            "Operating": ("5000", [("Rent", 2000), ("Utilities", 500), ("Supplies", 1000), ("Software", 800), ("Insurance", 700)]),
            "Payroll": ("2000", [("Salaries", 1500), ("Contractors", 500)]),
            "Marketing": ("1500", [("Ads", 800), ("Website", 400), ("Content", 300)]),
            "Savings": ("1000", [("Emergency Fund", 1000)]),
            "Professional": ("500", [("Accounting", 300), ("Legal", 200)]),
        },
    ),
}

SPEC_GROUP_PERCENTS = {
    "50_30_20": {"Needs": 50, "Wants": 30, "Savings": 20},
    "zero_based": {"Fixed": 60, "Variable": 20, "Savings": 10, "Discretionary": 10},
    "envelope": {"Bills": 40, "Everyday": 30, "Savings": 15, "Fun": 15},
    "pay_yourself_first": {"Savings": 30, "Needs": 40, "Wants": 20, "Giving": 10},
    "business_essentials": {"Operating": 50, "Payroll": 20, "Marketing": 15, "Savings": 10, "Professional": 5},
}


def spec_table(key: str) -> list[tuple[str, Decimal]]:
    _, groups = SPEC_EXAMPLES[key]
    return [(name, Decimal(amount).quantize(Decimal("0.01"))) for _, rows in groups.values() for name, amount in rows]


def test_the_five_spec_templates_are_built_in_in_order():
    assert list(BUILTINS) == ["50_30_20", "zero_based", "envelope", "pay_yourself_first", "business_essentials"]
    assert list(list_templates()) == list(BUILTINS)


@pytest.mark.parametrize("key", list(SPEC_EXAMPLES))
def test_spec_example_to_the_cent(key):
    income, _ = SPEC_EXAMPLES[key]
    assert allocate_template(BUILTINS[key], Decimal(income), "USD") == spec_table(key)


@pytest.mark.parametrize("key", list(SPEC_EXAMPLES))
def test_spec_tables_are_consistent_with_their_group_totals(key):
    """The oracle itself: each group's rows sum to its total, the groups to the income."""
    income, groups = SPEC_EXAMPLES[key]
    for total, rows in groups.values():
        assert sum(amount for _, amount in rows) == Decimal(total)
    assert sum(Decimal(total) for total, _ in groups.values()) == Decimal(income)


@pytest.mark.parametrize("key", list(SPEC_EXAMPLES))
def test_groups_and_their_categories(key):
    template = BUILTINS[key]
    _, groups = SPEC_EXAMPLES[key]
    assert [g.name for g in template.groups] == list(groups)
    assert {g.name: template.percent(g.weight) for g in template.groups} == SPEC_GROUP_PERCENTS[key]
    assert [(c.group, c.name) for c in template.categories] == [
        (group, name) for group, (_, rows) in groups.items() for name, _ in rows
    ]
    assert template.period is BudgetPeriod.MONTHLY


def test_list_templates_as_the_spec_shows_it():
    listed = list_templates()
    assert listed["50_30_20"] == {
        "name": "50/30/20 Rule",
        "description": "50% needs, 30% wants, 20% savings",
        "type": "personal",
        "period": "monthly",
        "categories": {
            "Housing": 25.0,
            "Groceries": 10.0,
            "Utilities": 4.0,
            "Transportation": 6.0,
            "Insurance": 5.0,
            "Restaurants": 8.0,
            "Entertainment": 6.0,
            "Shopping": 8.0,
            "Hobbies": 4.0,
            "Travel": 4.0,
            "Emergency Fund": 6.0,
            "Investments": 10.0,
            "Debt Paydown": 4.0,
        },
    }
    assert listed["business_essentials"]["type"] == "business"
    # Not whole percentages: the display rounds, the allocation does not.
    assert listed["zero_based"]["categories"]["Rent"] == 33.33
    assert listed["zero_based"]["categories"]["Internet"] == 1.78


def test_uneven_incomes_still_sum_exactly():
    split = allocate_template(BUILTINS["zero_based"], Decimal("1000.01"), "USD")
    assert sum(a for _, a in split) == Decimal("1000.01")
    assert dict(split)["Rent"] == Decimal("333.34")  # 1000.01 / 3 = 333.3366…


@pytest.mark.parametrize("income", ["0", "-5", "0.00"])
def test_income_must_be_above_zero(income):
    with pytest.raises(BudgetError) as exc:
        allocate_template(BUILTINS["envelope"], income, "USD")
    assert exc.value.code is ErrorCode.VALIDATION and exc.value.field == ("totalIncome",)


def test_income_must_fit_the_currency():
    with pytest.raises(BudgetError, match="decimal places"):
        allocate_template(BUILTINS["envelope"], "1000.5", "JPY")
    with pytest.raises(BudgetError, match="Unknown currency"):
        allocate_template(BUILTINS["envelope"], "1000", "XYZ")


CURRENCIES = ["USD", "JPY", "KWD", "EUR"]


@st.composite
def incomes(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    digits = money.minor_units(currency)
    units = draw(st.integers(min_value=1, max_value=int(money.MAX_AMOUNT) * 10**digits))
    return currency, Decimal(units).scaleb(-digits)


@given(key=st.sampled_from(list(BUILTINS)), drawn=incomes())
def test_allocation_sums_exactly_to_any_income(key, drawn):
    currency, income = drawn
    template = BUILTINS[key]
    split = allocate_template(template, income, currency)
    amounts = [a for _, a in split]
    assert [n for n, _ in split] == [c.name for c in template.categories]
    assert sum(amounts) == income
    q = money.quantum(currency)
    for category, amount in zip(template.categories, amounts):
        assert amount >= 0 and amount == amount.quantize(q)
        exact = Fraction(income) * Fraction(category.weight) / Fraction(template.total_weight)
        assert abs(Fraction(amount) - exact) < Fraction(q)  # off by less than one minor unit


@pytest.mark.parametrize(
    "period,today,start",
    [
        (BudgetPeriod.MONTHLY, date(2025, 11, 19), datetime(2025, 11, 1)),
        (BudgetPeriod.WEEKLY, date(2025, 11, 19), datetime(2025, 11, 17)),  # a Wednesday → Monday
        (BudgetPeriod.WEEKLY, date(2025, 11, 17), datetime(2025, 11, 17)),
        (BudgetPeriod.BIWEEKLY, date(2025, 11, 23), datetime(2025, 11, 17)),
        (BudgetPeriod.QUARTERLY, date(2025, 11, 19), datetime(2025, 10, 1)),
        (BudgetPeriod.QUARTERLY, date(2025, 3, 31), datetime(2025, 1, 1)),
        (BudgetPeriod.YEARLY, date(2025, 11, 19), datetime(2025, 1, 1)),
    ],
)
def test_calendar_start(period, today, start):
    assert calendar_start(period, today) == start
    assert calendar_start(period, datetime(today.year, today.month, today.day, 23, 59)) == start
