"""Fixtures of the browser tests."""

from __future__ import annotations

import pytest

from tests.support.server import running_server


@pytest.fixture
def server(tmp_path):
    """The real server on a SQLite database of the test's own; its base URL."""
    with running_server(f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}") as base:
        yield base
