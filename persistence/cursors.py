"""Opaque page cursors: a base64 wrapping of a row's sequence number."""

from __future__ import annotations

import base64
import binascii

from domain.errors import validation


def encode(prefix: str, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{prefix}:{seq}".encode()).decode().rstrip("=")


def decode(prefix: str, cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if kind != prefix:
            raise ValueError(kind)
        return int(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise validation(f"Invalid cursor {cursor!r}: pass an endCursor from a previous page", "after") from None
