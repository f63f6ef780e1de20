"""Automatic persisted queries (Apollo's APQ protocol) on ``/graphql``, over GET and POST.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}``
(the SHA-256 of the query text) without ``query``. When this process has the text
for that hash (a bounded LRU cache), the request runs as if it had sent it;
otherwise the answer is, with HTTP 200, the error Apollo's clients wait for
(``PersistedQueryNotFound``, ``extensions.code`` ``PERSISTED_QUERY_NOT_FOUND``), and
the client sends the hash again with the query, which registers it once the hash
is checked. Only the document's text is resolved here: the request then goes the
usual way (parse and validation caches, the limits of graph/api/core/limits.py,
GET running queries only), so a persisted query is checked on every use exactly
like a sent one.

A document is registered only when it got as far as execution (a result with
``data``): one rejected by parsing, validation or a limit is not kept.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any

from cross_web import HTTPException

DEFAULT_CACHE_SIZE = 10_000

NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"  # Apollo Link and Apollo iOS/Kotlin match this text
HASH_MISMATCH = "provided sha does not match query"

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class PersistedQueryNotFound(Exception):
    """The hash is not in this process's cache: the client should send the query with it."""


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueryCache:
    """Query texts by their SHA-256 hex, the least recently used dropped beyond ``maxsize``."""

    def __init__(self, maxsize: int = DEFAULT_CACHE_SIZE):
        if maxsize < 1:
            raise ValueError("the persisted query cache needs room for at least one query")
        self.maxsize = maxsize
        self._queries: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._queries)

    def get(self, sha256: str) -> str | None:
        with self._lock:
            query = self._queries.get(sha256)
            if query is not None:
                self._queries.move_to_end(sha256)
            return query

    def put(self, sha256: str, query: str) -> None:
        with self._lock:
            self._queries[sha256] = query
            self._queries.move_to_end(sha256)
            while len(self._queries) > self.maxsize:
                self._queries.popitem(last=False)


def persisted_hash(extensions: Any) -> str | None:
    """The request's checked ``persistedQuery`` hash, or None when it does not use APQ.

    Raises ``HTTPException(400)`` for a ``persistedQuery`` that is not version 1 with
    a SHA-256 hex hash."""
    if not isinstance(extensions, dict) or extensions.get("persistedQuery") is None:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        raise HTTPException(400, "extensions.persistedQuery must be an object")
    if persisted.get("version") != 1:
        raise HTTPException(400, "Unsupported persisted query version (only version 1 is supported)")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256_HEX.fullmatch(sha256.lower()):
        raise HTTPException(400, "extensions.persistedQuery.sha256Hash must be a SHA-256 hex digest")
    return sha256.lower()


def resolve(cache: PersistedQueryCache, query: str | None, extensions: Any) -> str | None:
    """The query text to run for one request.

    Without APQ: the query as sent. With a hash only: the cached text
    (``PersistedQueryNotFound`` when there is none). With both: the query, once its
    hash is checked (``HTTPException(400)`` if it does not match)."""
    sha256 = persisted_hash(extensions)
    if sha256 is None:
        return query
    if query is None:
        cached = cache.get(sha256)
        if cached is None:
            raise PersistedQueryNotFound()
        return cached
    if sha256_hex(query) != sha256:
        raise HTTPException(400, HASH_MISMATCH)
    return query


def uses_persisted_query(query_params: Any) -> bool:
    """A GET whose ``extensions`` name a persisted query (so not a browser asking for GraphiQL)."""
    return "persistedQuery" in (query_params.get("extensions") or "")
