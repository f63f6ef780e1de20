"""Goal queries."""

from __future__ import annotations

import strawberry

from graph.api.context import Info
from graph.api.goals.types import Goal


@strawberry.type
class GoalQueries:
    @strawberry.field(description="A user's goals (default: the viewer's), oldest first, with their figures.")
    async def goals(self, info: Info, user_id: str | None = None) -> list[Goal]:
        service = info.context.services.goals
        found = await service.list_for_user(info.context.actor, user_id)
        return [Goal.from_progress(p) for p in await service.progress_many(found)]

    @strawberry.field(description="A goal: its owner's, or one of a budget shared with the viewer; else null.")
    async def goal(self, info: Info, id: strawberry.ID) -> Goal | None:
        service = info.context.services.goals
        found = await service.find(info.context.actor, str(id))
        if found is None:
            return None
        (figures,) = await service.progress_many([found])
        return Goal.from_progress(figures)
