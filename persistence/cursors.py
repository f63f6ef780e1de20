"""Opaque page cursors: a list's position (a row's sequence number, optionally preceded
by the timestamp the list is ordered by), sealed so that a client can read nothing
from it and forge nothing.

Positions are sequence numbers shared by all tenants, so a readable cursor would tell
a tenant how many budgets, transactions or alerts everyone has. Each cursor is the
position packed in 8 or 16 bytes and encrypted with AES-SIV (``cryptography``), the
kind of list (``budget``, ``alert``, …) bound in as associated data: URL-safe base64,
32 or 43 characters. AES-SIV is deterministic (one position, one cursor) and
authenticated, so a tampered or truncated cursor, or one of another list kind, does
not open: that is ``VALIDATION`` on ``after``, never a 500.

The key comes from ``BUDGETQL_CURSOR_SECRET`` when set (at least 32 characters; every
process of a deployment needs the same one), else from the database: migration 0003
stores a random secret in ``server_secrets``, so every process on one database (``serve
--workers N``, several hosts) seals and opens the same cursors with nothing to
configure. Either way HKDF-SHA256 turns the secret into the key. Changing the secret
only invalidates cursors already handed out.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import struct
from datetime import datetime, timedelta, timezone

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from domain.errors import validation

from .tables import ServerSecretRow

SECRET_NAME = "cursor_key"
_INFO = b"budgetql page cursors v1"
_AD = b"budgetql-cursor"
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)
_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what encode() makes, give or take
_LONG_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,600}")  # what seal_bytes() makes (up to ~400 bytes)


def new_secret() -> str:
    return secrets.token_urlsafe(48)


def _invalid(field: str = "after", message: str = "pass an endCursor from a previous page of the same list"):
    return validation(f"Invalid cursor: {message}", field)


class CursorCodec:
    """Seals and opens cursors with one secret."""

    def __init__(self, secret: str):
        key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_INFO).derive(secret.encode("utf-8"))
        self._siv = AESSIV(key)

    def _seal(self, kind: str, plain: bytes) -> str:
        sealed = self._siv.encrypt(plain, [_AD, kind.encode()])
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def _open(self, kind: str, cursor: object, size: int) -> bytes:
        if not isinstance(cursor, str) or not _SHAPE.fullmatch(cursor):
            raise _invalid()
        try:
            sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            plain = self._siv.decrypt(sealed, [_AD, kind.encode()])
        except (InvalidTag, ValueError, binascii.Error):
            raise _invalid() from None
        if len(plain) != size:
            raise _invalid()
        return plain

    def seal_bytes(self, kind: str, plain: bytes, *bound: str) -> str:
        """Any short position (``plain``), bound to ``kind`` and ``bound`` (a user id, so
        one user's cursor does not open for another)."""
        sealed = self._siv.encrypt(plain, [_AD, kind.encode(), *(b.encode() for b in bound)])
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open_bytes(self, kind: str, cursor: object, field: str, message: str, *bound: str) -> bytes:
        """What :meth:`seal_bytes` sealed; VALIDATION on ``field`` (with ``message``) for
        anything else."""
        if not isinstance(cursor, str) or not _LONG_SHAPE.fullmatch(cursor):
            raise _invalid(field, message)
        try:
            sealed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            return self._siv.decrypt(sealed, [_AD, kind.encode(), *(b.encode() for b in bound)])
        except (InvalidTag, ValueError, binascii.Error):
            raise _invalid(field, message) from None

    def encode(self, kind: str, seq: int) -> str:
        return self._seal(kind, struct.pack("!q", seq))

    def decode(self, kind: str, cursor: str | None) -> int | None:
        if not cursor:
            return None
        return struct.unpack("!q", self._open(kind, cursor, 8))[0]

    def encode_pair(self, kind: str, at: datetime, seq: int) -> str:
        """``at`` as stored: naive UTC (an aware one is converted)."""
        if at.tzinfo is not None:
            at = at.astimezone(timezone.utc).replace(tzinfo=None)
        return self._seal(kind, struct.pack("!qq", (at - _EPOCH) // _MICROSECOND, seq))

    def decode_pair(self, kind: str, cursor: str | None) -> tuple[datetime, int] | None:
        if not cursor:
            return None
        micros, seq = struct.unpack("!qq", self._open(kind, cursor, 16))
        try:
            return _EPOCH + micros * _MICROSECOND, seq
        except OverflowError:  # only a forged cursor could carry it; they do not open
            raise _invalid() from None


async def stored_secret(executor) -> str:
    """The deployment's cursor secret from ``server_secrets`` (an ``AsyncSession`` or
    ``AsyncConnection``, in its transaction). Migration 0003 stores it; should the row
    be gone, a new one is stored (the first writer's wins)."""
    query = select(ServerSecretRow.value).where(ServerSecretRow.name == SECRET_NAME)
    value = (await executor.execute(query)).scalar_one_or_none()
    if value is None:
        dialect = getattr(executor, "dialect", None) or executor.bind.dialect  # a connection, or a session
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        await executor.execute(
            insert(ServerSecretRow).values(name=SECRET_NAME, value=new_secret()).on_conflict_do_nothing()
        )
        value = (await executor.execute(query)).scalar_one()
    return value


class Cursors:
    """The cursor codec of one database: from ``secret`` (``BUDGETQL_CURSOR_SECRET``),
    else from the stored secret, read once (at start with :meth:`load`, or on first use)."""

    def __init__(self, secret: str | None = None):
        self._codec = CursorCodec(secret) if secret else None

    async def load(self, engine) -> None:
        if self._codec is None:
            async with engine.begin() as connection:
                self._codec = CursorCodec(await stored_secret(connection))

    async def codec(self, session) -> CursorCodec:
        if self._codec is None:
            self._codec = CursorCodec(await stored_secret(session))
        return self._codec
