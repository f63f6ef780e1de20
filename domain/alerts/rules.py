"""Alert rules: which alerts hold for a category's (or a budget's) figures.

Pure. An alert is raised once per (budget, period, category, type): the outbox's
unique key enforces "once", so evaluation only has to say which alerts hold after
a write; the ones already stored are not raised again, even when spending drops
back below a threshold and crosses it again within the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum

from domain.models import AlertThresholds
from domain.progress.rules import BudgetProgress, CategoryProgress, percent_of, ratio
from domain.models import utc_text

FORECAST_AFTER = timedelta(days=3)
EVENT = "budget.alert"


class AlertType(str, Enum):
    WARNING = "warning"
    LIMIT_REACHED = "limit_reached"
    OVERSPENDING = "overspending"
    PROJECTED_OVERSPEND = "projected_overspend"
    GOAL_REACHED = "goal_reached"
    GOAL_OFF_TRACK = "goal_off_track"


SEVERITY = {
    AlertType.PROJECTED_OVERSPEND: "info",
    AlertType.WARNING: "warning",
    AlertType.LIMIT_REACHED: "high",
    AlertType.OVERSPENDING: "critical",
    AlertType.GOAL_REACHED: "info",
    AlertType.GOAL_OFF_TRACK: "warning",
}

_LABEL = {
    AlertType.WARNING: "WARNING",
    AlertType.LIMIT_REACHED: "LIMIT REACHED",
    AlertType.OVERSPENDING: "OVERSPENDING",
    AlertType.PROJECTED_OVERSPEND: "PROJECTED OVERSPEND",
    AlertType.GOAL_REACHED: "GOAL REACHED",
    AlertType.GOAL_OFF_TRACK: "GOAL OFF TRACK",
}


@dataclass(frozen=True)
class Alert:
    """An alert that holds for some figures (not yet stored: raised, it is an :class:`AlertEvent`)."""

    budget_id: str
    category: str | None  # None: the budget's total
    alert_type: AlertType
    severity: str
    message: str
    percent_used: Decimal | None
    spent_amount: Decimal
    budgeted_amount: Decimal
    remaining_amount: Decimal


@dataclass(frozen=True)
class AlertEvent(Alert):
    """A raised alert, as stored in the outbox and sent to subscribers and webhooks: the
    alert's figures, and whose budget, which period, when."""

    id: str
    seq: int  # order of raising; 0 until stored
    user_id: str
    period_start: datetime
    timestamp: datetime
    acknowledged_at: datetime | None = None
    # The budget's members besides its owner (``user_id``): they receive it too.
    audience: frozenset[str] = frozenset()
    goal_id: str | None = None  # GOAL_REACHED / GOAL_OFF_TRACK: the goal

    @property
    def recipients(self) -> frozenset[str]:
        """Everyone it is delivered to (subscriptions, webhooks): the owner and the members."""
        return self.audience | {self.user_id}

    @property
    def alert_id(self) -> str:
        """``id``, under the name GraphQL and the webhook body give it."""
        return self.id

    @property
    def triggered_at(self) -> datetime:
        """``timestamp``, under the name of the spec's ``BudgetAlert``."""
        return self.timestamp

    @classmethod
    def raised(
        cls, alert: Alert, user_id: str, period_start: datetime, now: datetime, audience: frozenset[str] = frozenset()
    ) -> "AlertEvent":
        from domain.models import new_id

        # Per alert that holds, on every write that counts: one unpacking of its fields.
        return cls(
            **vars(alert), id=new_id("alr"), seq=0, user_id=user_id, period_start=period_start, timestamp=now,
            audience=audience,
        )

    def payload(self) -> dict:
        """The spec's webhook body (``event: budget.alert``); amounts stay exact
        (Decimal): the JSON encoder writes them as numbers from their decimal text."""
        return {
            "event": EVENT,
            "alert_id": self.id,
            "budget_id": self.budget_id,
            "user_id": self.user_id,
            "category": self.category,
            "alert_type": self.alert_type.value,
            "severity": self.severity,
            "message": self.message,
            "percent_used": self.percent_used,
            "spent_amount": self.spent_amount,
            "budgeted_amount": self.budgeted_amount,
            "remaining_amount": self.remaining_amount,
            "period_start": self.period_start.isoformat(),
            "timestamp": utc_text(self.timestamp),
            **({"goal_id": self.goal_id} if self.goal_id else {}),
        }


