"""Relay's root fields: any object with a global id (``Node``), refetched by that id."""

from __future__ import annotations

import strawberry

from domain.paging import PAGE_MAX, id_count
from graph.api.context import Info
from graph.api.core.node import Node
from graph.api.nodes.dataloaders import node_loader

_VISIBILITY = (
    "null when there is none, the id is not one, or it is not yours to see (another user's, a budget not shared "
    "with you): the same rules as budget(id:), transactions, alerts, templates and webhooks."
)


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="The object with this global id: a Budget (bud_…), Transaction (txn_…), BudgetAlert (alr_…), "
        "Webhook (whk_…), Goal (gol_…), CategoryRule (rul_…) or Template (tpl_<owner>/<key> for a user's own, "
        "tpl_<key> for a built-in); "
        + _VISIBILITY
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await node_loader(info.context).load(str(id))

    @strawberry.field(
        description=f"The objects with these global ids, in the same order (at most {PAGE_MAX}, VALIDATION "
        "beyond), read in one batch; each is " + _VISIBILITY
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        wanted = [str(i) for i in id_count(ids, "ids")]
        return await node_loader(info.context).load_many(wanted)
