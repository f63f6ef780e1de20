"""The Python API of the spec ("Quick Start" 1 and 2, "Real-Time Progress"):
``easy_budgets``, its tracker, and ``apply_template``.

    tracker = easy_budgets(db_url="postgresql+asyncpg://localhost/mydb")
    budget = await tracker.create_budget(user_id=..., name=..., type=BudgetType.PERSONAL, ...)
    budget = await apply_template(user_id=..., template_name="50_30_20", total_income=5000, tracker=tracker)
    await tracker.record_transaction(user_id=..., category="Groceries", amount="425.50", external_id="bank-1")
    progress = await tracker.get_budget_progress(budget_id=budget.id)
    alerts = await tracker.get_alerts(budget_id=budget.id)

The tracker applies migrations on first use, so it works on an empty database
(including ``sqlite+aiosqlite:///:memory:``). It is the embedded API of a trusted
caller: it acts as :data:`domain.access.TRUSTED` (like ``BUDGETQL_AUTH=none``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import TRUSTED
from domain.alerts.service import AlertService
from domain.alerts.rules import AlertEvent
from domain.errors import validation
from domain.models import Budget, BudgetType, Transaction
from domain.progress.rules import BudgetProgress
from domain.budgets.service import BudgetService
from domain.spending.service import SpendingService
from domain.templates.service import TemplateService
from domain.templates.model import Template
from domain.spending.rules import TransactionInput, build, naive_utc
from domain.validation import Problems

from .database import create_engine, resolve_database_url
from .migrate import migrate
from .unit_of_work import SqlUnitOfWorkFactory


_INPUT_FIELDS = tuple(f.name for f in dataclasses.fields(TransactionInput))


class RecordedTransaction(NamedTuple):
    """What ``record_transaction`` stored: the transaction, and whether this call
    created it (False: its ``external_id`` was recorded before, nothing was added)."""

    transaction: Transaction
    created: bool


@dataclass(frozen=True)
class AlertPage:
    """One page of alerts, newest first, like the GraphQL ``alerts`` connection.
    Iterating it (or ``len``) goes over ``nodes``; pass ``end_cursor`` as ``after``
    for the next page while ``has_next_page``."""

    nodes: list[AlertEvent]
    total_count: int
    has_next_page: bool
    end_cursor: str | None

    def __iter__(self) -> Iterator[AlertEvent]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)


class BudgetTracker:
    def __init__(self, db_engine: AsyncEngine):
        self.db_engine = db_engine
        uow = SqlUnitOfWorkFactory(db_engine)
        self.service = BudgetService(uow)
        self.spending = SpendingService(uow)
        self.alerts = AlertService(uow)
        self.templates = TemplateService(self.service)
        self._ready = False
        self._lock = asyncio.Lock()

    async def _ensure_schema(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await migrate(self.db_engine)
                self._ready = True

    async def create_budget(self, **kwargs: Any) -> Budget:
        await self._ensure_schema()
        return await self.service.create_budget(TRUSTED, **kwargs)

    async def get_budgets(self, user_id: str, type: BudgetType | str | None = None) -> list[Budget]:
        await self._ensure_schema()
        return await self.service.get_budgets(TRUSTED, user_id, type)

    async def get_budget(self, budget_id: str) -> Budget:
        await self._ensure_schema()
        return await self.service.get_budget(TRUSTED, budget_id)

    async def update_budget(self, budget_id: str, updates: dict[str, Any]) -> Budget:
        await self._ensure_schema()
        return await self.service.update_budget(TRUSTED, budget_id, updates)

    async def delete_budget(self, budget_id: str) -> None:
        await self._ensure_schema()
        await self.service.delete_budget(TRUSTED, budget_id)

    # -- spending and progress -----------------------------------------------------
    async def get_budget_progress(
        self, budget_id: str, at: datetime | str | None = None, *, period: int | None = None
    ) -> BudgetProgress:
        """The spec's ``get_budget_progress``: the figures of the period containing ``at``
        (default now; naive means UTC, an aware or ISO 8601 value is converted), or of
        period index ``period`` (0 is the first), exactly like GraphQL's
        ``budget(id:) { progress(at:, period:) }``. Amounts and percentages are ``Decimal``."""
        await self._ensure_schema()
        moment = naive_utc(at, "at") if at is not None else None
        if period is not None and (isinstance(period, bool) or not isinstance(period, int)):
            raise validation(f"period must be a period index (an int), got {period!r}", "period")
        budget = await self.service.get_budget(TRUSTED, budget_id)
        k = period if period is not None else self.spending.period_at(budget, moment)
        (progress,) = await self.spending.progress_many([(budget, k, moment)])
        return progress

    async def record_transaction(
        self,
        user_id: str,
        category: str,
        amount: Any,
        occurred_at: datetime | str | None = None,
        description: str | None = None,
        currency: str | None = None,
        external_id: str | None = None,
    ) -> RecordedTransaction:
        """Record spending (a negative ``amount`` is a refund), like the GraphQL
        ``recordTransaction``: ``occurred_at`` defaults to now, ``currency`` to USD.
        Idempotent on ``external_id`` (unique per user): recording it again returns the
        stored transaction with ``created`` False. Bad input raises ``ValidationFailed``
        (a ``BudgetError``) listing every problem, and stores nothing."""
        await self._ensure_schema()
        data = TransactionInput(
            user_id=user_id,
            category=category,
            amount=amount,
            currency=currency,
            occurred_at=occurred_at,
            description=description,
            external_id=external_id,
        )
        return RecordedTransaction(*await self.spending.record(TRUSTED, data))

    async def record_transactions(
        self, transactions: Iterable[Mapping[str, Any] | TransactionInput]
    ) -> list[RecordedTransaction]:
        """Up to 1,000 transactions, all or nothing, each a mapping with
        ``record_transaction``'s keyword arguments (or a ``TransactionInput``). The
        results are in input order. Any bad item (its problems are listed with the path
        ``("inputs", "<index>", <field>)``) rejects the whole batch: nothing is stored."""
        await self._ensure_schema()
        if not isinstance(transactions, Iterable) or isinstance(transactions, (Mapping, TransactionInput, str, bytes)):
            raise validation("record_transactions takes a list of transactions; use record_transaction for one", "inputs")
        p = Problems()
        items = [_transaction_input(item, p, "inputs", str(i)) for i, item in enumerate(transactions)]
        if p.items:
            # Report the other problems of every item too, so one call lists them all.
            now = self.spending.now()
            for i, data in enumerate(items):
                if data is not None:
                    p.attempt(build, TRUSTED, data, now, "inputs", str(i))
            p.check()
        return [RecordedTransaction(t, created) for t, created in await self.spending.record_many(TRUSTED, items)]

    async def delete_transaction(self, transaction_id: str) -> Transaction:
        """Delete a transaction; its amount leaves every budget's progress."""
        await self._ensure_schema()
        return await self.spending.delete(TRUSTED, transaction_id)

    # -- alerts ----------------------------------------------------------------------
    async def get_alerts(
        self,
        user_id: str | None = None,
        budget_id: str | None = None,
        unacknowledged_only: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> AlertPage:
        """Raised alerts, newest first, like the GraphQL ``alerts`` query: those of
        ``user_id``'s budgets and of budgets shared with them, of one budget if
        ``budget_id`` is given. With only ``budget_id``, that budget's alerts (as its
        owner reads them). ``first`` is at most 500."""
        await self._ensure_schema()
        if user_id is None:
            if budget_id is None:
                raise validation("get_alerts needs a user_id or a budget_id", "user_id")
            user_id = (await self.service.get_budget(TRUSTED, budget_id)).user_id
        page = await self.alerts.list(TRUSTED, user_id, budget_id, unacknowledged_only, first, after)
        return AlertPage([a for _, a in page.items], page.total_count, page.has_next, page.end_cursor)

    async def acknowledge_alert(self, alert_id: str) -> AlertEvent:
        """Mark an alert read (``acknowledged_at``); acknowledging it again keeps the first time."""
        await self._ensure_schema()
        return await self.alerts.acknowledge(TRUSTED, alert_id)

    # -- templates ---------------------------------------------------------------------
    async def apply_template(self, **kwargs: Any) -> Budget:
        """See :meth:`TemplateService.apply_template` (``template_key``, ``total_income``, …)."""
        await self._ensure_schema()
        return await self.templates.apply_template(TRUSTED, **kwargs)

    async def get_templates(self, user_id: str | None = None) -> list[Template]:
        """The built-in templates, then ``user_id``'s own."""
        await self._ensure_schema()
        return await self.templates.list_templates(TRUSTED, user_id)

    async def create_template(self, **kwargs: Any) -> Template:
        await self._ensure_schema()
        return await self.templates.create_template(TRUSTED, **kwargs)

    async def delete_template(self, user_id: str, key: str) -> None:
        await self._ensure_schema()
        await self.templates.delete_template(TRUSTED, user_id, key)

    async def close(self) -> None:
        await self.db_engine.dispose()


def _transaction_input(item: Any, p: Problems, *path: str) -> TransactionInput | None:
    """A batch item as the domain's input; its shape problems go to ``p``."""
    if isinstance(item, TransactionInput):
        return item
    if not isinstance(item, Mapping):
        p.add(validation(f"Expected a mapping of {', '.join(_INPUT_FIELDS)} (got {type(item).__name__})", *path))
        return None
    for key in item:
        if key not in _INPUT_FIELDS:
            p.add(validation(f"Unknown field {key!r}: expected {', '.join(_INPUT_FIELDS)}", *path, str(key)))
    return TransactionInput(**{k: item.get(k) for k in _INPUT_FIELDS})


async def apply_template(
    user_id: str,
    template_name: str,
    total_income: Any,
    tracker: BudgetTracker,
    budget_name: str | None = None,
    start_date: datetime | None = None,
    **kwargs: Any,
) -> Budget:
    """The spec's ``apply_template``: a budget from a template (built in or ``user_id``'s own),
    its categories the template's exact split of ``total_income``. ``kwargs``: ``type``,
    ``period``, ``rollover_enabled``, ``currency``. Raises ``BudgetError`` (a ``ValueError``)."""
    return await tracker.apply_template(
        user_id=user_id,
        template_key=template_name,
        total_income=total_income,
        budget_name=budget_name,
        start_date=start_date,
        **kwargs,
    )


def easy_budgets(
    db_url: str | None = None,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_pre_ping: bool = True,
    echo: bool = False,
) -> BudgetTracker:
    """A tracker with sensible defaults. The URL falls back to ``BUDGETQL_DATABASE_URL``
    or ``SQL_URL``; with neither set, this raises ``ValueError`` as the spec says."""
    if not (db_url or os.environ.get("BUDGETQL_DATABASE_URL") or os.environ.get("SQL_URL")):
        raise ValueError("Database URL required (db_url or SQL_URL env var)")
    engine = create_engine(resolve_database_url(db_url), pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pool_pre_ping, echo=echo)
    return BudgetTracker(db_engine=engine)

