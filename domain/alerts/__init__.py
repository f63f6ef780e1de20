"""Alerts: the rules that say when spending crosses a threshold (``rules``), raising them
inside the write that causes them (``raising``), and reading them (``service``)."""

from domain.alerts.rules import BudgetAlerts

__all__ = ["BudgetAlerts"]
