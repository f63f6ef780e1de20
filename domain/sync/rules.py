"""Delta sync's pure rules: the retention setting, when a cursor has expired, how a
page of feed rows becomes the ids to look up, and where the next page starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Iterable, Sequence

from domain.errors import cursor_expired, validation

from .model import KINDS, RETENTION_MIN, Change, Full, Incremental, SyncCursor

EXPIRED = "This cursor is older than the deletions the server keeps: sync in full again (since: null)"


def retention(value: object) -> timedelta:
    """How long deletions are kept: at least :data:`RETENTION_MIN` (a client offline for
    less than that never has to sync in full)."""
    if not isinstance(value, timedelta) or value < RETENTION_MIN:
        raise validation(f"The sync retention must be at least {RETENTION_MIN.days} days (got {value!r})", "retention")
    return value


def start_of(cursor: SyncCursor) -> int:
    """The lowest position the cursor still needs the feed to hold."""
    return cursor.h0 if isinstance(cursor, Full) else cursor.pos


def check_not_expired(cursor: SyncCursor, pruned_through: int) -> None:
    """CURSOR_EXPIRED when deletions the cursor still needs (positions from its start on)
    may have been pruned (every position up to ``pruned_through`` may be)."""
    if start_of(cursor) <= pruned_through:
        raise cursor_expired(EXPIRED, "since")


def ids_by_kind(changes: Iterable[Change]) -> dict[str, list[str]]:
    """Each kind's ids in feed order, each once (a page may hold several changes of one
    thing: its current state answers them all)."""
    found: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
    for change in changes:
        found[change.kind][change.entity_id] = None
    return {kind: list(ids) for kind, ids in found.items()}


def after_changes(page: Sequence[Change], more: bool, horizon: int, since: Incremental) -> Incremental:
    """Where the feed goes on after ``page``: after its last row when more rows below the
    horizon wait, else at the horizon (everything before it has now been delivered)."""
    if more:
        if not page:  # an empty page (first: 0, or a full page's last room): nothing delivered
            return since
        last = page[-1]
        return Incremental(last.pos, last.kind, last.entity_id)
    return Incremental(max(horizon, since.pos))  # the horizon never moves back; max() is for safety
