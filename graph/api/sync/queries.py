"""The root ``changes`` field."""

from __future__ import annotations

import strawberry

from domain.paging import PAGE_MAX
from domain.sync.service import DEFAULT_PAGE
from graph.api.context import Info
from graph.api.sync.types import ChangeSet


@strawberry.type
class SyncQueries:
    @strawberry.field(
        description="Delta sync: a user's changes (default: the viewer's; their own and shared budgets, their "
        "transactions, the alerts they receive, their templates, goals and category rules) since `since`, a "
        "`cursor` from an earlier page; null is a full sync (everything, in pages). Every change committed after "
        "a cursor comes in a later page, deletions and unsharing included, in commit order; a change may come "
        f"more than once (applying it is idempotent). `first` things per page, at most {PAGE_MAX}. Deletions are "
        "kept for the sync retention (at least 90 days): an older cursor is CURSOR_EXPIRED, and the client syncs "
        "in full again. Another user's userId is FORBIDDEN, as for budgets(userId)."
    )
    async def changes(
        self, info: Info, user_id: str | None = None, since: str | None = None, first: int = DEFAULT_PAGE
    ) -> ChangeSet:
        page = await info.context.services.sync.changes(info.context.actor, user_id, since, first)
        return ChangeSet.from_domain(page)
