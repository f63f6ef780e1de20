"""Webhooks and their deliveries, as records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

HINT_LENGTH = 4


class DeliveryStatus(str, Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Webhook:
    id: str
    user_id: str
    url: str
    secret: str | None  # None: restored from a backup (which never holds secrets), inactive
    created_at: datetime

    @property
    def active(self) -> bool:
        """Sent to: it has a secret to sign with (``rotateWebhookSecret`` gives one)."""
        return self.secret is not None

    @property
    def secret_hint(self) -> str | None:
        """The secret's last characters: enough to tell secrets apart, never the secret."""
        return self.secret[-HINT_LENGTH:] if self.secret is not None else None

@dataclass(frozen=True)
class Delivery:
    """One alert for one webhook, and how sending it went so far."""

    id: str
    webhook_id: str
    alert_seq: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime
    last_status_code: int | None = None
    last_error: str | None = None
    alert_id: str | None = None  # filled in when read back with its alert
