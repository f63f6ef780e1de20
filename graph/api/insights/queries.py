"""The savings-rate query."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from graph.api.context import Info
from graph.api.insights.types import MonthSavings, SavingsRate


@strawberry.type
class InsightQueries:
    @strawberry.field(description="A user's savings over [from, to] (both days included), in total and per calendar month.")
    async def savings_rate(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        user_id: str | None = None,
        currency: str = "USD",
    ) -> SavingsRate:
        total, months = await info.context.services.insights.savings_rate(
            info.context.actor, user_id, from_, to, currency
        )
        return SavingsRate(income=total.income, spending=total.spending, saved=total.saved, rate=total.rate,
                           months=[MonthSavings.from_domain(m) for m in months])
