"""The schema: every area's queries and mutations merged into the root types."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from .alerts import AlertMutations, AlertQueries, AlertSubscriptions
from .errors import ClientErrors
from .limits import limit_extensions
from .mutations import BudgetMutations
from .queries import BudgetQueries
from .scalars import SCALAR_MAP
from .sharing import SharingMutations
from .spending import SpendingMutations, SpendingQueries
from .template_mutations import TemplateMutations
from .template_queries import TemplateQueries
from .webhooks import WebhookMutations, WebhookQueries

Query = merge_types("Query", (BudgetQueries, SpendingQueries, TemplateQueries, AlertQueries, WebhookQueries))
Mutation = merge_types(
    "Mutation",
    (BudgetMutations, SharingMutations, SpendingMutations, TemplateMutations, AlertMutations, WebhookMutations),
)
Subscription = merge_types("Subscription", (AlertSubscriptions,))


class BudgetSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        # Strawberry would log every error with the GraphQL document, whose literals may
        # hold amounts or tokens. Client errors are the client's business; unexpected
        # ones are logged (traceback, request id, no document) by ClientErrors.
        return None


def build_schema(settings=None) -> strawberry.Schema:
    """The schema; with ``settings`` (a ``graph.settings.Settings``), also its request
    limits (depth, tokens, aliases, introspection), which the served app uses."""
    extensions = [ClientErrors, *(limit_extensions(settings) if settings is not None else [])]
    return BudgetSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=extensions,
    )


schema = build_schema()  # the contract, for `export_sdl` (limits do not change the SDL)


def export_sdl() -> str:
    return schema.as_str().rstrip() + "\n"
