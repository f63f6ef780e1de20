"""An alert delivered to webhooks: which deliveries a new alert makes, and the signed
JSON body and headers each one is sent with (the spec's webhook payload)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Sequence

from domain.alerts.rules import EVENT, AlertEvent
from domain.models import new_id
from domain.webhooks.model import Delivery, DeliveryStatus, Webhook
from domain.webhooks.rules import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature



def pending_deliveries(events: Sequence[AlertEvent], hooks: Iterable[Webhook], now: datetime) -> list[Delivery]:
    """A delivery, due now, of each new alert to each webhook of its recipients (the
    budget's owner and, for a shared budget, its members)."""
    by_user: dict[str, list[Webhook]] = {}
    for hook in hooks:
        by_user.setdefault(hook.user_id, []).append(hook)
    return [
        Delivery(
            id=new_id("whd"),
            webhook_id=hook.id,
            alert_seq=event.seq,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
            alert_id=event.id,
        )
        for event in events
        for recipient in sorted(event.recipients)
        for hook in by_user.get(recipient, ())
    ]

def body(event: AlertEvent) -> bytes:
    """The spec's JSON body. Amounts are JSON numbers written from their exact decimal
    text (``513.00``), never through a float."""
    members = []
    for key, value in event.payload().items():
        text = format(value, "f") if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
        members.append(f"{json.dumps(key)}:{text}")
    return ("{" + ",".join(members) + "}").encode("utf-8")

def headers(secret_value: str, raw_body: bytes, delivery_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret_value, raw_body),
        EVENT_HEADER: EVENT,
        DELIVERY_HEADER: delivery_id,
    }
