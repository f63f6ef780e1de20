"""Webhooks: register, list, delete, and each one's delivery log."""

from __future__ import annotations

import strawberry

from domain.errors import BudgetError

from .context import Info
from .errors import UserError, input_errors, user_errors
from .types.pagination import connection_from_page
from .types.webhook import Webhook, WebhookDelivery, WebhookDeliveryConnection


@strawberry.input
class RegisterWebhookInput:
    user_id: str | None = strawberry.field(default=None, description="Defaults to the viewer (authentication on).")
    url: str = strawberry.field(description=(
            "http:// or https:// with a host, at most 2,000 characters, at a public internet address "
            "(not loopback, private, link-local, multicast or reserved, not localhost)."
        ))
    secret: str = strawberry.field(
        description="16 to 256 characters; signs each body (X-Budgetql-Signature: sha256=<hex HMAC-SHA256>)."
    )


@strawberry.type
class RegisterWebhookPayload:
    webhook: Webhook | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="A user's webhooks, oldest first.")
    async def webhooks(self, info: Info, user_id: str | None = None) -> list[Webhook]:
        return [Webhook.from_domain(w) for w in await info.context.webhooks.list(info.context.actor, user_id)]

    @strawberry.field(description="A webhook's delivery log, newest alert first.")
    async def webhook_deliveries(
        self, info: Info, webhook_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> WebhookDeliveryConnection:
        page = await info.context.webhooks.deliveries(info.context.actor, str(webhook_id), first, after)
        return connection_from_page(WebhookDeliveryConnection, page, WebhookDelivery.from_domain)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="POST every alert of the user, from now on, to this URL as signed JSON (at most 20 per user)."
    )
    async def register_webhook(self, info: Info, input: RegisterWebhookInput) -> RegisterWebhookPayload:
        try:
            hook = await info.context.webhooks.register(info.context.actor, input.user_id, input.url, input.secret)
        except BudgetError as exc:
            return RegisterWebhookPayload(errors=input_errors(exc))
        return RegisterWebhookPayload(webhook=Webhook.from_domain(hook))

    @strawberry.mutation(
        description="Sign a webhook's deliveries with a new secret from now on (its owner): rotating a leaked "
        "secret, or activating a webhook restored from a backup."
    )
    async def rotate_webhook_secret(self, info: Info, id: strawberry.ID, secret: str) -> RegisterWebhookPayload:
        try:
            hook = await info.context.webhooks.rotate_secret(info.context.actor, str(id), secret)
        except BudgetError as exc:
            return RegisterWebhookPayload(errors=user_errors(exc))
        return RegisterWebhookPayload(webhook=Webhook.from_domain(hook))

    @strawberry.mutation(description="Stop sending to a webhook; its pending deliveries are dropped with its log.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> DeleteWebhookPayload:
        try:
            await info.context.webhooks.delete(info.context.actor, str(id))
        except BudgetError as exc:
            return DeleteWebhookPayload(errors=user_errors(exc))
        return DeleteWebhookPayload(deleted_id=id)
