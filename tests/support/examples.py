"""How the generated (Hypothesis, schemathesis) tests run: bounded and repeatable."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def bounded(max_examples: int) -> settings:
    """``max_examples`` examples, derandomized (the same ones every run), no deadline,
    no example database, no health check: the tests drive a real server, whose speed
    is no verdict."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
