"""Opaque page cursors: base64 of a kind and a position (a row's sequence number,
optionally preceded by the timestamp the list is ordered by)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from domain.errors import validation


def _wrap(prefix: str, position: str) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{position}".encode()).decode().rstrip("=")


def _unwrap(prefix: str, cursor: str, parse):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if kind != prefix:
            raise ValueError(kind)
        return parse(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise validation(f"Invalid cursor {cursor!r}: pass an endCursor from a previous page", "after") from None


def encode(prefix: str, seq: int) -> str:
    return _wrap(prefix, str(seq))


def decode(prefix: str, cursor: str | None) -> int | None:
    return None if not cursor else _unwrap(prefix, cursor, int)


def encode_pair(prefix: str, at: datetime, seq: int) -> str:
    return _wrap(prefix, f"{at.isoformat()}|{seq}")


def _parse_pair(raw: str) -> tuple[datetime, int]:
    at, _, seq = raw.partition("|")
    return datetime.fromisoformat(at), int(seq)


def decode_pair(prefix: str, cursor: str | None) -> tuple[datetime, int] | None:
    return None if not cursor else _unwrap(prefix, cursor, _parse_pair)
