"""Webhooks: what a valid registration is, the body and signature of a delivery, and
when a failed delivery is tried again.

Pure. Storing webhooks and deliveries is the repository's job, sending them the
worker's; both follow the rules here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from domain import validation as v
from domain.webhooks.model import Webhook
from domain.errors import validation
from domain.models import new_id
from domain.webhooks.model import DeliveryStatus

URL_MAX = 2000
# At least 16 characters so that the HMAC key cannot be guessed; at most 256 because
# HMAC-SHA256 hashes any key longer than its 64-byte block anyway.
SECRET_MIN = 16
SECRET_MAX = 256
WEBHOOKS_PER_USER = 20

SIGNATURE_HEADER = "X-Budgetql-Signature"
EVENT_HEADER = "X-Budgetql-Event"
DELIVERY_HEADER = "X-Budgetql-Delivery"


ADDRESS_NOT_ALLOWED = "address not allowed: webhooks may only reach public internet addresses"

Resolve = Callable[[str, int], Awaitable[list[str]]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")

_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

def local_name(host: str) -> bool:
    """``localhost`` and every name under ``.localhost`` (RFC 6761: always this machine)."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")

def host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``host`` is written as, if it is one: IPv6 (brackets stripped), dotted
    IPv4, and the legacy forms resolvers also read as IPv4 (``2130706433``,
    ``0x7f.1``, ``0177.0.0.1``, ``127.1``: ``inet_aton``, as ``getaddrinfo`` does).
    None for a name."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if text and all(c in "0123456789abcdefxABCDEFX." for c in text) and text[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None

def public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a webhook may connect to ``address``: a globally reachable unicast address
    (``ipaddress``'s ``is_global``), not loopback, private, link-local, shared (CGNAT),
    multicast, reserved or unspecified. IPv6 addresses that carry an IPv4 address
    (IPv4-mapped ``::ffff:a.b.c.d``, NAT64, 6to4, Teredo) are judged by it too."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return public_address(ip.ipv4_mapped)
        if ip in _NAT64:
            return public_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip in _NAT64_LOCAL or ip.is_site_local:
            return False
        if ip.sixtofour is not None and not public_address(ip.sixtofour):
            return False
        if ip.teredo is not None and not all(public_address(a) for a in ip.teredo):
            return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )

def destination_allowed(host: str, addresses: Iterable[str]) -> bool:
    """A send may go to ``host`` at ``addresses`` (what it resolved to): not a local
    name, and every address public. Every one, not just the first: a name that also
    resolves to an internal address could be made to connect there."""
    if local_name(host):
        return False
    literal = host_address(host)
    if literal is not None and not public_address(literal):
        return False
    return all(public_address(a) for a in addresses)

def default_port(scheme: str) -> int:
    return 443 if scheme.lower() == "https" else 80

async def check_destination(url_value: str, resolve: Resolve | None, *field: str) -> None:
    """Refuse a URL whose host is, or now resolves to, an address webhooks may not reach.
    A name that does not resolve (yet) is accepted: each send checks it again."""
    parts = urlsplit(url_value)
    host = parts.hostname or ""
    refused = validation(
        f"url must point at a public internet address, not at {host[:100]!r}: loopback, private, "
        "link-local, multicast and reserved addresses and localhost names are not allowed "
        "(BUDGETQL_WEBHOOK_ALLOW_PRIVATE=true allows them for development)",
        *field,
    )
    if local_name(host):
        raise refused
    literal = host_address(host)
    if literal is not None:
        if not public_address(literal):
            raise refused
        return
    if resolve is not None and not destination_allowed(host, await resolve(host, parts.port or default_port(parts.scheme))):
        raise refused

def url(value: Any, *field: str) -> str:
    """An absolute http or https URL with a host, at most 2,000 characters."""
    text = v.sized(value.strip() if isinstance(value, str) else "", URL_MAX, *field, label="url", show_length=True)
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

def signature(secret_value: str, raw_body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of the raw body bytes, keyed by the secret."""
    return "sha256=" + hmac.new(secret_value.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()

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
        self, attempts: int, succeeded: bool, now: datetime, spread: float = 0.5, *, final: bool = False
    ) -> tuple[DeliveryStatus, datetime]:
        """The status and next attempt time once ``attempts`` attempts were made;
        ``final``: a failure that trying again cannot mend (a refused address)."""
        if succeeded:
            return DeliveryStatus.DELIVERED, now
        if final or attempts >= self.max_attempts:
            return DeliveryStatus.FAILED, now
        return DeliveryStatus.PENDING, now + self.delay(attempts, spread)

def succeeded(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300
