"""What a writing repository of a unit of work holds besides its session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from .changes import Changes
from .cursors import Cursors
from .sync_log import SyncLog


class ChangingRepository:
    """A repository whose writes the unit of work announces and logs: it reads and writes
    through ``session``, seals its pages' cursors with ``cursors``, collects in
    ``changes`` what is announced after COMMIT (live ``budgetProgress``) and logs in
    ``sync_log`` what delta sync reports. The unit of work hands in its own; a repository
    built alone gets fresh ones."""

    def __init__(
        self, session: AsyncSession, cursors: Cursors | None = None, changes: Changes | None = None,
        sync_log: SyncLog | None = None,
    ):
        self.session = session
        self.cursors = cursors or Cursors()
        self.changes = changes if changes is not None else Changes()
        self.sync_log = sync_log if sync_log is not None else SyncLog(session)
