"""The execution fast paths (graph/execution.py) answer exactly what graphql-core answers.

A small schema of its own exercises what the budget schema rarely produces (a null in
a non-null field, a value that does not serialize), and each document runs twice: with
budgetql's execution context and with Strawberry's default one.
"""

from __future__ import annotations

import asyncio
from enum import Enum

import pytest
import strawberry

from graph.execution import LeafFastExecutionContext, shared_payload


@strawberry.enum
class Level(Enum):
    LOW = "low"
    HIGH = "high"


@strawberry.type
class Item:
    name: str
    count: int
    level: Level
    note: str | None = None
    broken: str = ""  # set to None to break the non-null contract
    weird: int = 0  # set to a string to fail serialization

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Box:
    title: str
    items: list[Item]
    first: Item | None
    maybe: list[Item | None]


def _box(broken: bool = False, weird: bool = False) -> Box:
    items = [Item(name=f"i{n}", count=n, level=Level.HIGH if n % 2 else Level.LOW) for n in range(4)]
    if broken:
        items[2].broken = None  # type: ignore[assignment]
    if weird:
        items[1].weird = "not a number"  # type: ignore[assignment]
    return Box(title="box", items=items, first=items[0], maybe=[items[0], None, items[3]])


@shared_payload
@strawberry.type
class Ping:
    n: int
    label: str


_live: list[asyncio.Queue] = []


@strawberry.type
class Query:
    @strawberry.field
    def box(self, broken: bool = False, weird: bool = False) -> Box:
        return _box(broken, weird)


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def pings(self) -> Ping:  # type: ignore[misc]
        queue: asyncio.Queue = asyncio.Queue()
        _live.append(queue)
        try:
            while (ping := await queue.get()) is not None:
                yield ping
        finally:
            _live.remove(queue)


FAST = strawberry.Schema(query=Query, subscription=Subscription, execution_context_class=LeafFastExecutionContext)
PLAIN = strawberry.Schema(query=Query, subscription=Subscription)

DOCUMENTS = [
    "{ box { title items { name count level note } first { name } } }",
    "{ box { items { a: name b: name count ...F } } } fragment F on Item { level note }",
    "{ box { __typename items { __typename name shout(times: 2) } } }",
    "query($x: Boolean!) { box { items { name @include(if: $x) count @skip(if: $x) } } }",
    "{ box(broken: true) { title items { name broken } } }",
    "{ box(weird: true) { items { name weird } first { weird } } }",
    "{ box { maybe { name level } } }",
    "{ box(broken: true) { maybe { name } items { count broken } } }",
]


def _plain(result) -> tuple:
    return result.data, [e.formatted for e in result.errors or []]


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_fast_path_answers_what_graphql_core_answers(document):
    variables = {"x": True}
    fast, plain = await FAST.execute(document, variable_values=variables), await PLAIN.execute(document, variable_values=variables)
    assert _plain(fast) == _plain(plain)
    if "broken" in document or "weird" in document:
        assert fast.errors, "the document was meant to fail"


async def test_a_shared_event_is_executed_for_each_document_and_variables():
    one = await FAST.subscribe("subscription { pings { n } }")
    two = await FAST.subscribe("subscription { pings { n label } }")
    three = await FAST.subscribe("subscription { pings { n } }")
    firsts = [asyncio.ensure_future(s.__anext__()) for s in (one, two, three)]
    while len(_live) < 3:
        await asyncio.sleep(0.01)
    ping = Ping(n=7, label="seven")
    for queue in list(_live):
        queue.put_nowait(ping)
    results = [await f for f in firsts]
    assert [r.data for r in results] == [{"pings": {"n": 7}}, {"pings": {"n": 7, "label": "seven"}}, {"pings": {"n": 7}}]
    # The next event is a new object: nothing of the previous one is reused.
    nexts = [asyncio.ensure_future(s.__anext__()) for s in (one, two, three)]
    for queue in list(_live):
        queue.put_nowait(Ping(n=8, label="eight"))
    assert [(await f).data["pings"]["n"] for f in nexts] == [8, 8, 8]
    for queue in list(_live):
        queue.put_nowait(None)
    for s in (one, two, three):
        await s.aclose()
