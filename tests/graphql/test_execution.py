"""The execution fast paths (graph/execution.py) answer exactly what graphql-core answers.

A small schema of its own exercises what the budget schema rarely produces (a null in
a non-null field, a value that does not serialize), and each document runs twice: with
budgetql's execution context and with Strawberry's default one.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.directive import DirectiveLocation, DirectiveValue
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission

from domain.progress.rules import CategoryProgress as CategoryFigures, Status
from graph.api.core.execution import CheckedSchema, LeafFastExecutionContext, SharedPayloadError, shared_payload
from graph.api.schema import BudgetSchema
from graph.api.progress.types import CategoryProgress


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


@strawberry.interface
class Tagged:
    id: strawberry.ID


@strawberry.type
class Thing(Tagged):  # implements an interface: graphql-core checks each one's type (is_type_of)
    id: strawberry.ID
    size: int


@strawberry.type
class Other(Tagged):
    id: strawberry.ID
    colour: str


def _things() -> list[Thing]:
    return [Thing(id=strawberry.ID(f"t{n}"), size=n) for n in range(3)]


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

    @strawberry.field
    def things(self) -> list[Thing]:
        return _things()

    @strawberry.field
    def tagged(self) -> list[Tagged | None]:
        return [*_things(), None, Other(id=strawberry.ID("o1"), colour="red")]

    @strawberry.field
    def mistyped(self) -> list[Thing]:
        # An object that is no Thing where one is due: graphql-core's error, whatever the path.
        return [*_things(), _box().items[0]]  # type: ignore[list-item]


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


FAST = CheckedSchema(query=Query, subscription=Subscription, execution_context_class=LeafFastExecutionContext)
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
    "{ things { id size } tagged { id ... on Thing { size } ... on Other { colour } } }",
    "{ tagged { __typename id } things { __typename size } }",
    "{ mistyped { id size } }",
]


def _plain(result) -> tuple:
    return result.data, [e.formatted for e in result.errors or []]


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_fast_path_answers_what_graphql_core_answers(document):
    variables = {"x": True}
    fast, plain = await FAST.execute(document, variable_values=variables), await PLAIN.execute(document, variable_values=variables)
    assert _plain(fast) == _plain(plain)
    if "broken" in document or "weird" in document or "mistyped" in document:
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


# A plain field given permission classes or a field extension is no longer plain: the
# fast path must leave it to its resolver, which asks them.


class OwnerOnly(BasePermission):
    message = "Only the owner sees how much was spent"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return info.context["viewer"] == "owner"


class Doubled(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs) * 2


@strawberry.type(name="GuardedCategoryProgress")
class GuardedCategoryProgress(CategoryProgress):
    """The real ``CategoryProgress`` type with its plain ``spentAmount`` guarded."""

    spent_amount: Decimal = strawberry.field(permission_classes=[OwnerOnly])
    budgeted_amount: Decimal = strawberry.field(extensions=[Doubled()])


def _figures(n: int) -> CategoryFigures:
    return CategoryFigures(
        category_name=f"c{n}",
        limit_amount=Decimal("100.00"),
        budgeted_amount=Decimal("100.00"),
        rollover_amount=Decimal("0.00"),
        spent_amount=Decimal(n),
        remaining_amount=Decimal(100 - n),
        percent_used=Decimal(n),
        status=Status.ON_TRACK,
        projected_spent=Decimal(n),
    )


@strawberry.type
class GuardedQuery:
    @strawberry.field
    def category(self) -> GuardedCategoryProgress | None:
        return _figures(7)  # type: ignore[return-value]

    @strawberry.field
    def categories(self) -> list[GuardedCategoryProgress | None]:
        return [_figures(n) for n in range(3)]  # type: ignore[misc]


# As the server builds it (graph/schema.py): budgetql's schema class and execution context.
GUARDED = BudgetSchema(query=GuardedQuery, execution_context_class=LeafFastExecutionContext)
GUARDED_PLAIN = strawberry.Schema(query=GuardedQuery)


@pytest.mark.parametrize(
    "document",
    [
        "{ category { categoryName spentAmount budgetedAmount remainingAmount } }",
        "{ categories { categoryName spentAmount budgetedAmount status } }",
        "{ categories { ... on GuardedCategoryProgress { s: spentAmount } categoryName } }",
    ],
)
async def test_permission_classes_and_extensions_on_a_plain_field_are_applied(document):
    owner = await GUARDED.execute(document, context_value={"viewer": "owner"})
    other = await GUARDED.execute(document, context_value={"viewer": "someone else"})
    assert not owner.errors, owner.errors
    rows = owner.data.get("categories") or [owner.data["category"]]
    for row in rows:
        assert "spentAmount" in row or "s" in row
        if "budgetedAmount" in row:
            assert row["budgetedAmount"] == "200.00"  # the extension's value, not the attribute
    assert other.errors and {e.message for e in other.errors} == {OwnerOnly.message}
    assert other.data == ({"category": None} if "category" in other.data else {"categories": [None, None, None]})
    for viewer in ("owner", "someone else"):
        fast = await GUARDED.execute(document, context_value={"viewer": viewer})
        plain = await GUARDED_PLAIN.execute(document, context_value={"viewer": viewer})
        assert _plain(fast) == _plain(plain)


@strawberry.directive(locations=[DirectiveLocation.FIELD], description="Upper-cases a string field.")
def upper(value: DirectiveValue[str]) -> str:
    return value.upper()


async def test_an_operation_directive_on_a_plain_field_is_applied():
    document = "{ box { title @upper items { name @upper count } } }"
    fast = BudgetSchema(query=Query, directives=[upper], execution_context_class=LeafFastExecutionContext)
    result = await fast.execute(document)
    assert not result.errors, result.errors
    assert result.data["box"]["title"] == "BOX"
    assert [i["name"] for i in result.data["box"]["items"]] == ["I0", "I1", "I2", "I3"]
    assert _plain(result) == _plain(await strawberry.Schema(query=Query, directives=[upper]).execute(document))


# A payload marked shared whose fields reach one that depends on the viewer is refused
# when the schema is made.


@strawberry.type
class Note:
    text: str
    author: str = strawberry.field(permission_classes=[OwnerOnly])


@shared_payload
@strawberry.type
class SharedWithResolver:
    n: int

    @strawberry.field
    def mine(self, info: strawberry.Info) -> bool:
        return info.context["viewer"] == "owner"


@shared_payload
@strawberry.type
class SharedWithGuardedNote:
    n: int
    notes: list[Note]


@strawberry.type
class ResolverSubscription:
    @strawberry.subscription
    async def events(self) -> SharedWithResolver:  # type: ignore[misc]
        yield SharedWithResolver(n=1)


@strawberry.type
class GuardedNoteSubscription:
    @strawberry.subscription
    async def events(self) -> SharedWithGuardedNote:  # type: ignore[misc]
        yield SharedWithGuardedNote(n=1, notes=[])


@pytest.mark.parametrize(
    "subscription,payload,field,problem",
    [
        (ResolverSubscription, "SharedWithResolver", "SharedWithResolver.mine", "has a resolver"),
        (GuardedNoteSubscription, "SharedWithGuardedNote", "Note.author", "has permission classes"),
    ],
)
def test_a_shared_payload_reaching_a_viewer_dependent_field_is_refused(subscription, payload, field, problem):
    for make in (CheckedSchema, BudgetSchema):
        with pytest.raises(SharedPayloadError) as refused:
            make(query=Query, subscription=subscription)
        assert f"{field} {problem}" in str(refused.value)
        assert str(refused.value).startswith(f"{payload} is marked shared_payload")
