"""Template mutations. Errors come back as data in ``errors``; nothing is stored then."""

from __future__ import annotations

import strawberry

from graph.api.budgets.types import BudgetPayload
from graph.api.context import Info
from graph.api.core.errors import input_errors, payload
from graph.api.core.mapping import arguments
from graph.api.templates.inputs import ApplyTemplateInput, CreateTemplateInput, template_categories_of
from graph.api.templates.types import DeleteTemplatePayload, TemplatePayload


@strawberry.type
class TemplateMutations:
    @strawberry.mutation(
        description="Create a budget from a template: its categories are the template's exact split of totalIncome."
    )
    async def apply_template(self, info: Info, input: ApplyTemplateInput) -> BudgetPayload:
        return await payload(
            BudgetPayload,
            lambda: info.context.templates.apply_template(info.context.actor, **arguments(input)),
            errors=input_errors,
        )

    @strawberry.mutation(description="Define a template of your own, usable by applyTemplate with your userId.")
    async def create_template(self, info: Info, input: CreateTemplateInput) -> TemplatePayload:
        return await payload(
            TemplatePayload,
            lambda: info.context.templates.create_template(
                info.context.actor, **arguments(input, categories=template_categories_of(input.categories))
            ),
            errors=input_errors,
        )

    @strawberry.mutation(description="Delete one of your own templates (built-ins cannot be deleted).")
    async def delete_template(self, info: Info, key: str, user_id: str | None = None) -> DeleteTemplatePayload:
        return await payload(
            DeleteTemplatePayload,
            lambda: info.context.templates.delete_template(info.context.actor, user_id, key),
            lambda _: DeleteTemplatePayload(deleted_key=key),
        )
