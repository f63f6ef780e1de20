"""Storage: SQLAlchemy models, repositories, migrations, and the Python API entry point."""

from domain.builtin_templates import list_templates

from .tracker import BudgetTracker, apply_template, easy_budgets

__all__ = ["BudgetTracker", "apply_template", "easy_budgets", "list_templates"]
