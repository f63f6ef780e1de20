"""Fuzzing: schemathesis (GraphQL mode) sends generated queries and mutations, valid
and invalid, to the real server. No answer is a 5xx, every error has a code, and
nothing internal (a trace, SQL, a driver's or a file's name) reaches a client.

Bounded and repeatable: a fixed number of examples per mode, derandomized.
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from tests.support.examples import both_modes, fuzz
from tests.support.server import running_server
from tests.graphql.test_errors import LEAKS

EXAMPLES_PER_MODE = 100

# Strategies for budgetql's own scalars: well-formed values and hostile ones alike.
_decimals = st.one_of(
    st.decimals(min_value=-10**13, max_value=10**13, allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(["0", "-0.00", "1e400", "NaN", "Infinity", "0.001", "12,50", "", " 1 ", "9" * 60]),
    st.text(max_size=20),
)
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(_decimals.map(nodes.String), st.integers().map(nodes.Int), st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float)),
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes().map(lambda d: d.isoformat()),
        st.sampled_from(["2025-11-01T00:00:00Z", "2025-02-30T00:00:00", "0000-01-01", "9999-12-31T23:59:59+14:00", "now"]),
        st.text(max_size=30),
    ).map(nodes.String),
)


def check(request_body: str, status: int, text: str) -> None:
    assert status < 500, f"{status} for {request_body}:\n{text}"
    for marker in LEAKS:
        if marker not in request_body:  # a client's own input may be quoted back
            assert marker not in text, f"{marker!r} leaked for {request_body}:\n{text}"
    body = json.loads(text)
    for error in body.get("errors") or []:
        assert (error.get("extensions") or {}).get("code"), f"an error without a code for {request_body}: {error}"


@both_modes
def test_generated_operations_never_fail_the_server(db_url, mode):
    with running_server(db_url) as base:
        fuzz(
            schemathesis.graphql.from_url(base + "/graphql"), base, mode, EXAMPLES_PER_MODE,
            lambda case, response: check(json.dumps(case.body), response.status_code, response.text),
        )
