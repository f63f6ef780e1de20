"""Webhooks: register, list, delete, and each one's delivery log."""

from __future__ import annotations

import strawberry

from graph.api.context import Info
from graph.api.core.errors import deleted, input_errors, payload
from graph.api.webhooks.inputs import RegisterWebhookInput
from graph.api.webhooks.types import DeleteWebhookPayload, RegisterWebhookPayload


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="POST every alert of the user, from now on, to this URL as signed JSON (at most 20 per user)."
    )
    async def register_webhook(self, info: Info, input: RegisterWebhookInput) -> RegisterWebhookPayload:
        return await payload(
            RegisterWebhookPayload,
            lambda: info.context.webhooks.register(info.context.actor, input.user_id, input.url, input.secret),
            errors=input_errors,
        )

    @strawberry.mutation(
        description="Sign a webhook's deliveries with a new secret from now on (its owner): rotating a leaked "
        "secret, or activating a webhook restored from a backup."
    )
    async def rotate_webhook_secret(self, info: Info, id: strawberry.ID, secret: str) -> RegisterWebhookPayload:
        return await payload(
            RegisterWebhookPayload,
            lambda: info.context.webhooks.rotate_secret(info.context.actor, str(id), secret),
        )

    @strawberry.mutation(description="Stop sending to a webhook; its pending deliveries are dropped with its log.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> DeleteWebhookPayload:
        return await deleted(
            DeleteWebhookPayload, id, lambda: info.context.webhooks.delete(info.context.actor, str(id))
        )
