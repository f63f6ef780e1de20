"""The schema: every area's queries and mutations merged into the root types."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from .alerts import AlertMutations, AlertQueries, AlertSubscriptions
from .errors import ClientErrors
from .mutations import BudgetMutations
from .queries import BudgetQueries
from .scalars import SCALAR_MAP
from .sharing import SharingMutations
from .spending import SpendingMutations, SpendingQueries
from .template_mutations import TemplateMutations
from .template_queries import TemplateQueries

Query = merge_types("Query", (BudgetQueries, SpendingQueries, TemplateQueries, AlertQueries))
Mutation = merge_types(
    "Mutation", (BudgetMutations, SharingMutations, SpendingMutations, TemplateMutations, AlertMutations)
)
Subscription = merge_types("Subscription", (AlertSubscriptions,))


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[ClientErrors],
    )


schema = build_schema()


def export_sdl() -> str:
    return schema.as_str().rstrip() + "\n"
