from __future__ import annotations

import strawberry

from .budget import Budget
from .pagination import Edge, PageInfo


@strawberry.type(description="A page of budgets, newest first.")
class BudgetConnection:
    nodes: list[Budget]
    edges: list[Edge[Budget]]
    page_info: PageInfo
    total_count: int
