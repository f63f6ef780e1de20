"""Generated documents answer the same with the execution fast path and without it.

Hypothesis writes queries against the real schema (random subsets of the fields under
``budgets``, ``budget``, ``budgetProgress``, ``transactions`` and ``alerts``, with
aliases, inline and named fragments, ``__typename``, ``@include``/``@skip`` on
variables, and arguments that fail in a nullable or a non-null place). Each one goes
over HTTP to two apps on the same seeded database: the served one (fast path on) and
one with ``BUDGETQL_FAST_PATH=off`` (Strawberry's own graphql-core execution). The
answers must be the same, byte for byte. Bounded: a fixed number of examples,
derandomized.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid

import pytest
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from hypothesis import given, strategies as st

from graph.api.schema import build_schema, schema
from graph.settings import Settings

from tests.support.examples import bounded
from tests.support.queries import RECORD_MANY, app_client, create_budget

EXAMPLES = 60
MAX_DEPTH = 4
TYPES = schema._schema.type_map
MISSING = "bud_doesnotexist00"

# Arguments for the fields that take some, as they are written in a document; a field
# with arguments not listed here is never selected. ``periods(last: 0)`` fails inside a
# budget (a nullable one under ``budget``, a non-null one in a connection's list), and
# ``transactions(first: -1)`` fails at the root.
ARGUMENTS = {
    ("Query", "budgets"): ["(userId: $user)", "(userId: $user, first: 2)", "(userId: $user, type: HOUSEHOLD)"],
    ("Query", "budget"): ["(id: $budget)", f'(id: "{MISSING}")'],
    ("Query", "budgetProgress"): ['(budgetId: $budget, at: "2025-11-20T00:00:00")', f'(budgetId: "{MISSING}")'],
    ("Query", "transactions"): ["(userId: $user, first: 7)", '(userId: $user, category: "Groceries")', "(userId: $user, first: -1)"],
    ("Query", "alerts"): ["(userId: $user)", "(userId: $user, first: 3)"],
    ("Budget", "progress"): ['(at: "2025-11-20T00:00:00")', '(at: "2025-12-03T00:00:00")', "(period: 1)"],
    ("Budget", "periods"): ["(last: 2)", "(last: 0)"],
}
ROOTS = ["budgets", "budget", "budgetProgress", "transactions", "alerts"]
DIRECTIVES = [*[""] * 9, " @include(if: $yes)", " @include(if: $no)", " @skip(if: $yes)", " @skip(if: $no)", " @include(if: true)"]
VARIABLE_TYPES = {"user": "String!", "budget": "ID!", "yes": "Boolean!", "no": "Boolean!"}


class _Document:
    """What a document being drawn needs besides its text: fresh names, its fragments."""

    def __init__(self) -> None:
        self.names = itertools.count()
        self.fragments: list[str] = []


def _object_type(field_type) -> GraphQLObjectType | None:
    named = get_named_type(field_type)
    return named if isinstance(named, GraphQLObjectType) else None


def _selectable(type_name: str, depth: int) -> list[str]:
    fields = TYPES[type_name].fields
    names = []
    for name, field_def in fields.items():
        if field_def.args and (type_name, name) not in ARGUMENTS:
            continue
        if not is_leaf_type(get_named_type(field_def.type)) and depth >= MAX_DEPTH:
            continue
        names.append(name)
    return names


@st.composite
def _field(draw, doc: _Document, type_name: str, name: str, depth: int) -> str:
    field_def = TYPES[type_name].fields[name]
    arguments = draw(st.sampled_from(ARGUMENTS[(type_name, name)])) if (type_name, name) in ARGUMENTS else ""
    # A field with arguments always gets its own response name: two of them with
    # different arguments under one name would be a validation error, not a test.
    alias = f"a{next(doc.names)}: " if arguments or draw(st.integers(0, 4)) == 0 else ""
    text = f"{alias}{name}{arguments}{draw(st.sampled_from(DIRECTIVES))}"
    child = _object_type(field_def.type)
    if child is not None:
        text += " { " + draw(_selection_set(doc, child.name, depth + 1)) + " }"
    return text


@st.composite
def _selection_set(draw, doc: _Document, type_name: str, depth: int) -> str:
    names = _selectable(type_name, depth)
    # Repeats on purpose: the same field twice is merged.
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(5, len(names) + 1)))
    selections = [draw(_field(doc, type_name, name, depth)) for name in chosen]
    if draw(st.integers(0, 3)) == 0:
        selections.insert(draw(st.integers(0, len(selections))), "__typename")
    # Some of them moved into an inline fragment (with or without a type condition
    # and a directive) or a named fragment.
    if len(selections) > 1 and draw(st.booleans()):
        cut = draw(st.integers(1, len(selections) - 1))
        inner, selections = " ".join(selections[cut:]), selections[:cut]
        kind = draw(st.sampled_from(["on", "bare", "named"]))
        if kind == "named":
            fragment = f"F{next(doc.names)}"
            doc.fragments.append(f"fragment {fragment} on {type_name} {{ {inner} }}")
            selections.append(f"...{fragment}{draw(st.sampled_from(DIRECTIVES))}")
        else:
            condition = f" on {type_name}" if kind == "on" else ""
            selections.append(f"...{condition}{draw(st.sampled_from(DIRECTIVES))} {{ {inner} }}")
    return " ".join(selections)


@st.composite
def documents(draw) -> tuple[str, dict]:
    doc = _Document()
    roots = draw(st.lists(st.sampled_from(ROOTS), min_size=1, max_size=3))
    fields = [draw(_field(doc, "Query", root, 1)) for root in roots]
    if draw(st.booleans()):
        # A field that fails in a nullable budget, beside whatever else was drawn.
        fields.append(f"e{next(doc.names)}: budget(id: $budget) {{ id periods(last: 0) {{ periodIndex }} }}")
    body = " ".join(draw(st.permutations(fields)))
    text = " ".join([body, *doc.fragments])
    used = [name for name in VARIABLE_TYPES if f"${name}" in text]
    declared = f"({', '.join(f'${n}: {VARIABLE_TYPES[n]}' for n in used)})" if used else ""
    return f"query{declared} {{ {body} }} " + " ".join(doc.fragments), used


@pytest.fixture(scope="module")
async def seeded(db_url):
    """A user with three budgets (two currencies, rollover or not, one over its
    thresholds so alerts exist) and spending over two months; and an app on the same
    database with the fast path off."""
    async with app_client(db_url, fast_path=False, webhook_worker=False) as (_, plain):
        from tests.conftest import GraphQLClient

        gql = GraphQLClient(plain)
        user = f"user_{uuid.uuid4().hex[:10]}"
        monthly = await create_budget(
            gql,
            user,
            categories=[{"name": "Groceries", "amount": "600.00"}, {"name": "Fun", "amount": "50.00"}],
            rolloverMode="FULL",
        )
        await create_budget(
            gql,
            user,
            name="Yen",
            type="HOUSEHOLD",
            period="WEEKLY",
            currency="JPY",
            categories=[{"name": "Groceries", "amount": "5000"}],
            rolloverEnabled=False,
        )
        await create_budget(gql, user, name="Year", period="YEARLY", startDate="2025-01-01T00:00:00")
        rows = [
            {"userId": user, "category": category, "amount": amount, "currency": currency, "occurredAt": at}
            for category, amount, currency, at in [
                ("Groceries", "120.50", "USD", "2025-11-03T10:00:00"),
                ("Fun", "45.00", "USD", "2025-11-04T20:00:00"),
                ("Fun", "20.00", "USD", "2025-11-18T21:00:00"),
                ("Groceries", "-10.00", "USD", "2025-11-19T09:00:00"),
                ("Restaurants", "210.00", "USD", "2025-11-21T19:30:00"),
                ("Groceries", "3000", "JPY", "2025-11-04T12:00:00"),
                ("Groceries", "2500", "JPY", "2025-11-05T12:00:00"),
                ("Groceries", "80.00", "USD", "2025-12-02T08:00:00"),
                ("Groceries", "15.00", "EUR", "2025-12-02T09:00:00"),
            ]
        ]
        recorded = (await gql(RECORD_MANY, {"inputs": rows}))["recordTransactions"]
        assert recorded["errors"] == [] and recorded["createdCount"] == len(rows)
        alerts = await gql("query($u: String!) { alerts(userId: $u) { totalCount } }", {"u": user})
        assert alerts["alerts"]["totalCount"] > 0, "the seed was meant to raise alerts"
        yield user, monthly["id"], plain


async def test_generated_documents_answer_the_same_without_the_fast_path(seeded, client):
    user, budget, plain = seeded
    loop = asyncio.get_running_loop()
    values = {"user": user, "budget": budget, "yes": True, "no": False}
    answered = []

    async def both(document: str, variables: dict) -> tuple:
        fast_response = await client.post("/graphql", json={"query": document, "variables": variables})
        plain_response = await plain.post("/graphql", json={"query": document, "variables": variables})
        return (fast_response.status_code, fast_response.text), (plain_response.status_code, plain_response.text)

    @bounded(EXAMPLES)
    @given(documents())
    def run(drawn) -> None:
        document, used = drawn
        variables = {name: values[name] for name in used}
        fast, slow = asyncio.run_coroutine_threadsafe(both(document, variables), loop).result(timeout=60)
        assert fast == slow, f"{document}\n{variables}"
        answered.append(fast)

    # Hypothesis drives the examples from a thread; the requests run on this loop.
    await asyncio.to_thread(run)
    # The documents reached data and errors both (not only validation failures).
    assert any('"data":{' in text and '"errors"' not in text for _, text in answered)
    assert any('"data":{' in text and '"errors"' in text for _, text in answered)


def test_the_switch_turns_the_fast_path_off(monkeypatch):
    monkeypatch.setenv("BUDGETQL_FAST_PATH", "false")
    off = Settings.from_env("sqlite+aiosqlite:///unused.db")
    monkeypatch.setenv("BUDGETQL_FAST_PATH", "on")
    on = Settings.from_env("sqlite+aiosqlite:///unused.db")
    assert (off.fast_path, on.fast_path) == (False, True)
    assert build_schema(off).execution_context_class is not build_schema(on).execution_context_class
    assert build_schema(on).execution_context_class is schema.execution_context_class
    monkeypatch.setenv("BUDGETQL_FAST_PATH", "maybe")
    with pytest.raises(ValueError, match="BUDGETQL_FAST_PATH must be on or off"):
        Settings.from_env("sqlite+aiosqlite:///unused.db")
