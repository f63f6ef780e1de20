"""How the generated (Hypothesis, schemathesis) tests run: bounded and repeatable."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

# A schemathesis test runs twice: with valid inputs, and with invalid ones.
both_modes = pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)


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


def fuzz(schema, base: str, mode: GenerationMode, examples: int, check: Callable[[Any, Any], None]) -> None:
    """Send ``examples`` requests schemathesis draws from ``schema`` (in ``mode``) to the
    server at ``base``, and give each case and its response to ``check``."""

    @bounded(examples)
    @given(case=schema.as_strategy(generation_mode=mode))
    def run(case) -> None:
        check(case, case.call(base_url=base, timeout=10))

    run()
