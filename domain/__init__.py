"""Budgeting itself: pure Python, no web framework and no database library."""

from .errors import BudgetError, ErrorCode
from .models import AlertThresholds, Budget, BudgetPeriod, BudgetType, CategoryLimit, RolloverMode

__all__ = [
    "AlertThresholds",
    "Budget",
    "BudgetError",
    "BudgetPeriod",
    "BudgetType",
    "CategoryLimit",
    "ErrorCode",
    "RolloverMode",
]
