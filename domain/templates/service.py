"""Use cases for templates: list, get, preview, apply, and users' own templates.

A budget made from a template is created by :meth:`BudgetService.create_budget`, so it
passes every rule any other budget does.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from domain import periods
from domain.templates import rules
from domain import validation as v
from domain.access import Actor, optional_user, owns, require_user
from domain.templates.builtin import BUILTINS
from domain.errors import BudgetError, conflict, not_found, validation
from domain.models import Budget, BudgetPeriod, BudgetType
from domain.budgets.service import BudgetService
from domain.time_zones import UTC, time_zone as check_time_zone, wall_clock
from domain.templates.model import Template, allocate_template, check_income


class TemplateService:
    def __init__(self, budgets: BudgetService):
        self.budgets = budgets
        self.uow = budgets.uow
        self.clock = budgets.clock

    # -- reads -----------------------------------------------------------------
    async def list_templates(self, actor: Actor, user_id: str | None = None) -> list[Template]:
        """The built-ins, then (given a user, or the viewer) that user's own templates, oldest first."""
        builtins = list(BUILTINS.values())
        user = optional_user(actor, user_id, "userId")
        if user is None:
            return builtins
        async with self.uow() as uow:
            return builtins + await uow.templates.list_for_user(user)

    async def find_template(self, actor: Actor, key: str, user_id: str | None = None) -> Template | None:
        """A built-in by key, else (given a user, or the viewer) that user's template, else None."""
        if key in BUILTINS:
            return BUILTINS[key]
        user = optional_user(actor, user_id, "userId")
        if user is None:
            return None
        async with self.uow() as uow:
            return await uow.templates.get(user, key)

    async def find_many(self, actor: Actor, template_ids: Sequence[str]) -> dict[str, Template]:
        """Templates by global id (``Template.id``): the built-ins, and the caller's own
        (another user's is absent, as a missing one is). One read per user template."""
        found: dict[str, Template] = {}
        wanted: dict[str, tuple[str, str]] = {}
        for template_id in dict.fromkeys(template_ids):
            named = rules.parse_id(template_id)
            if named is None:
                continue
            owner, key = named
            if owner is None:
                found[template_id] = BUILTINS[key]
            elif owns(actor, owner):
                wanted[template_id] = (owner, key)
        if wanted:
            async with self.uow() as uow:
                for template_id, (owner, key) in wanted.items():
                    template = await uow.templates.get(owner, key)
                    if template is not None:
                        found[template_id] = template
        return found

    async def get_template(
        self, actor: Actor, key: str, user_id: str | None = None, *, field: str = "key"
    ) -> Template:
        """Like :meth:`find_template`; NOT_FOUND, listing the valid keys, when there is none."""
        found = await self.find_template(actor, key, user_id)
        if found is None:
            valid = ", ".join(t.key for t in await self.list_templates(actor, user_id))
            raise not_found(f"Template {key!r} not found: valid keys are {valid}", field)
        return found

    async def preview_template(
        self, actor: Actor, key: str, total_income: Any, currency: str | None = None, user_id: str | None = None
    ) -> list[tuple[str, Decimal]]:
        """The allocation ``apply_template`` would make, without storing anything."""
        template, currency, income = await self._plan(actor, key, user_id, total_income, currency, "key")
        return allocate_template(template, income, currency)

    # -- writes ----------------------------------------------------------------
    async def apply_template(
        self,
        actor: Actor,
        *,
        user_id: str | None,
        template_key: str,
        total_income: Any,
        budget_name: str | None = None,
        start_date: datetime | date | str | None = None,
        type: BudgetType | str | None = None,
        period: BudgetPeriod | str | None = None,
        rollover_enabled: bool | None = None,
        currency: str | None = None,
        time_zone: str | None = None,
    ) -> Budget:
        """Create a budget whose categories are the template's allocation of ``total_income``.

        Defaults: type and period from the template; start the first day of the current
        period; name ``"<template name> - <Month YYYY>"`` of the start date."""
        p = v.Problems()
        user = p.attempt(require_user, actor, user_id, "userId")
        planned = None
        if user is not None:
            try:
                planned = await self._plan(actor, template_key, user, total_income, currency, "templateKey")
            except BudgetError as exc:
                p.add(exc)
        per = p.attempt(v.budget_period, period, "period") if period is not None else None
        name = p.attempt(v.budget_name, budget_name, "budgetName") if budget_name is not None else None
        start = p.attempt(v.start_date, start_date, "startDate") if start_date is not None else None
        tz = p.attempt(check_time_zone, time_zone, "timeZone") if time_zone is not None else UTC
        p.check()
        template, cur, income = planned
        per = per or template.period
        start = start or periods.calendar_start(per, wall_clock(self.clock(), tz))
        return await self.budgets.create_budget(
            actor,
            user_id=user,
            name=name or f"{template.name} - {start:%B %Y}",
            type=type if type is not None else template.type,
            period=per,
            categories=allocate_template(template, income, cur),
            start_date=start,
            rollover_enabled=rollover_enabled,
            currency=cur,
            time_zone=tz,
        )

    async def create_template(
        self,
        actor: Actor,
        *,
        user_id: str | None,
        key: str,
        name: str,
        categories: Iterable[Mapping[str, Any]],
        description: str | None = None,
        type: BudgetType | str = BudgetType.PERSONAL,
        period: BudgetPeriod | str = BudgetPeriod.MONTHLY,
    ) -> Template:
        """A user's own template. ``categories`` are mappings with ``name``, an optional
        ``group`` and either ``percent`` (all of them totalling exactly 100) or ``weight``."""
        p = v.Problems()
        template = Template(
            key=p.attempt(rules.key, key, "key"),
            name=p.attempt(rules.name, name, "name"),
            description=p.attempt(rules.description, description, "description"),
            type=p.attempt(v.budget_type, type, "type"),
            period=p.attempt(v.budget_period, period, "period"),
            categories=p.attempt(rules.categories, categories, "categories"),
            owner=p.attempt(require_user, actor, user_id, "userId"),
            created_at=self.clock(),
        )
        p.check()
        async with self.uow(write=True) as uow:
            if not await uow.templates.add(template):
                raise conflict(f"You already have a template with key {template.key!r}", "key")
        return template

    async def delete_template(self, actor: Actor, user_id: str | None, key: str) -> None:
        """Delete a user's own template; built-ins cannot be deleted."""
        user = require_user(actor, user_id, "userId")
        if key in BUILTINS:
            raise validation(f"Template {key!r} is built in and cannot be deleted", "key")
        async with self.uow(write=True) as uow:
            if not await uow.templates.delete(user, key):
                raise not_found(f"You have no template with key {key!r}", "key")

    async def _plan(
        self, actor: Actor, key: str, user_id: str | None, total_income: Any, currency: str | None, key_field: str
    ) -> tuple[Template, str, Decimal]:
        """The template, the currency and the income, with all their problems reported together."""
        p = v.Problems()
        try:
            template = await self.get_template(actor, key, user_id, field=key_field)
        except BudgetError as exc:
            p.add(exc)
        checked = p.attempt(check_income, total_income, currency)
        p.check()
        return template, *checked
