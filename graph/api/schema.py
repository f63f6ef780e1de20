"""The schema: every area's queries and mutations merged into the root types; also an
Apollo Federation v2 subgraph (graph/api/core/federation.py), whose SDL is schema.graphql."""

from __future__ import annotations

import contextlib
from typing import Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.tools import merge_types
from strawberry.types.graphql import OperationType

from graph.api.alerts.mutations import AlertMutations
from graph.api.alerts.queries import AlertQueries
from graph.api.alerts.subscriptions import AlertSubscriptions
from graph.api.budgets.mutations import BudgetMutations
from graph.api.budgets.queries import BudgetQueries
from graph.api.core.errors import ClientErrors
from graph.api.core.execution import CheckedSchema, LeafFastExecutionContext
from graph.api.core.federation import FederatedSchema
from graph.api.core.limits import limit_extensions
from graph.api.core.scalars import SCALAR_MAP
from graph.api.goals.mutations import GoalMutations
from graph.api.goals.queries import GoalQueries
from graph.api.insights.queries import InsightQueries
from graph.api.nodes.queries import NodeQueries
from graph.api.progress.subscriptions import ProgressSubscriptions
from graph.api.sharing.mutations import SharingMutations
from graph.api.sharing.queries import SharingQueries
from graph.api.spending.mutations import SpendingMutations
from graph.api.spending.queries import SpendingQueries
from graph.api.sync.queries import SyncQueries
from graph.api.templates.mutations import TemplateMutations
from graph.api.templates.queries import TemplateQueries
from graph.api.users.types import User
from graph.api.webhooks.mutations import WebhookMutations
from graph.api.webhooks.queries import WebhookQueries

Query = merge_types(
    "Query",
    (BudgetQueries, SharingQueries, SpendingQueries, TemplateQueries, AlertQueries, WebhookQueries, GoalQueries,
     InsightQueries, NodeQueries, SyncQueries),
)
Mutation = merge_types(
    "Mutation",
    (
        BudgetMutations, SharingMutations, SpendingMutations, TemplateMutations, AlertMutations, WebhookMutations,
        GoalMutations,
    ),
)
Subscription = merge_types("Subscription", (AlertSubscriptions, ProgressSubscriptions))


class SubscriptionOverHTTP(InvalidOperationTypeError):
    """A subscription sent as an HTTP request: Strawberry answers it with HTTP 400 and
    this reason (``BAD_REQUEST``), instead of running the stream as if it were a query."""

    def __init__(self) -> None:
        super().__init__(OperationType.SUBSCRIPTION)

    def as_http_error_reason(self, method: str = "POST") -> str:
        return (
            f"Subscriptions are not served over HTTP {method}: open a WebSocket to /graphql "
            "with the graphql-transport-ws protocol"
        )


class BudgetSchema(CheckedSchema, FederatedSchema):
    """budgetql's schema: checked for shared payloads when made (CheckedSchema), and an
    Apollo Federation v2 subgraph (FederatedSchema, over ``strawberry.federation.Schema``,
    which adds ``_service`` and ``_entities`` to Query and ``@link`` to the SDL)."""

    async def execute(self, query, variable_values=None, context_value=None, root_value=None,
                      operation_name=None, allowed_operation_types=None, operation_extensions=None):
        # One request, one result: a subscription only runs as a stream (WebSocket).
        allowed = set(allowed_operation_types or (OperationType.QUERY, OperationType.MUTATION))
        allowed.discard(OperationType.SUBSCRIPTION)
        try:
            return await super().execute(
                query, variable_values, context_value, root_value, operation_name, allowed, operation_extensions
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise SubscriptionOverHTTP() from None
            raise

    def process_errors(self, errors, execution_context=None) -> None:
        # Strawberry would log every error with the GraphQL document, whose literals may
        # hold amounts or tokens. Client errors are the client's business; unexpected
        # ones are logged (traceback, request id, no document) by ClientErrors.
        return None


class CachedParser(ParserCache):
    """Strawberry's parser cache, except that a document that does not parse is left to
    Strawberry's own parse step, so its syntax error is reported like any other (with
    its ``extensions.code``) rather than escaping the extensions' error handling."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield


def build_schema(settings=None) -> strawberry.Schema:
    """The schema; with ``settings`` (a ``graph.settings.Settings``), also its request
    limits (depth, tokens, aliases, introspection), which the served app uses, and
    whether it executes with the fast paths of graph/execution.py (``fast_path``)."""
    extensions = [
        ClientErrors,
        *(limit_extensions(settings) if settings is not None else []),
        # A dashboard sends the same few documents over and over: parse and validate
        # each once (bounded LRU caches, so unique query texts cannot grow memory).
        lambda: CachedParser(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ]
    return BudgetSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User],  # an entity only: a gateway reaches it through _entities
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=extensions,
        execution_context_class=LeafFastExecutionContext if settings is None or settings.fast_path else None,
    )


schema = build_schema()  # the contract, for `export_sdl` (limits do not change the SDL)


def export_sdl() -> str:
    return schema.as_str().rstrip() + "\n"
