"""The ChangeSet: one page of a user's changes, as the same objects every other field
returns (a synced Budget is the Budget type, its progress computed when asked)."""

from __future__ import annotations

import strawberry

from domain.sync.model import ChangeSet as ChangeSetRecord
from graph.api.alerts.types import BudgetAlert
from graph.api.budgets.types import Budget
from graph.api.goals.types import Goal
from graph.api.spending.types import CategoryRule, Transaction
from graph.api.templates.types import Template


@strawberry.type(
    description="One page of a user's changes since a cursor: the current state of what changed (or, in a full "
    "sync, of everything), and the ids of what was deleted or is no longer visible to the user (unshared). Each "
    "thing at most once per page. Apply upserts and deletions in order; then call again with `cursor`."
)
class ChangeSet:
    cursor: str = strawberry.field(
        description="Pass it as `since` next time (also when `hasMore` is false: later changes come after it)."
    )
    has_more: bool = strawberry.field(description="More changes are waiting now: call again at once with `cursor`.")
    budgets: list[Budget]
    deleted_budget_ids: list[strawberry.ID] = strawberry.field(description="Deleted, or no longer shared with the user.")
    transactions: list[Transaction]
    deleted_transaction_ids: list[strawberry.ID]
    alerts: list[BudgetAlert]
    deleted_alert_ids: list[strawberry.ID] = strawberry.field(
        description="Alerts gone with their budget, or of a budget no longer shared with the user."
    )
    templates: list[Template] = strawberry.field(description="The user's own templates (not the built-ins).")
    deleted_template_keys: list[str]
    goals: list[Goal] = strawberry.field(description="The user's own goals, with their figures as of this page.")
    deleted_goal_ids: list[strawberry.ID]
    category_rules: list[CategoryRule]
    deleted_category_rule_ids: list[strawberry.ID]

    @classmethod
    def from_domain(cls, page: ChangeSetRecord) -> "ChangeSet":
        return cls(
            cursor=page.cursor,
            has_more=page.has_more,
            budgets=[Budget.from_domain(b) for b in page.budgets],
            deleted_budget_ids=[strawberry.ID(i) for i in page.deleted_budget_ids],
            transactions=[Transaction.from_domain(t) for t in page.transactions],
            deleted_transaction_ids=[strawberry.ID(i) for i in page.deleted_transaction_ids],
            alerts=[BudgetAlert.from_domain(a) for a in page.alerts],
            deleted_alert_ids=[strawberry.ID(i) for i in page.deleted_alert_ids],
            templates=[Template.from_domain(t) for t in page.templates],
            deleted_template_keys=list(page.deleted_template_keys),
            goals=[Goal.from_progress(g) for g in page.goals],
            deleted_goal_ids=[strawberry.ID(i) for i in page.deleted_goal_ids],
            category_rules=[CategoryRule.from_domain(r) for r in page.category_rules],
            deleted_category_rule_ids=[strawberry.ID(i) for i in page.deleted_category_rule_ids],
        )
