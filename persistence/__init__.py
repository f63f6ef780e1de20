"""Storage: SQLAlchemy models, repositories, migrations, and the Python API entry point."""

from domain.templates.builtin import list_templates

from .tracker import AlertPage, BudgetTracker, RecordedTransaction, apply_template, easy_budgets

__all__ = ["AlertPage", "BudgetTracker", "RecordedTransaction", "apply_template", "easy_budgets", "list_templates"]
