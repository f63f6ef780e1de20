"""Goal mutations. Errors come back as data in ``errors``; nothing is stored then."""

from __future__ import annotations

import strawberry

from graph.api.context import Info
from graph.api.core.errors import deleted, input_errors, payload
from graph.api.core.mapping import arguments
from graph.api.goals.inputs import CreateGoalInput, UpdateGoalInput
from graph.api.goals.types import DeleteGoalPayload, Goal, GoalPayload


async def _with_figures(info: Info, goal) -> GoalPayload:
    (figures,) = await info.context.services.goals.progress_many([goal])
    return GoalPayload(goal=Goal.from_progress(figures))


@strawberry.type
class GoalMutations:
    @strawberry.mutation(description="Create a goal funded by one category of a budget.")
    async def create_goal(self, info: Info, input: CreateGoalInput) -> GoalPayload:
        made = await payload(
            GoalPayload,
            lambda: info.context.services.goals.create(
                info.context.actor, **arguments(input, budget_id=str(input.budget_id))
            ),
            lambda goal: goal,
            input_errors,
        )
        return made if isinstance(made, GoalPayload) else await _with_figures(info, made)

    @strawberry.mutation(description="Change a goal (its owner).")
    async def update_goal(
        self, info: Info, id: strawberry.ID, input: UpdateGoalInput, expected_version: int | None = None
    ) -> GoalPayload:
        changes = arguments(input)
        made = await payload(
            GoalPayload,
            lambda: info.context.services.goals.update(info.context.actor, str(id), changes,
                                                       expected_version=expected_version),
            lambda goal: goal,
            input_errors,
        )
        return made if isinstance(made, GoalPayload) else await _with_figures(info, made)

    @strawberry.mutation(description="Delete a goal (its owner).")
    async def delete_goal(self, info: Info, id: strawberry.ID) -> DeleteGoalPayload:
        return await deleted(
            DeleteGoalPayload, id, lambda: info.context.services.goals.delete(info.context.actor, str(id))
        )
