"""Use cases for backups: export everything of a user's, restore it (into another database).

Restoring keeps every id, timestamp and version, so the restored records export to
the same document. What is stored already is skipped and counted, never overwritten:
a budget or transaction with the same id (whoever owns it), a template with the same
key for the user, a transaction whose externalId the user has recorded. So restoring
the same backup twice stores nothing the second time.

Budgets and templates are restored in one database transaction, then transactions in
batches of up to 1,000, each like any other write: the spending rollup is updated and
the alerts the restored spending holds are raised (alerts are not part of a backup).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from domain import validation as v
from domain.access import TRUSTED
from domain.models import utcnow
from domain.backup.rules import Acknowledgement, Backup
from domain.budgets.service import PAGE_MAX, BudgetService
from domain.spending.service import SpendingService
from domain.templates.service import TemplateService
from domain.spending.rules import BATCH_MAX


@dataclass(frozen=True)
class Restored:
    stored: int
    present: int  # already stored: skipped


@dataclass(frozen=True)
class RestoreReport:
    budgets: Restored
    templates: Restored
    transactions: Restored
    # Skipped: already acknowledged here, or an alert the restored spending did not raise.
    acknowledgements: Restored = Restored(0, 0)
    webhooks: Restored = Restored(0, 0)


class BackupService:
    def __init__(self, budgets: BudgetService, spending: SpendingService, templates: TemplateService):
        self.budgets = budgets
        self.spending = spending
        self.templates = templates
        self.uow = budgets.uow

    async def export(self, user_id: str) -> Backup:
        user = v.user_id(user_id, "userId")
        # A backup is an operator's tool (the CLI, with the database's URL): it acts as trusted.
        # The user's own budgets only, with their members and invitations: a budget shared
        # with them is its owner's data and goes into its owner's backup.
        budgets = await self._own_budgets(user)  # newest first
        async with self.uow() as uow:
            sent = await uow.invitations.for_budgets([b.id for b in budgets], None, utcnow(), None)
            acknowledged = await uow.alerts.acknowledged_of_budgets([b.id for b in budgets])
            webhooks = await uow.webhooks.list_for_user(user)
            revisions = [r for b in reversed(budgets) for r in await uow.budgets.all_revisions(b.id)]
            rules = (await uow.rules.for_users([user]))[user]
        invitations = sorted((i for found in sent.values() for i in found), key=lambda i: (i.created_at, i.id))
        acknowledgements = tuple(
            Acknowledgement(a.budget_id, a.period_start, a.category, a.alert_type, a.acknowledged_at)
            for a in acknowledged
        )
        own = [t for t in await self.templates.list_templates(TRUSTED, user) if not t.built_in]
        transactions = []  # most recent first
        after = None
        while True:
            page = await self.spending.list(TRUSTED, user, first=PAGE_MAX, after=after)
            transactions.extend(t for _, t in page.items)
            if not page.has_next:
                break
            after = page.end_cursor
        return Backup(
            user, tuple(reversed(budgets)), tuple(own), tuple(reversed(transactions)), tuple(invitations),
            acknowledgements,
            tuple(webhooks),
            tuple(revisions),
            tuple(rules),
        )

    async def _own_budgets(self, user: str) -> list:
        result, after = [], None
        while True:
            page = await self.budgets.list_budgets(TRUSTED, user, None, PAGE_MAX, after, shared=False)
            result.extend(b for _, b in page.items)
            if not page.has_next:
                return result
            after = page.end_cursor

    async def restore(self, backup: Backup, progress: Callable[[int], None] = lambda done: None) -> RestoreReport:
        """Store what ``backup`` holds and is not stored yet; ``progress`` is told how
        many transactions each batch handled."""
        async with self.uow(write=True) as uow:
            present = await uow.budgets.get_many([b.id for b in backup.budgets])
            for budget in backup.budgets:
                if budget.id not in present:
                    await uow.budgets.add(budget)  # with its members, as accepted when they did
                    for revision in (r for r in backup.revisions if r.budget_id == budget.id):
                        await uow.budgets.add_revision(revision)
            stored = await uow.invitations.stored_ids([i.id for i in backup.invitations])
            for invitation in backup.invitations:
                if invitation.budget_id not in present and invitation.id not in stored:
                    await uow.invitations.add(invitation)
            templates_added = [await uow.templates.add(t) for t in backup.templates]
            for rule in backup.rules:
                if await uow.rules.get(rule.id) is None:
                    await uow.rules.add(rule)
            known_hooks = await uow.webhooks.stored_ids([w.id for w in backup.webhooks])
            for webhook in backup.webhooks:
                if webhook.id not in known_hooks:
                    await uow.webhooks.add(webhook)  # inactive: no secret
        transactions_added = 0
        for start in range(0, len(backup.transactions), BATCH_MAX):
            batch = backup.transactions[start : start + BATCH_MAX]
            transactions_added += await self.spending.restore(batch)
            progress(len(batch))
        # The restored spending raised its alerts again: mark those that were acknowledged.
        acknowledged = 0
        async with self.uow(write=True) as uow:
            for a in backup.acknowledgements:
                acknowledged += await uow.alerts.acknowledge_matching(
                    a.budget_id, a.period_start, a.category, a.alert_type, a.acknowledged_at
                )
        budgets_added = len(backup.budgets) - len(present)
        return RestoreReport(
            budgets=Restored(budgets_added, len(present)),
            templates=Restored(sum(templates_added), len(templates_added) - sum(templates_added)),
            transactions=Restored(transactions_added, len(backup.transactions) - transactions_added),
            acknowledgements=Restored(acknowledged, len(backup.acknowledgements) - acknowledged),
            webhooks=Restored(len(backup.webhooks) - len(known_hooks), len(known_hooks)),
        )
