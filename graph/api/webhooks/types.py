"""The ``Webhook`` and ``WebhookDelivery`` types (a webhook's secret is never shown)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.mapping import copied
from domain.webhooks import model as webhooks
from graph.api.core.errors import payload_type
from graph.api.core.node import Node
from graph.api.core.pagination import Connection

WebhookDeliveryStatusEnum = strawberry.enum(
    webhooks.DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING until a 2xx answer (DELIVERED) or the last attempt fails (FAILED).",
)


@strawberry.type(description="An http(s) URL that gets every alert of its user as a signed JSON POST.")
class Webhook(Node):
    id: strawberry.ID
    user_id: str
    url: str
    secret_hint: str | None = strawberry.field(
        description="The secret's last 4 characters; the secret itself is never shown. Null while inactive."
    )
    active: bool = strawberry.field(
        description="Receives alerts. False for a webhook restored from a backup (which holds no secrets) until "
        "rotateWebhookSecret gives it one."
    )
    created_at: datetime

    from_domain = classmethod(copied)  # from a webhooks.Webhook, field for field


@strawberry.type(description="One alert sent (or being sent) to one webhook.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Also sent as the X-Budgetql-Delivery header.")
    webhook_id: strawberry.ID
    alert_id: strawberry.ID | None
    status: WebhookDeliveryStatusEnum
    attempts: int
    last_status_code: int | None = strawberry.field(description="The HTTP status of the last answer, if one came.")
    last_error: str | None = strawberry.field(description="What went wrong in the last attempt (non-2xx, timeout, …).")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried next; null once DELIVERED or FAILED.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(cls, d: webhooks.Delivery) -> "WebhookDelivery":
        return copied(
            cls, d,
            alert_id=d.alert_id or None,
            next_attempt_at=d.next_attempt_at if d.status is webhooks.DeliveryStatus.PENDING else None,
        )


@strawberry.type(description="A page of a webhook's deliveries, newest alert first.")
class WebhookDeliveryConnection(Connection[WebhookDelivery]):
    pass


RegisterWebhookPayload = payload_type("RegisterWebhookPayload", webhook=Webhook)
DeleteWebhookPayload = payload_type("DeleteWebhookPayload", deleted_id=strawberry.ID)