def shown_percent(r: Decimal) -> str:
    """A ratio as the message shows it: rounded down to 2 places like ``percentUsed``
    (109.998% is 109.99%, never 110.0%), with at least one decimal (90.0%, 85.5%)."""
    text = format(percent_of(r), "f")
    return text[:-1] if text.endswith("0") else text


def message(alert_type: AlertType, subject: str, r: Decimal | None, projected: Decimal | None = None) -> str:
    shown = "no limit" if r is None else f"{shown_percent(r)}%"
    if alert_type is AlertType.PROJECTED_OVERSPEND:
        return f"{_LABEL[alert_type]}: {subject} budget on pace to spend {projected} by period end ({shown} so far)"
    return f"{_LABEL[alert_type]}: {subject} budget at {shown}"


def levels_held(spent: Decimal, budgeted: Decimal, t: AlertThresholds) -> list[AlertType]:
    """Threshold alerts that hold for these figures, lowest first. Spending with
    nothing budgeted is past every threshold."""
    r = ratio(spent, budgeted)
    if r is None:
        return [AlertType.WARNING, AlertType.LIMIT_REACHED, AlertType.OVERSPENDING] if spent > 0 else []
    held = []
    for level, threshold in (
        (AlertType.WARNING, t.warning),
        (AlertType.LIMIT_REACHED, t.limit_reached),
        (AlertType.OVERSPENDING, t.overspending),
    ):
        if r >= threshold:
            held.append(level)
    return held


def _alert(budget_id: str, category: str | None, subject: str, kind: AlertType, spent, budgeted, projected=None) -> Alert:
    r = ratio(spent, budgeted)
    return Alert(
        budget_id=budget_id,
        category=category,
        alert_type=kind,
        severity=SEVERITY[kind],
        message=message(kind, subject, r, projected),
        percent_used=None if r is None else percent_of(r),
        spent_amount=spent,
        budgeted_amount=budgeted,
        remaining_amount=budgeted - spent,
    )


def _forecast_holds(c: CategoryProgress, p: BudgetProgress, now: datetime, t: AlertThresholds) -> bool:
    if now < p.period_start + FORECAST_AFTER or now > p.period_end:
        return False
    r = ratio(c.spent_amount, c.budgeted_amount)
    if r is None or r >= t.limit_reached:
        return False  # already at the limit: that alert says more than a forecast
    return c.projected_spent > c.budgeted_amount


def evaluate(
    p: BudgetProgress, thresholds: AlertThresholds, budget_name: str, now: datetime
) -> list[Alert]:
    """Every alert that holds for a budget's period: per category, for the total,
    and forecast alerts (from 3 days into the period, while it runs)."""
    result: list[Alert] = []
    for c in p.categories:
        for kind in levels_held(c.spent_amount, c.budgeted_amount, thresholds):
            result.append(_alert(p.budget_id, c.category_name, c.category_name, kind, c.spent_amount, c.budgeted_amount))
        if _forecast_holds(c, p, now, thresholds):
            result.append(
                _alert(
                    p.budget_id, c.category_name, c.category_name, AlertType.PROJECTED_OVERSPEND,
                    c.spent_amount, c.budgeted_amount, c.projected_spent,
                )
            )
    for kind in levels_held(p.total_spent, p.total_budgeted, thresholds):
        result.append(_alert(p.budget_id, None, budget_name, kind, p.total_spent, p.total_budgeted))
    return result


class BudgetAlerts:
    """The spec's Python API: which alerts hold for given figures.

        alerts = BudgetAlerts(warning_threshold=0.80, limit_threshold=1.00, overspending_threshold=1.10)
        for alert in alerts.check_budget(budget_id="bud_123", spent_amount=540.00, budgeted_amount=600.00):
            print(f"{alert.severity}: {alert.message}")
    """

    def __init__(self, warning_threshold=Decimal("0.80"), limit_threshold=Decimal("1.00"), overspending_threshold=Decimal("1.10")):
        from domain import validation

        self.thresholds = validation.thresholds(
            {"warning": warning_threshold, "limit_reached": limit_threshold, "overspending": overspending_threshold}
        )

    def check_budget(self, budget_id: str, spent_amount, budgeted_amount, category: str | None = None) -> list[Alert]:
        from domain.money import to_decimal

        spent = to_decimal(spent_amount, "spent_amount")
        budgeted = to_decimal(budgeted_amount, "budgeted_amount")
        subject = category or budget_id
        return [
            _alert(budget_id, category, subject, kind, spent, budgeted)
            for kind in levels_held(spent, budgeted, self.thresholds)
        ]
