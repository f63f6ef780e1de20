"""Budgeting itself: pure Python, no web framework and no database library."""

from domain.templates.builtin import BUILTINS, list_templates
from .errors import BudgetError, ErrorCode
from .models import AlertThresholds, Budget, BudgetPeriod, BudgetType, CategoryLimit, RolloverMode
from domain.templates.model import Template, TemplateCategory, TemplateGroup, allocate_template

__all__ = [
    "AlertThresholds",
    "BUILTINS",
    "Budget",
    "BudgetError",
    "BudgetPeriod",
    "BudgetType",
    "CategoryLimit",
    "ErrorCode",
    "RolloverMode",
    "Template",
    "TemplateCategory",
    "TemplateGroup",
    "allocate_template",
    "list_templates",
]
