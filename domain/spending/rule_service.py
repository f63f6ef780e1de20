"""Use cases of category rules: a user creates, lists, changes and deletes their own."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

from domain import validation as v
from domain.access import Actor, owns, require_user
from domain.errors import not_found, validation
from domain.models import new_id
from domain.service import Service
from domain.spending import category_rules as rules
from domain.spending.category_rules import CategoryRule

UPDATABLE = frozenset({"category", "priority", "match"})


class CategoryRuleService(Service):
    async def create(
        self, actor: Actor, *, user_id: str | None, category: Any, priority: Any = 0, match: Mapping[str, Any] | None
    ) -> CategoryRule:
        p = v.Problems()
        user = p.attempt(require_user, actor, user_id, "userId")
        name = p.attempt(v.category_name, category, "category")
        rank = p.attempt(rules.priority, priority, "priority")
        conditions = p.attempt(rules.match, match, "match")
        p.check()
        rule = CategoryRule(new_id("rul"), user, name, rank, conditions, self.clock())
        async with self.uow(write=True) as uow:
            if await uow.rules.count_for_user(user) >= rules.RULES_PER_USER:
                raise validation(f"A user has at most {rules.RULES_PER_USER} category rules: delete one first", "userId")
            return await uow.rules.add(rule)

    async def list(self, actor: Actor, user_id: str | None) -> list[CategoryRule]:
        """The user's rules in the order they are tried: highest priority first, then oldest."""
        user = require_user(actor, user_id, "userId")
        async with self.uow() as uow:
            found = (await uow.rules.for_users([user]))[user]
        return sorted(found, key=lambda r: (-r.priority, r.seq))

    async def find_many(self, actor: Actor, rule_ids: Sequence[str]) -> dict[str, CategoryRule]:
        """Those of ``rule_ids`` that are the caller's."""
        async with self.uow() as uow:
            found = [await uow.rules.get(i) for i in dict.fromkeys(rule_ids)]
        return {r.id: r for r in found if r is not None and owns(actor, r.user_id)}

    async def update(self, actor: Actor, rule_id: str, changes: Mapping[str, Any]) -> CategoryRule:
        given = {k: val for k, val in changes.items() if val is not None}
        if not given:
            raise validation("No updates provided", "input")
        async with self.uow(write=True) as uow:
            rule = await self._own(uow, actor, rule_id)
            p = v.Problems()
            fields: dict[str, Any] = {}
            if "category" in given:
                fields["category"] = p.attempt(v.category_name, given["category"], "input", "category")
            if "priority" in given:
                fields["priority"] = p.attempt(rules.priority, given["priority"], "input", "priority")
            if "match" in given:
                fields["match"] = p.attempt(rules.match, given["match"], "input", "match")
            p.check()
            changed = dataclasses.replace(rule, **fields)
            await uow.rules.save(changed)
            return changed

    async def delete(self, actor: Actor, rule_id: str) -> None:
        async with self.uow(write=True) as uow:
            await self._own(uow, actor, rule_id)
            await uow.rules.delete(rule_id)

    async def _own(self, uow, actor: Actor, rule_id: str) -> CategoryRule:
        rule = await uow.rules.get(rule_id)
        if rule is None or not owns(actor, rule.user_id):
            raise not_found(f"Category rule {rule_id} not found", "id")
        return rule
