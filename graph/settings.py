"""Server settings, from arguments and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from persistence.database import resolve_database_url


@dataclass(frozen=True)
class AuthSettings:
    """``BUDGETQL_AUTH=none`` (the default: ``userId`` arguments are trusted, for local
    use) or ``jwt``: a bearer token whose ``sub`` is the viewer. In ``jwt`` mode set one
    key source (``BUDGETQL_JWT_SECRET`` for HS256, ``BUDGETQL_JWT_PUBLIC_KEY`` (PEM text or
    a file) or ``BUDGETQL_JWKS_FILE`` for RS256/ES256) and both ``BUDGETQL_JWT_ISSUER`` and
    ``BUDGETQL_JWT_AUDIENCE``; :func:`graph.auth.authenticator` checks them at start."""

    mode: str = "none"
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_public_key: str | None = None
    jwks_file: str | None = None
    issuer: str | None = None
    audience: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "AuthSettings":
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            mode=(get("BUDGETQL_AUTH") or "none").lower(),
            jwt_secret=get("BUDGETQL_JWT_SECRET"),
            jwt_public_key=get("BUDGETQL_JWT_PUBLIC_KEY"),
            jwks_file=get("BUDGETQL_JWKS_FILE"),
            issuer=get("BUDGETQL_JWT_ISSUER"),
            audience=get("BUDGETQL_JWT_AUDIENCE"),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str
    migrate_on_start: bool = True
    max_subscriptions_per_connection: int = 20
    max_subscriptions_per_user: int = 100
    auth: AuthSettings = AuthSettings()

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides) -> "Settings":
        overrides.setdefault("auth", AuthSettings.from_env())
        return cls(database_url=resolve_database_url(database_url), **overrides)
