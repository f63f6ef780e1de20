"""A write's notices, sent in one statement just before it commits (PostgreSQL).

Two channels carry what a committed write means to other processes: the new alerts'
seqs (``budgetql_alerts``, see :mod:`persistence.alert_repository`) and the users and
budgets whose figures changed (``budgetql_changes``, see :mod:`persistence.changes`).
NOTIFY is transactional: PostgreSQL delivers them on COMMIT, in the order sent, and
never for a write that rolls back. Sending them all in one ``SELECT pg_notify(…),
pg_notify(…)`` costs one round trip per write, however many there are, inside the
time an alert takes from being raised to reaching its subscribers.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .alert_repository import CHANNEL as ALERTS, NOTIFY_CHUNK
from .changes import CHANNEL as CHANGES, Changes, encode


def pending(seqs: Sequence[int], changes: Changes) -> list[tuple[str, str]]:
    """(channel, payload) pairs: the alert seqs in chunks, then the changes."""
    notices = [
        (ALERTS, ",".join(map(str, seqs[i : i + NOTIFY_CHUNK]))) for i in range(0, len(seqs), NOTIFY_CHUNK)
    ]
    if changes:
        notices += [(CHANGES, payload) for payload in encode(changes)]
    return notices


async def send(session: AsyncSession, notices: Sequence[tuple[str, str]]) -> None:
    if not notices:
        return
    calls = ", ".join(f"pg_notify(:c{i}, :p{i})" for i in range(len(notices)))
    params = {}
    for i, (channel, payload) in enumerate(notices):
        params[f"c{i}"], params[f"p{i}"] = channel, payload
    await session.execute(text(f"SELECT {calls}"), params)
