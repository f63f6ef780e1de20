"""Raising alerts inside the write that changes spending or limits.

Called within the writer's unit of work, after its changes and before commit, so
an alert is stored (in the outbox) exactly when the write is, and never for a
write that rolls back.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timezone
from typing import Iterable, Sequence

from domain import periods
from domain.alerts import rules as alerts
from domain.alerts.delivery import pending_deliveries
from domain.alerts.rules import AlertEvent
from domain.models import Budget, RolloverMode, Transaction, naive
from domain.ports import UnitOfWork
from domain.progress.batch import progress_in
from domain.time_zones import wall_clock


async def raise_for(uow: UnitOfWork, keys: Iterable[tuple[Budget, int]], now: datetime) -> list[AlertEvent]:
    """Evaluate each (budget, period) and store the alerts that hold and are new."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    figures = await progress_in(uow, [(b, k, None) for b, k in keys], now)
    stamp = naive(now).replace(tzinfo=timezone.utc)
    events = [
        AlertEvent.raised(a, budget.user_id, p.period_start, stamp, frozenset(m.user_id for m in budget.members))
        for (budget, _), p in zip(keys, figures)
        for a in alerts.evaluate(p, budget.thresholds, budget.name, wall_clock(now, budget.time_zone))
    ]
    stored = await uow.alerts.add(events)
    await enqueue(uow, stored, stamp)
    return stored


def spenders(written: Sequence[Transaction]) -> list[str]:
    """The users whose spending these transactions change (income and uncategorized
    transactions count nowhere)."""
    return sorted({t.user_id for t in written if t.parts})


async def counting_budgets(uow: UnitOfWork, written: Sequence[Transaction]) -> list[Budget]:
    """The budgets counting these transactions (their owners' and, for HOUSEHOLD budgets,
    their members'), locked in id order so concurrent writers evaluate one at a time."""
    users = spenders(written)
    return await uow.budgets.counting_spending_of(users, for_update=True) if users else []


async def after_spending(
    uow: UnitOfWork, written: Sequence[Transaction], now: datetime, budgets: Sequence[Budget]
) -> list[AlertEvent]:
    """Alerts of ``budgets`` (those counting these transactions, see :func:`counting_budgets`)
    in the periods the transactions fall in (and the current period of rollover budgets,
    whose carry they change)."""
    touched: dict[str, set] = defaultdict(set)
    for t in written:
        for key, _ in t.parts:
            touched[t.user_id].add((key, t.currency, datetime.combine(t.occurred_on, time())))
    keys = []
    for b in budgets:
        mine = b.all_keys if b.has_history else {c.key for c in b.limits}
        anchor = periods.anchor_of(b.start_date)
        current = periods.index_at(anchor, b.period, wall_clock(now, b.time_zone))
        # Most spending lands in the current period: no calendar arithmetic for it.
        this = periods.window(anchor, b.period, current)
        touched_periods: set[int] = set()
        for user in b.spender_ids & touched.keys():
            for key, currency, at in touched[user]:
                if key in mine and currency == b.currency:
                    in_this = this.start <= at < this.next_start
                    touched_periods.add(current if in_this else periods.index_at(anchor, b.period, at))
        if b.rollover_mode is not RolloverMode.NONE and any(k < current for k in touched_periods):
            touched_periods.add(current)
        keys.extend((b, k) for k in sorted(touched_periods))
    return await raise_for(uow, keys, now)


async def after_budget_change(uow: UnitOfWork, budget: Budget, now: datetime) -> list[AlertEvent]:
    k = periods.index_at(periods.anchor_of(budget.start_date), budget.period, wall_clock(now, budget.time_zone))
    return await raise_for(uow, [(budget, k)], now)


async def enqueue(uow: UnitOfWork, events: Sequence[AlertEvent], now: datetime) -> None:
    """Queue each new alert for each webhook of its recipients (owner and members), in
    the caller's transaction:
    a delivery exists exactly when its alert committed. Webhooks registered later do not
    get earlier alerts."""
    if not events:
        return
    hooks = [h for h in await uow.webhooks.for_users(sorted(set().union(*(e.recipients for e in events)))) if h.active]
    if hooks:
        await uow.webhooks.add_deliveries(pending_deliveries(events, hooks, now))
