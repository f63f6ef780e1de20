"""The five templates of the spec, as data.

Each category's weight is its amount in the spec's worked example, so applying a
template to that example's income reproduces the spec's table to the cent, and any
other income is split in the same proportions. (The spec's reference implementation
stores rounded whole percentages instead, which cannot give Zero-Based's Rent of
1,500 out of 4,500 (one third), and rounds each category on its own, so its
categories can miss the income by a cent.)

Every table in the spec is consistent: each group's categories sum to the group's
amount and the groups to the income. Where the spec's prose and its table disagree,
the table wins:
- 50/30/20: the prose lists four Wants (restaurants, entertainment, shopping,
  hobbies); the table adds Travel, and the spec's template list gives it 4%.
- Envelope: the prose's "Dining" is the table's Restaurants.
- Business Essentials: the prose lists Operating as rent, utilities, supplies and
  software, the table adds Insurance; Professional's "consulting" has no row.
Group names are the table's short labels (Fixed, Everyday, Operating, Professional).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.models import BudgetPeriod, BudgetType
from domain.templates.model import Template, TemplateCategory, describe


def _template(
    key: str, name: str, description: str, type: BudgetType, groups: dict[str, dict[str, int]]
) -> Template:
    return Template(
        key=key,
        name=name,
        description=description,
        type=type,
        period=BudgetPeriod.MONTHLY,
        categories=tuple(
            TemplateCategory(category, group, Decimal(amount))
            for group, categories in groups.items()
            for category, amount in categories.items()
        ),
    )


BUILTINS: dict[str, Template] = {
    t.key: t
    for t in (
        # Example: $5,000 a month.
        _template(
            "50_30_20",
            "50/30/20 Rule",
            "50% needs, 30% wants, 20% savings",
            BudgetType.PERSONAL,
            {
                "Needs": {"Housing": 1250, "Groceries": 500, "Utilities": 200, "Transportation": 300, "Insurance": 250},
                "Wants": {"Restaurants": 400, "Entertainment": 300, "Shopping": 400, "Hobbies": 200, "Travel": 200},
                "Savings": {"Emergency Fund": 300, "Investments": 500, "Debt Paydown": 200},
            },
        ),
        # Example: $4,500 a month.
        _template(
            "zero_based",
            "Zero-Based Budget",
            "Every dollar assigned: 60% fixed, 20% variable, 10% savings, 10% discretionary",
            BudgetType.PERSONAL,
            {
                "Fixed": {
                    "Rent": 1500,
                    "Utilities": 200,
                    "Insurance": 300,
                    "Car Payment": 400,
                    "Phone": 100,
                    "Internet": 80,
                    "Subscriptions": 120,
                },
                "Variable": {"Groceries": 500, "Gas": 200, "Restaurants": 150, "Personal Care": 50},
                "Savings": {"Emergency Fund": 250, "Retirement": 200},
                "Discretionary": {"Entertainment": 200, "Hobbies": 150, "Shopping": 100},
            },
        ),
        # Example: $3,000 a month.
        _template(
            "envelope",
            "Envelope System",
            "Cash in envelopes: 40% bills, 30% everyday, 15% savings, 15% fun",
            BudgetType.PERSONAL,
            {
                "Bills": {"Rent": 800, "Utilities": 150, "Insurance": 150, "Subscriptions": 100},
                "Everyday": {"Groceries": 500, "Gas": 200, "Household": 100, "Personal Care": 100},
                "Savings": {"Emergency Fund": 300, "Goals": 150},
                "Fun": {"Restaurants": 200, "Entertainment": 150, "Hobbies": 100},
            },
        ),
        # Example: $6,000 a month.
        _template(
            "pay_yourself_first",
            "Pay Yourself First",
            "Savings first: 30% savings, 40% needs, 20% wants, 10% giving",
            BudgetType.PERSONAL,
            {
                "Savings": {"Emergency Fund": 600, "Retirement": 800, "Investments": 400},
                "Needs": {"Housing": 1200, "Groceries": 500, "Utilities": 250, "Transportation": 300, "Insurance": 150},
                "Wants": {"Restaurants": 400, "Entertainment": 300, "Shopping": 300, "Travel": 200},
                "Giving": {"Charity": 400, "Gifts": 200},
            },
        ),
        # Example: $10,000 a month of revenue.
        _template(
            "business_essentials",
            "Business Essentials",
            "For small businesses and freelancers: 50% operating, 20% payroll, 15% marketing, "
            "10% savings, 5% professional services",
            BudgetType.BUSINESS,
            {
                "Operating": {"Rent": 2000, "Utilities": 500, "Supplies": 1000, "Software": 800, "Insurance": 700},
                "Payroll": {"Salaries": 1500, "Contractors": 500},
                "Marketing": {"Ads": 800, "Website": 400, "Content": 300},
                "Savings": {"Emergency Fund": 1000},
                "Professional": {"Accounting": 300, "Legal": 200},
            },
        ),
    )
}


def list_templates() -> dict[str, dict[str, Any]]:
    """The built-in templates as the spec's ``list_templates()`` returns them:
    key → name, description, type, period and each category's percent."""
    return {key: describe(t) for key, t in BUILTINS.items()}
