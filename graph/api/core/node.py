"""The Relay ``Node`` interface: an object a client can refetch by its id alone.

The global id is the object's own id, unchanged: ids are already typed by their prefix
(``bud_``, ``txn_``, ``alr_``, ``whk_``, ``tpl_``), so ``node(id: "bud_…")`` is that budget.
(``strawberry.relay.Node`` would instead expose base64 of ``TypeName:id``, a second id
for every object.) ``graph/api/nodes`` resolves them.
"""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with a global id: refetch it with node(id:) or nodes(ids:). The id is the object's "
    "own id (bud_…, txn_…, alr_…, whk_…, tpl_…)."
)
class Node:
    id: strawberry.ID
