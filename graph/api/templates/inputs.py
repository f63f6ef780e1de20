"""Input types of the template mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from domain.models import BudgetPeriod, BudgetType
from graph.api.core.enums import BudgetPeriodEnum, BudgetTypeEnum


@strawberry.input(description="Only templateKey and totalIncome are required (and userId when authentication is off).")
class ApplyTemplateInput:
    user_id: str | None = strawberry.field(default=None, description="The owner; defaults to the viewer.")
    template_key: str
    total_income: Decimal = strawberry.field(description="Split exactly: the categories sum to it.")
    budget_name: str | None = strawberry.field(
        default=None, description='Defaults to "<template name> - <Month YYYY>" of the start date.'
    )
    start_date: datetime | None = strawberry.field(
        default=None, description="Defaults to the first day of the current period."
    )
    type: BudgetTypeEnum | None = strawberry.field(default=None, description="Defaults to the template's.")
    period: BudgetPeriodEnum | None = strawberry.field(default=None, description="Defaults to the template's.")
    rollover_enabled: bool = False
    currency: str = "USD"
    time_zone: str = strawberry.field(default="UTC", description="An IANA time zone name (America/New_York).")


@strawberry.input(description="A category's share: a percent (all totalling exactly 100) or a weight, not both.")
class TemplateCategoryInput:
    name: str
    group: str | None = strawberry.field(default=None, description='Defaults to "General".')
    percent: Decimal | None = None
    weight: Decimal | None = None


@strawberry.input
class CreateTemplateInput:
    user_id: str | None = strawberry.field(default=None, description="The owner; defaults to the viewer.")
    key: str = strawberry.field(description="1–64 of a-z, 0-9 and _; unique per user; not a built-in key.")
    name: str
    categories: list[TemplateCategoryInput]
    description: str = ""
    type: BudgetTypeEnum = BudgetType.PERSONAL
    period: BudgetPeriodEnum = BudgetPeriod.MONTHLY


def template_categories_of(items: list[TemplateCategoryInput]) -> list[dict[str, Any]]:
    return [{"name": c.name, "group": c.group, "percent": c.percent, "weight": c.weight} for c in items]
