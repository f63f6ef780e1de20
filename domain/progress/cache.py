"""Progress computed once per change: a bounded cache shared by a process's requests.

A budget's figures for period ``k`` depend on the budget (its version moves on every
edit), on who counts in it and from when (its members), on the spending of each of
those users (their spending version, raised by every write of their transactions in
the same database transaction, in any process), and on the day they are seen from
(days elapsed and the forecast count whole days). That tuple is the key: an entry
whose inputs changed is never found again and ages out, so nothing needs deleting and
a write on another process is seen on the next read, which reads the versions afresh.

Only read-only requests fill it: a write computes alerts from its own uncommitted
spending, which a rollback could undo.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from typing import Hashable, Mapping

from domain.models import Budget
from domain.progress.rules import BudgetProgress

SIZE = 20_000  # entries; a page of 50 budgets with 12 periods each is 600

Key = tuple[Hashable, ...]


def key_of(budget: Budget, k: int, day: date, versions: Mapping[str, int]) -> Key:
    return (
        budget.id,
        budget.version,
        budget.members,
        tuple(versions[u] for u in sorted(budget.spender_ids)),
        k,
        day,
    )


class ProgressCache:
    def __init__(self, size: int = SIZE):
        self.size = size
        self._entries: OrderedDict[Key, BudgetProgress] = OrderedDict()

    def get(self, key: Key) -> BudgetProgress | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Key, progress: BudgetProgress) -> None:
        self._entries[key] = progress
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
