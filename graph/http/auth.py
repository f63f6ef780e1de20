"""Authentication: from a request's bearer token to the caller, a :class:`domain.access.Actor`.

* ``BUDGETQL_AUTH=none``: every caller is :data:`domain.access.TRUSTED`, so ``userId``
  arguments are believed. For local use only (``budgetql serve`` refuses a non-loopback
  address in this mode without ``--insecure``).
* ``BUDGETQL_AUTH=jwt``: HTTP requests carry ``Authorization: Bearer <token>``; a
  WebSocket carries it in its ``connection_init`` payload (``{"Authorization": "Bearer
  <token>"}``, or ``{"token": "<token>"}``). PyJWT checks the signature with the one
  configured key (HS256 secret, RS256/ES256 public key, or a JWKS file) and only that
  key's algorithm, and verifies ``exp``, ``nbf``, ``iss`` and ``aud`` (``exp``, ``iss``,
  ``aud`` and ``sub`` must be present). The ``sub`` claim is the viewer. A WebSocket is
  closed (4401) when its token expires.

Who may then do what is decided in :mod:`domain.access`, not here. Tokens are never
logged and never echoed in errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.responses import JSONResponse

from domain.access import TRUSTED, Actor
from domain.errors import BudgetError, unauthenticated

from graph.settings import AuthSettings

LEEWAY_SECONDS = 30  # clock skew tolerated on exp, nbf and iat
MIN_SECRET_BYTES = 32  # HS256 keys shorter than the hash are guessable (RFC 7518 §3.2)
ASYMMETRIC = ("RS256", "ES256")
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class AuthConfigError(ValueError):
    """Authentication settings that cannot work; the server refuses to start."""


class Authenticator(Protocol):
    mode: str

    def from_header(self, authorization: str | None) -> Actor:
        """The caller of an HTTP request, from its ``Authorization`` header; raises
        ``BudgetError(UNAUTHENTICATED)``."""
        ...

    def from_connection_params(self, params: Mapping[str, Any] | None) -> tuple[Actor, float | None]:
        """The caller of a WebSocket, from its ``connection_init`` payload, and until when
        its token is accepted (a Unix time: ``exp`` plus the leeway; None: forever)."""
        ...


class NoAuth:
    """``BUDGETQL_AUTH=none``: everyone is the trusted local caller."""

    mode = "none"

    def from_header(self, authorization: str | None) -> Actor:
        return TRUSTED

    def from_connection_params(self, params: Mapping[str, Any] | None) -> tuple[Actor, float | None]:
        return TRUSTED, None


class JwtAuth:
    """``BUDGETQL_AUTH=jwt``: a verified token's ``sub`` is the viewer."""

    mode = "jwt"

    def __init__(self, keys: "_Keys", issuer: str, audience: str):
        self.keys = keys
        self.issuer = issuer
        self.audience = audience

    def from_header(self, authorization: str | None) -> Actor:
        return self._caller(authorization)[0]

    def from_connection_params(self, params: Mapping[str, Any] | None) -> tuple[Actor, float | None]:
        params = params or {}
        header = params.get("Authorization", params.get("authorization"))
        if header is None and isinstance(params.get("token"), str):
            header = f"Bearer {params['token']}"
        return self._caller(header if isinstance(header, str) else None)

    def _caller(self, authorization: str | None) -> tuple[Actor, float]:
        if not authorization or not authorization.strip():
            raise unauthenticated("Authentication required: send Authorization: Bearer <token>")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthenticated("The Authorization header must be 'Bearer <token>'")
        claims = self.verify(token.strip())
        try:
            return Actor.viewer(claims["sub"]), float(claims["exp"]) + LEEWAY_SECONDS
        except BudgetError:
            raise unauthenticated("Invalid token: sub must be a user id of 1 to 200 characters") from None

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once its signature and claims check out."""
        try:
            key, algorithm = self.keys.for_token(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise unauthenticated("Token expired") from None
        except jwt.ImmatureSignatureError:
            raise unauthenticated("Token not valid yet") from None
        except jwt.PyJWTError as exc:
            raise unauthenticated(f"Invalid token: {exc}") from None
        return claims


class _Keys(Protocol):
    def for_token(self, token: str) -> tuple[Any, str]:
        """The key and the one algorithm to verify ``token`` with."""
        ...


class _OneKey:
    def __init__(self, key: Any, algorithm: str):
        self.key = key
        self.algorithm = algorithm

    def for_token(self, token: str) -> tuple[Any, str]:
        return self.key, self.algorithm


class _KeySet:
    """A JWKS file's RS256/ES256 keys, chosen by the token's ``kid`` (optional when
    the set holds one key). Each key verifies only its own algorithm."""

    def __init__(self, keys: list[jwt.PyJWK]):
        self.keys = keys

    def for_token(self, token: str) -> tuple[Any, str]:
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None and len(self.keys) == 1:
            found = self.keys[0]
        else:
            found = next((k for k in self.keys if kid is not None and k.key_id == kid), None)
        if found is None:
            raise jwt.InvalidTokenError("no key in the JWKS file matches the token's kid")
        return found.key, found.algorithm_name


def authenticator(settings: AuthSettings) -> Authenticator:
    """The authenticator for these settings; :class:`AuthConfigError` if they cannot work."""
    if settings.mode == "none":
        return NoAuth()
    if settings.mode != "jwt":
        raise AuthConfigError(f"BUDGETQL_AUTH must be none or jwt (got {settings.mode!r})")
    sources = [
        name
        for name, value in (
            ("BUDGETQL_JWT_SECRET", settings.jwt_secret),
            ("BUDGETQL_JWT_PUBLIC_KEY", settings.jwt_public_key),
            ("BUDGETQL_JWKS_FILE", settings.jwks_file),
        )
        if value
    ]
    if len(sources) != 1:
        raise AuthConfigError(
            "BUDGETQL_AUTH=jwt needs exactly one of BUDGETQL_JWT_SECRET (HS256), BUDGETQL_JWT_PUBLIC_KEY "
            f"or BUDGETQL_JWKS_FILE (RS256/ES256); got {', '.join(sources) or 'none'}"
        )
    missing = [n for n, v in (("BUDGETQL_JWT_ISSUER", settings.issuer), ("BUDGETQL_JWT_AUDIENCE", settings.audience)) if not v]
    if missing:
        raise AuthConfigError(f"BUDGETQL_AUTH=jwt needs {' and '.join(missing)}: tokens' iss and aud are always verified")
    if settings.jwt_secret:
        if len(settings.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise AuthConfigError(f"BUDGETQL_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes for HS256")
        keys: _Keys = _OneKey(settings.jwt_secret, "HS256")
    elif settings.jwt_public_key:
        keys = _public_key(settings.jwt_public_key)
    else:
        keys = _jwks(settings.jwks_file)
    return JwtAuth(keys, settings.issuer, settings.audience)


def _read(path: str, name: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise AuthConfigError(f"{name}: cannot read {path}: {exc.strerror}") from None


def _public_key(value: str) -> _OneKey:
    """PEM text, or the path of a PEM file: an RSA key (RS256) or a P-256 key (ES256)."""
    pem = value if value.lstrip().startswith("-----BEGIN") else _read(value, "BUDGETQL_JWT_PUBLIC_KEY")
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise AuthConfigError(f"BUDGETQL_JWT_PUBLIC_KEY is not a PEM public key: {exc}") from None
    if isinstance(key, rsa.RSAPublicKey):
        return _OneKey(key, "RS256")
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return _OneKey(key, "ES256")
    raise AuthConfigError("BUDGETQL_JWT_PUBLIC_KEY must be an RSA key (RS256) or a P-256 EC key (ES256)")


def _jwks(path: str) -> _KeySet:
    try:
        found = jwt.PyJWKSet.from_json(_read(path, "BUDGETQL_JWKS_FILE"))
    except (jwt.PyJWTError, ValueError) as exc:
        raise AuthConfigError(f"BUDGETQL_JWKS_FILE {path} is not a usable JWKS: {exc}") from None
    keys = [k for k in found.keys if k.algorithm_name in ASYMMETRIC]
    if not keys:
        raise AuthConfigError(f"BUDGETQL_JWKS_FILE {path} holds no RS256 or ES256 key")
    return _KeySet(keys)


def unauthenticated_response(error: BudgetError) -> JSONResponse:
    """HTTP 401 with a GraphQL error body (``extensions.code: UNAUTHENTICATED``) and no
    ``data``: the operation was not run."""
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": {"code": error.code.value}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="budgetql"'},
    )
