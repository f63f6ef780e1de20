"""A budget's change log: what each recorded change did, field by field.

Pure but for :func:`record`, which writes a revision in the caller's unit of work, so
a change and its entry commit together. Values are text: enums by their GraphQL
names (``MONTHLY``), dates as ISO 8601, amounts and thresholds as exact decimals.
Paths: ``name``, ``type``, ``period``, ``currency``, ``startDate``, ``rolloverMode``,
``timeZone``, ``thresholds.warning`` (``limitReached``, ``overspending``),
``categories.Groceries.amount`` (the plan from the revision's effective period on),
``periods.3.categories.Groceries.amount`` (a period-only amount) and
``members.bob.role`` (sharing: null before a member joined, after they left).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Iterable

from domain.access import Actor
from domain.models import Budget, BudgetRevision, CategoryLimit, FieldChange
from domain.ports import UnitOfWork


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if hasattr(value, "name") and hasattr(value, "value"):  # an enum: its GraphQL name
        return value.name
    return str(value)


def _fields(b: Budget | None) -> dict[str, str | None]:
    if b is None:
        return {}
    return {
        "name": b.name,
        "type": _text(b.type),
        "period": _text(b.period),
        "currency": b.currency,
        "startDate": _text(b.start_date),
        "rolloverMode": _text(b.rollover_mode),
        "timeZone": b.time_zone,
        "thresholds.warning": _text(b.thresholds.warning),
        "thresholds.limitReached": _text(b.thresholds.limit_reached),
        "thresholds.overspending": _text(b.thresholds.overspending),
    }


def _amounts(limits: Iterable[CategoryLimit]) -> dict[str, tuple[str, str]]:
    """key → (name, amount) in order."""
    return {c.key: (c.name, str(c.amount)) for c in limits}


def _pairs(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]], prefix: str) -> list[FieldChange]:
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and old == new:
            continue
        name = (new or old)[0]
        changes.append(FieldChange(f"{prefix}{name}.amount", old[1] if old else None, new[1] if new else None))
    return changes


def diff(before: Budget | None, after: Budget, effective_period: int | None = None) -> tuple[FieldChange, ...]:
    """What changed from ``before`` (None: created) to ``after``."""
    old, new = _fields(before), _fields(after)
    changes = [FieldChange(f, old.get(f), new[f]) for f in new if old.get(f) != new[f]]
    k = effective_period if effective_period is not None else 0
    old_plan = _amounts(before.plan_at(k)) if before is not None else {}
    changes += _pairs(old_plan, _amounts(after.plan_at(k)), "categories.")
    old_overrides = {(o.period, o.key): o for o in (before.overrides if before else ())}
    new_overrides = {(o.period, o.key): o for o in after.overrides}
    for at in sorted(set(old_overrides) | set(new_overrides)):
        o, n = old_overrides.get(at), new_overrides.get(at)
        if o is not None and n is not None and o.amount == n.amount:
            continue
        name = (n or o).category
        changes.append(
            FieldChange(
                f"periods.{at[0]}.categories.{name}.amount",
                str(o.amount) if o else None,
                str(n.amount) if n else None,
            )
        )
    old_members = {m.user_id: _text(m.role) for m in (before.members if before else ())}
    new_members = {m.user_id: _text(m.role) for m in after.members}
    for user in [*old_members, *(u for u in new_members if u not in old_members)]:
        if old_members.get(user) != new_members.get(user):
            changes.append(FieldChange(f"members.{user}.role", old_members.get(user), new_members.get(user)))
    return tuple(changes)


async def record(
    uow: UnitOfWork,
    before: Budget | None,
    after: Budget,
    actor: Actor | None,
    now: datetime,
    effective_period: int | None = None,
) -> BudgetRevision | None:
    """Write the revision from ``before`` to ``after`` (nothing when nothing changed)."""
    changes = diff(before, after, effective_period)
    if not changes:
        return None
    revision = BudgetRevision(
        budget_id=after.id,
        version=after.version,
        changed_at=now,
        changed_by=actor.user_id if actor is not None else None,
        effective_period=effective_period,
        changes=changes,
    )
    await uow.budgets.add_revision(revision)
    return revision
