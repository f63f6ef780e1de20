"""What a write changed, announced once it commits, for live ``budgetProgress``.

A unit of work collects the users whose spending version it raised and the budgets it
wrote (edited, re-amounted, shared, deleted). On PostgreSQL it NOTIFYs them on
:data:`CHANNEL` in the writing transaction, in one statement with its alerts'
(``persistence/notices.py``), so every process hears exactly the committed writes; on SQLite the bus hands them to the hub after the commit. Ids only:
a subscriber re-reads the figures it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNEL = "budgetql_changes"
PAYLOAD_MAX = 7_000  # characters per NOTIFY: under PostgreSQL's 8,000-byte cap


@dataclass
class Changes:
    users: set[str] = field(default_factory=set)
    budgets: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.users or self.budgets)


def encode(changes: Changes) -> list[str]:
    """Payloads of ``u:<id>`` and ``b:<id>`` items, comma-separated (ids hold no commas:
    they are the server's own ids and user ids checked as storable text)."""
    items = [f"u:{u}" for u in sorted(changes.users)] + [f"b:{b}" for b in sorted(changes.budgets)]
    payloads, current = [], ""
    for item in items:
        if current and len(current) + 1 + len(item) > PAYLOAD_MAX:
            payloads.append(current)
            current = ""
        current = f"{current},{item}" if current else item
    if current:
        payloads.append(current)
    return payloads


def decode(payload: str) -> Changes:
    changes = Changes()
    for item in payload.split(","):
        kind, _, ident = item.partition(":")
        if kind == "u" and ident:
            changes.users.add(ident)
        elif kind == "b" and ident:
            changes.budgets.add(ident)
    return changes
