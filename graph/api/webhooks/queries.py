"""Webhooks: register, list, delete, and each one's delivery log."""

from __future__ import annotations

import strawberry

from graph.api.context import Info
from graph.api.webhooks.types import Webhook, WebhookDelivery, WebhookDeliveryConnection


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
        return WebhookDeliveryConnection.from_page(page, WebhookDelivery.from_domain)
