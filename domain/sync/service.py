"""Delta sync's use cases: a page of a user's changes, and pruning old deletions.

``changes(since=None)`` is a full sync: the horizon h0 is taken first, then every
current thing of the user is walked in pages (kind by kind, by id), and after the last
one the feed goes on from h0, so what changed while the full sync ran comes again
(applying a page is idempotent). ``changes(since=cursor)`` reads the feed after the
cursor (see ``persistence/sync_repository.py`` for why nothing committed later can
fall behind a cursor). Either way a page's ids are answered with the current state,
read through each area's own batched, visibility-checked reads: what the user may see
now is an upsert, anything else a deletion. A client that applies every page in order
ends with exactly what the server holds for that user.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from domain.access import Actor, require_user
from domain.models import utcnow
from domain.paging import page_size
from domain.ports import UnitOfWorkFactory
from domain.templates.model import Template
from domain.templates.model import ID_PREFIX as TEMPLATE_PREFIX

from . import rules
from .model import (
    ALERT, BUDGET, GOAL, KINDS, RETENTION_DEFAULT, RULE, TEMPLATE, TRANSACTION, Change, ChangeSet, Full, Incremental,
)

DEFAULT_PAGE = 500


class SyncService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        budgets: Any,
        spending: Any,
        alerts: Any,
        templates: Any,
        goals: Any,
        rules_service: Any,
        retention: timedelta = RETENTION_DEFAULT,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.uow = uow
        self.budgets, self.spending, self.alerts = budgets, spending, alerts
        self.templates, self.goals, self.rules = templates, goals, rules_service
        self.retention = rules.retention(retention)
        self.clock = clock

    async def changes(self, actor: Actor, user_id: str | None, since: str | None, first: int = DEFAULT_PAGE) -> ChangeSet:
        user = require_user(actor, user_id, "userId")
        page_size(first)
        async with self.uow() as uow:
            if since is None:
                cursor = Full(await uow.sync.horizon())
            else:
                cursor = await uow.sync.open(user, since)
            rules.check_not_expired(cursor, await uow.sync.pruned_through())
            found: list[Change] = []
            more = False
            if isinstance(cursor, Full):
                cursor, more = await self._walk(uow, user, cursor, first, found)
            if isinstance(cursor, Incremental) and not more:
                horizon = await uow.sync.horizon()
                rows = await uow.sync.changes(user, cursor, horizon, first - len(found) + 1)
                more = len(rows) > first - len(found)
                page = rows[: first - len(found)]
                found += page
                cursor = rules.after_changes(page, more, horizon, cursor)
            sealed = await uow.sync.seal(user, cursor)
        return await self._answer(user, found, sealed, more)

    async def _walk(self, uow, user: str, cursor: Full, first: int, found: list[Change]) -> tuple[Any, bool]:
        """A full sync's next things, kind by kind, into ``found``; where it goes on, and
        whether this page is full."""
        kind, after_pos, after = cursor.kind, cursor.after_pos, cursor.after
        while kind < len(KINDS):
            room = first - len(found)
            rows = await uow.sync.current(user, KINDS[kind], after_pos, after, room + 1)
            if len(rows) > room:
                found += [Change(cursor.h0, KINDS[kind], i) for _, i in rows[:room]]
                if room == 0:
                    return Full(cursor.h0, kind, after_pos, after), True
                last_pos, last = rows[room - 1]
                return Full(cursor.h0, kind, last_pos, last), True
            found += [Change(cursor.h0, KINDS[kind], i) for _, i in rows]
            kind, after_pos, after = kind + 1, 0, None
        return Incremental(cursor.h0), False

    async def _answer(self, user: str, found: list[Change], cursor: str, more: bool) -> ChangeSet:
        """The page's ids answered with the current state, as the user may see it now."""
        ids = rules.ids_by_kind(found)
        viewer = Actor(user)
        answer = ChangeSet(cursor=cursor, has_more=more)

        def split(wanted: list[str], visible: dict, upserts: list, deletions: list) -> None:
            for i in wanted:
                if i in visible:
                    upserts.append(visible[i])
                else:
                    deletions.append(i)

        if ids[BUDGET]:
            split(ids[BUDGET], await self.budgets.find_budgets(viewer, ids[BUDGET]), answer.budgets,
                  answer.deleted_budget_ids)
        if ids[TRANSACTION]:
            split(ids[TRANSACTION], await self.spending.find_many(viewer, ids[TRANSACTION]), answer.transactions,
                  answer.deleted_transaction_ids)
        if ids[ALERT]:
            split(ids[ALERT], await self.alerts.find_many(viewer, ids[ALERT]), answer.alerts, answer.deleted_alert_ids)
        if ids[TEMPLATE]:
            by_id = {f"{TEMPLATE_PREFIX}{user}/{key}": key for key in ids[TEMPLATE]}
            found_templates: dict[str, Template] = await self.templates.find_many(viewer, list(by_id))
            split(ids[TEMPLATE], {t.key: t for t in found_templates.values()}, answer.templates,
                  answer.deleted_template_keys)
        if ids[GOAL]:
            # The user's own goals, as goals(userId) lists them (a member may read a shared
            # budget's goals by id, but they are not theirs to sync).
            goals = await self.goals.find_many(viewer, ids[GOAL])
            split(ids[GOAL], {i: g for i, g in goals.items() if g.goal.user_id == user}, answer.goals,
                  answer.deleted_goal_ids)
        if ids[RULE]:
            split(ids[RULE], await self.rules.find_many(viewer, ids[RULE]), answer.category_rules,
                  answer.deleted_category_rule_ids)
        return answer

    async def prune(self, retention: timedelta | None = None) -> int:
        """Delete the deletions and changes older than the retention (the service's, or
        ``retention``, which may be shorter: tests and operators who know what they do);
        the number of feed rows deleted. Cursors that needed them become CURSOR_EXPIRED."""
        keep = self.retention if retention is None else retention
        now = self.clock()
        async with self.uow(write=True) as uow:
            return await uow.sync.prune(now - keep, now)
