"""Alert rules without a database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

from domain.alerts import rules as alerts
from domain.progress import rules as progress
from domain.alerts.rules import AlertType
from domain.models import AlertThresholds

T = AlertThresholds()


def test_levels_at_the_exact_thresholds():
    assert alerts.levels_held(D("79.99"), D("100"), T) == []
    assert alerts.levels_held(D("80"), D("100"), T) == [AlertType.WARNING]
    assert alerts.levels_held(D("100"), D("100"), T) == [AlertType.WARNING, AlertType.LIMIT_REACHED]
    assert alerts.levels_held(D("110"), D("100"), T) == [AlertType.WARNING, AlertType.LIMIT_REACHED, AlertType.OVERSPENDING]


def test_spending_with_nothing_budgeted_is_past_every_threshold():
    assert len(alerts.levels_held(D("1"), D("0"), T)) == 3
    assert alerts.levels_held(D("0"), D("0"), T) == []
    assert alerts.levels_held(D("-5"), D("0"), T) == []


def _progress(spent: str, budgeted: str, now: datetime) -> progress.BudgetProgress:
    from domain.models import Budget, BudgetPeriod, BudgetType, CategoryLimit, RolloverMode

    b = Budget(
        id="b", user_id="u", name="Home", type=BudgetType.PERSONAL, period=BudgetPeriod.MONTHLY, currency="USD",
        limits=(CategoryLimit("Food", D(budgeted)),), start_date=datetime(2025, 11, 1),
        end_date=datetime(2025, 11, 30, 23, 59, 59), rollover_mode=RolloverMode.NONE, created_at=now, updated_at=now,
    )
    return progress.compute(b, 0, {0: {"food": D(spent)}}, now=now)


def test_forecast_waits_three_days_and_stops_at_the_limit():
    early, later = datetime(2025, 11, 3, 23), datetime(2025, 11, 4, 0)
    kinds = lambda p, now: [a.alert_type for a in alerts.evaluate(p, T, "Home", now) if a.category]
    assert kinds(_progress("50", "100", early), early) == []
    assert kinds(_progress("50", "100", later), later) == [AlertType.PROJECTED_OVERSPEND]
    at_limit = datetime(2025, 11, 10)
    assert AlertType.PROJECTED_OVERSPEND not in kinds(_progress("100", "100", at_limit), at_limit)
    slow = datetime(2025, 11, 20)
    assert kinds(_progress("10", "100", slow), slow) == []


def test_messages_and_payload():
    now = datetime(2025, 11, 15, 14, 30)
    p = _progress("90", "100", now)
    found = alerts.evaluate(p, T, "Home", now)
    assert [a.message for a in found if a.alert_type is AlertType.WARNING] == [
        "WARNING: Food budget at 90.0%",
        "WARNING: Home budget at 90.0%",
    ]
    event = alerts.AlertEvent.raised(found[0], "u", p.period_start, datetime(2025, 11, 15, 14, 30))
    body = event.payload()
    assert body["event"] == "budget.alert" and body["alert_type"] == "warning"
    assert (body["spent_amount"], body["budgeted_amount"], body["remaining_amount"]) == (D("90.00"), D("100.00"), D("10.00"))
    assert body["percent_used"] == D("90.00") and body["category"] == "Food"
