"""Root query fields for templates."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from graph.api.budgets.types import CategoryLimit
from graph.api.context import Info
from graph.api.templates.types import Template


@strawberry.type
class TemplateQueries:
    @strawberry.field(
        description="The built-in templates, then that user's own (userId, or the viewer when authentication is on)."
    )
    async def templates(self, info: Info, user_id: str | None = None) -> list[Template]:
        return [Template.from_domain(t) for t in await info.context.templates.list_templates(info.context.actor, user_id)]

    @strawberry.field(
        description="A template by key (a built-in, or the user's own: userId, or the viewer), or null when there is none."
    )
    async def template(self, info: Info, key: str, user_id: str | None = None) -> Template | None:
        found = await info.context.templates.find_template(info.context.actor, key, user_id)
        return Template.from_domain(found) if found else None

    @strawberry.field(description="The categories applyTemplate would create for this income; stores nothing.")
    async def preview_template(
        self, info: Info, key: str, total_income: Decimal, currency: str | None = "USD", user_id: str | None = None
    ) -> list[CategoryLimit]:
        split = await info.context.templates.preview_template(info.context.actor, key, total_income, currency, user_id)
        return [CategoryLimit(name=name, amount=amount) for name, amount in split]
