"""Webhooks: what a valid registration is, the body and signature of a delivery, and
when a failed delivery is tried again.

Pure. Storing webhooks and deliveries is the repository's job, sending them the
worker's; both follow the rules here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

from . import validation as v
from .alerts import EVENT, AlertEvent
from .errors import validation
from .models import new_id

URL_MAX = 2000
# At least 16 characters so that the HMAC key cannot be guessed; at most 256 because
# HMAC-SHA256 hashes any key longer than its 64-byte block anyway.
SECRET_MIN = 16
SECRET_MAX = 256
WEBHOOKS_PER_USER = 20
HINT_LENGTH = 4

SIGNATURE_HEADER = "X-Budgetql-Signature"
EVENT_HEADER = "X-Budgetql-Event"
DELIVERY_HEADER = "X-Budgetql-Delivery"


class DeliveryStatus(str, Enum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Webhook:
    id: str
    user_id: str
    url: str
    secret: str
    created_at: datetime

    @property
    def secret_hint(self) -> str:
        """The secret's last characters: enough to tell secrets apart, never the secret."""
        return self.secret[-HINT_LENGTH:]


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


# -- registration ------------------------------------------------------------------
def url(value: Any, *field: str) -> str:
    """An absolute http or https URL with a host, at most 2,000 characters."""
    if not isinstance(value, str) or not value.strip():
        raise validation("url must not be empty", *field)
    text = value.strip()
    if len(text) > URL_MAX:
        raise validation(f"url must be at most {URL_MAX} characters (got {len(text)})", *field)
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        raise validation("url must not contain spaces or control characters", *field)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise validation(f"url {text[:100]!r} is not a valid URL ({exc})", *field) from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"{parts.scheme}://" if parts.scheme else "none"
        raise validation(f"url must use http:// or https:// (got {shown})", *field)
    if not parts.hostname:
        raise validation("url must name a host, e.g. https://example.com/hooks/budget", *field)
    return text


def secret(value: Any, *field: str) -> str:
    if not isinstance(value, str) or value == "":
        raise validation("secret must not be empty", *field)
    v.text(value, *field, label="secret")
    if not SECRET_MIN <= len(value) <= SECRET_MAX:
        raise validation(
            f"secret must be {SECRET_MIN} to {SECRET_MAX} characters (got {len(value)}): "
            "use a long random string, e.g. python -c 'import secrets; print(secrets.token_hex(32))'",
            *field,
        )
    return value


def new_webhook(user_id: str, url_value: Any, secret_value: Any, now: datetime) -> Webhook:
    """A webhook from registration input for an already checked user; every problem is
    reported at once."""
    p = v.Problems()
    clean_url = p.attempt(url, url_value, "url")
    key = p.attempt(secret, secret_value, "secret")
    p.check()
    return Webhook(id=new_id("whk"), user_id=user_id, url=clean_url, secret=key, created_at=now)


def check_room(existing: int) -> None:
    if existing >= WEBHOOKS_PER_USER:
        raise validation(
            f"A user has at most {WEBHOOKS_PER_USER} webhooks: delete one before registering another", "userId"
        )


# -- fan-out ---------------------------------------------------------------------------
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


# -- what is sent -------------------------------------------------------------------
def body(event: AlertEvent) -> bytes:
    """The spec's JSON body. Amounts are JSON numbers written from their exact decimal
    text (``513.00``), never through a float."""
    members = []
    for key, value in event.payload().items():
        text = format(value, "f") if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
        members.append(f"{json.dumps(key)}:{text}")
    return ("{" + ",".join(members) + "}").encode("utf-8")


def signature(secret_value: str, raw_body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of the raw body bytes, keyed by the secret."""
    return "sha256=" + hmac.new(secret_value.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


def headers(secret_value: str, raw_body: bytes, delivery_id: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret_value, raw_body),
        EVENT_HEADER: EVENT,
        DELIVERY_HEADER: delivery_id,
    }


# -- retries ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryPolicy:
    """Attempt ``n`` failing waits ``backoff × 2^(n-1)`` (at most ``backoff_cap``, give or
    take ``jitter``) before the next; after ``max_attempts`` the delivery is failed."""

    max_attempts: int = 10
    backoff_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0
    timeout_seconds: float = 10.0
    jitter: float = 0.1  # ± this fraction of each wait, so failed receivers are not hit in step

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(f"max_attempts must be a whole number ≥ 1 (got {self.max_attempts!r})")
        for name in ("backoff_seconds", "backoff_cap_seconds", "timeout_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0 (got {getattr(self, name)!r})")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"jitter must be in [0, 1) (got {self.jitter!r})")

    def delay(self, attempts: int, spread: float = 0.5) -> timedelta:
        """The wait after ``attempts`` failed attempts; ``spread`` in [0, 1] picks where
        in the jitter band (0.5: exactly the exponential value)."""
        base = min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** min(attempts - 1, 60))
        return timedelta(seconds=base * (1 + self.jitter * (2 * spread - 1)))

    def after_attempt(
        self, attempts: int, succeeded: bool, now: datetime, spread: float = 0.5
    ) -> tuple[DeliveryStatus, datetime]:
        """The status and next attempt time once ``attempts`` attempts were made."""
        if succeeded:
            return DeliveryStatus.DELIVERED, now
        if attempts >= self.max_attempts:
            return DeliveryStatus.FAILED, now
        return DeliveryStatus.PENDING, now + self.delay(attempts, spread)


def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
