"""The request's node loader: every id asked for by ``node``/``nodes`` in one request is
read in one batch, one read per kind of object (two for alerts: theirs and their budgets')."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping, Sequence

from aiodataloader import DataLoader

from domain.templates.model import ID_PREFIX as TEMPLATE_PREFIX
from graph.api.alerts.types import BudgetAlert
from graph.api.budgets.types import Budget
from graph.api.goals.types import Goal
from graph.api.spending.types import CategoryRule, Transaction
from graph.api.templates.types import Template
from graph.api.webhooks.types import Webhook

Find = Callable[[Any, Any, Sequence[str]], Awaitable[Mapping[str, Any]]]

# id prefix -> (the service's batched find, which applies the same visibility rules as
# the single-object reads, and the GraphQL view of what it finds).
KINDS: dict[str, tuple[Find, Callable[[Any], Any]]] = {
    "bud_": (lambda s, actor, ids: s.budgets.find_budgets(actor, ids), Budget.from_domain),
    "txn_": (lambda s, actor, ids: s.spending.find_many(actor, ids), Transaction.from_domain),
    "alr_": (lambda s, actor, ids: s.alerts.find_many(actor, ids), BudgetAlert.from_domain),
    "whk_": (lambda s, actor, ids: s.webhooks.find_many(actor, ids), Webhook.from_domain),
    TEMPLATE_PREFIX: (lambda s, actor, ids: s.templates.find_many(actor, ids), Template.from_domain),
    "gol_": (lambda s, actor, ids: s.goals.find_many(actor, ids), Goal.from_progress),
    "rul_": (lambda s, actor, ids: s.rules.find_many(actor, ids), CategoryRule.from_domain),
}


def kind_of(node_id: str) -> str | None:
    prefix = node_id[:4]
    return prefix if prefix in KINDS else None


class NodeLoader(DataLoader):
    """Keys are global ids; each gets its object, or None when there is none or the
    caller may not see it (the two look the same)."""

    def __init__(self, services: Any, actor: Any):
        super().__init__()
        self.services = services
        self.actor = actor

    async def batch_load_fn(self, ids: list[str]) -> list[Any]:
        groups: dict[str, list[str]] = {}
        for node_id in ids:
            kind = kind_of(node_id)
            if kind is not None:
                groups.setdefault(kind, []).append(node_id)
        found: dict[str, Any] = {}
        for kind, wanted in groups.items():
            find, view = KINDS[kind]
            for node_id, record in (await find(self.services, self.actor, wanted)).items():
                found[node_id] = view(record)
        return [found.get(node_id) for node_id in ids]


def node_loader(context) -> NodeLoader:
    return context.loader("nodes", lambda: NodeLoader(context.services, context.actor))
