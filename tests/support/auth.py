"""Tokens and clients for the tests of a server with BUDGETQL_AUTH=jwt."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt

SECRET = "budgetql-test-secret-0123456789abcdef"  # 37 bytes: HS256 wants at least 32
ISSUER = "https://issuer.budgetql.test/"
AUDIENCE = "budgetql-tests"
JWT_ENV = {
    "BUDGETQL_AUTH": "jwt",
    "BUDGETQL_JWT_SECRET": SECRET,
    "BUDGETQL_JWT_ISSUER": ISSUER,
    "BUDGETQL_JWT_AUDIENCE": AUDIENCE,
}
OMIT = object()


def mint(sub, *, key=SECRET, algorithm: str = "HS256", headers: dict | None = None, **claims) -> str:
    """A token for ``sub`` valid for 10 minutes; ``claim=OMIT`` leaves a claim out."""
    now = int(time.time())
    payload = {"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 600, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not OMIT}, key, algorithm=algorithm, headers=headers)


def new_user(prefix: str = "user") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


class Api:
    """One user's GraphQL and REST client for a running server (``token=None``: none sent)."""

    def __init__(self, base: str, user: str | None = None, token: str | None = None):
        self.base = base
        self.user = user
        self.token = token if token is not None or user is None else mint(user)

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def post(self, query: str, variables: dict | None = None) -> httpx.Response:
        return httpx.post(
            self.base + "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers, timeout=30
        )

    def raw(self, query: str, variables: dict | None = None) -> dict:
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        return response.json()

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = self.raw(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error_code(self, query: str, variables: dict | None = None) -> str:
        """The code of a query's one error (it must have one, and no data for its field)."""
        body = self.raw(query, variables)
        assert body.get("errors") and len(body["errors"]) == 1, body
        return body["errors"][0]["extensions"]["code"]

    def rest(self, method: str, path: str, **kwargs) -> httpx.Response:
        return httpx.request(method, self.base + path, headers=self.headers, timeout=30, **kwargs)

    @property
    def ws_init(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}
