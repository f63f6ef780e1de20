"""The ``Template`` type and its parts."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.mapping import copied
from domain.templates import model as templates
from graph.api.core.enums import BudgetPeriodEnum, BudgetTypeEnum
from graph.api.core.errors import payload_type
from graph.api.core.node import Node


@strawberry.type(description="A group of a template's categories (Needs, Wants, Savings, …).")
class TemplateGroup:
    name: str
    percent: float = strawberry.field(description="Share of the income, rounded to 2 decimals for display.")


@strawberry.type(description="One category of a template.")
class TemplateCategory:
    name: str
    group: str
    percent: float = strawberry.field(
        description="Share of the income, rounded to 2 decimals for display; allocation uses the exact weight."
    )
    weight: Decimal = strawberry.field(description="The exact share: this weight over the sum of the weights.")


@strawberry.type(description="A way to split an income into budget categories.")
class Template(Node):
    id: strawberry.ID = strawberry.field(
        description="Its global id (node(id:)): tpl_<owner>/<key> for a user's own template "
        "(tpl_user_123/my_plan), tpl_<key> for a built-in (tpl_50_30_20)."
    )
    key: str
    name: str
    description: str
    type: BudgetTypeEnum
    period: BudgetPeriodEnum
    built_in: bool = strawberry.field(description="True for the built-in templates; false for a user's own.")
    groups: list[TemplateGroup]
    categories: list[TemplateCategory] = strawberry.field(description="In the template's order.")

    @classmethod
    def from_domain(cls, t: templates.Template) -> "Template":
        return copied(
            cls, t,
            groups=[TemplateGroup(name=g.name, percent=float(t.percent(g.weight))) for g in t.groups],
            categories=[
                TemplateCategory(name=c.name, group=c.group, percent=float(t.percent(c.weight)), weight=c.weight)
                for c in t.categories
            ],
        )


TemplatePayload = payload_type("TemplatePayload", template=Template)
DeleteTemplatePayload = payload_type("DeleteTemplatePayload", deleted_key=str)
