"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import pytest

from persistence import easy_budgets


@pytest.fixture
async def tracker(db_url):
    """The Python API on the test's database (``easy_budgets(db_url=...)``), closed after the test."""
    budgets = easy_budgets(db_url=db_url)
    try:
        yield budgets
    finally:
        await budgets.close()
