"""A unit of work: one session, one database transaction, its repositories.

Each use case opens its own unit of work, so concurrently running resolvers never
share an ``AsyncSession``.

A failure to reach the database (refused or dropped connection, pool or connect
timeout, server shutting down) leaves a unit of work as
``BudgetError(SERVICE_UNAVAILABLE)``, so callers answer "try again" instead of an
internal error. When the connection drops during COMMIT the write may or may not have
been stored: clients retry (``externalId`` makes recording a transaction idempotent).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.errors import BudgetError

from .alert_repository import SqlAlertRepository
from .budget_repository import SqlBudgetRepository
from .changes import Changes
from .cursors import Cursors
from .dialects import is_postgres
from .invitation_repository import SqlInvitationRepository
from .database import WRITE, database_unavailable, is_unavailable
from .goal_repository import SqlGoalRepository
from . import notices
from .rule_repository import SqlRuleRepository
from .spending_repository import SqlSpendingRepository
from .sync_log import SyncLog
from .sync_repository import SqlSyncRepository
from .template_repository import SqlTemplateRepository
from .webhook_repository import SqlWebhookRepository


class SqlUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], bus=None, cursors: Cursors | None = None):
        self._sessions = sessions
        self._bus = bus
        self._cursors = cursors or Cursors()
        self.session: AsyncSession | None = None
        self.announced: list[int] = []
        self._notified = 0  # of ``announced``, NOTIFYed already (PostgreSQL)
        self.changes = Changes()

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.session = self._sessions()
        await self.session.begin()
        self.changes = Changes()
        self.sync_log = SyncLog(self.session)  # written just before COMMIT
        self.budgets = SqlBudgetRepository(self.session, self._cursors, self.changes, self.sync_log)
        self.spending = SqlSpendingRepository(self.session, self._cursors, self.changes, self.sync_log)
        self.alerts = SqlAlertRepository(self.session, self.announced, self._cursors, self.sync_log)
        self.templates = SqlTemplateRepository(self.session, self.sync_log)
        self.invitations = SqlInvitationRepository(self.session)
        self.webhooks = SqlWebhookRepository(self.session, self._cursors)
        self.rules = SqlRuleRepository(self.session, self.sync_log)
        self.goals = SqlGoalRepository(self.session, self.sync_log)
        self.sync = SqlSyncRepository(self.session, self._cursors)
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        assert self.session is not None
        committed = False
        try:
            if exc_type is None and self.session.in_transaction():
                await self.sync_log.flush()
                await self._notify()
                await self.session.commit()
                committed = True
            else:
                await self.session.rollback()
        except Exception as failure:
            if exc is None:  # COMMIT failed
                if is_unavailable(failure):
                    raise database_unavailable() from failure
                raise
            # ROLLBACK after a failure failed too (the connection is gone, most likely):
            # the first failure is the one to report, below.
        finally:
            await self._close()
        if exc is not None and not isinstance(exc, BudgetError) and is_unavailable(exc):
            raise database_unavailable() from exc
        if committed and self.announced and self._bus is not None:
            await self._bus.committed(list(self.announced))
        if committed and self.changes and self._bus is not None:
            await self._bus.changed(self.changes)

    async def _close(self) -> None:
        try:
            await self.session.close()
        except Exception as failure:
            if not is_unavailable(failure):  # closing a dead connection is not news
                raise

    async def _notify(self) -> None:
        """PostgreSQL: this transaction's alert seqs and changes, NOTIFYed in it, so they
        are delivered exactly when it commits (one statement for all of them)."""
        if is_postgres(self.session):
            await notices.send(self.session, notices.pending(self.announced[self._notified :], self.changes))
            self._notified = len(self.announced)

    async def commit(self) -> None:
        assert self.session is not None
        await self.sync_log.flush()
        await self._notify()
        await self.session.commit()
        self.sync_log.committed()


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine; ``write=True`` takes SQLite's write lock up front.
    ``cursor_secret`` seals page cursors (``BUDGETQL_CURSOR_SECRET``); without it the
    database's stored secret does (see ``persistence/cursors.py``)."""

    def __init__(self, engine: AsyncEngine, cursor_secret: str | None = None):
        self.engine = engine
        self.cursors = Cursors(cursor_secret)
        self.bus = None  # set by whoever runs a bus; told about alerts after they commit
        self._read = async_sessionmaker(engine, expire_on_commit=False)
        self._write = async_sessionmaker(engine.execution_options(**{WRITE: True}), expire_on_commit=False)

    def __call__(self, *, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._write if write else self._read, self.bus, self.cursors)
