"""Storage: SQLAlchemy models, repositories, migrations, and the Python API entry point."""

from .tracker import BudgetTracker, easy_budgets

__all__ = ["BudgetTracker", "easy_budgets"]
