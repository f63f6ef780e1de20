"""Relay-style connections: ``nodes``, ``edges { cursor node }``, ``pageInfo``, ``totalCount``."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

import strawberry

from domain.ports import Page

N = TypeVar("N")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    """A page of a list: ``Connection[Budget]`` is ``BudgetConnection`` (each list's own
    subclass gives its name and description)."""

    nodes: list[N]
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page, convert: Callable):
        edges = [Edge(cursor=c, node=convert(item)) for c, item in page.items]
        return cls(
            nodes=[e.node for e in edges],
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
