"""Input types of the goal mutations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry


@strawberry.input
class CreateGoalInput:
    user_id: str | None = strawberry.field(default=None, description="The owner; defaults to the viewer.")
    name: str
    target_amount: Decimal
    target_date: date
    currency: str | None = strawberry.field(default=None, description="Its budget's currency (the default).")
    budget_id: strawberry.ID = strawberry.field(description="The budget (its owner or an EDITOR member may link one).")
    category: str = strawberry.field(description="One of the budget's categories: its spending funds the goal.")
    starting_amount: Decimal = Decimal(0)


@strawberry.input(description="Only the fields given change.")
class UpdateGoalInput:
    name: str | None = None
    target_amount: Decimal | None = None
    target_date: date | None = None
    category: str | None = None
    starting_amount: Decimal | None = None
