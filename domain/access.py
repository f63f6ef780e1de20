"""Who may do what: the authorization rules, applied by every service.

Every service method that reads or writes user data takes the caller as its first
argument, an :class:`Actor`, and applies one of these rules before anything else:

* per-user arguments (``userId``: budgets, transactions, alerts, templates, webhooks,
  subscriptions): ``user = require_user(actor, user_id, "userId")``. With
  authentication off the caller is trusted and ``userId`` is required; with it on, a
  missing ``userId`` is the viewer and naming anyone else is FORBIDDEN.
* a record fetched by id that belongs to one user (a transaction, a webhook, a
  user's template): ``if record is None or not owns(actor, record.user_id): raise
  not_found(...)``, so another user's record looks exactly like a missing one.
* a budget fetched by id: ``require_budget(actor, budget_id, budget, can_edit)``
  (or ``can_read`` / ``can_admin``): NOT_FOUND if the caller cannot read it at all,
  FORBIDDEN if they can read it but not do this.

Roles on a budget: the owner may do everything; a member shared as EDITOR reads and
updates it; a VIEWER reads it, its progress and its alerts. Only the owner deletes
or shares it. A trusted actor (authentication off) may do everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import validation as v
from .errors import forbidden, not_found, validation
from .models import Budget, MemberRole

USER_REQUIRED = "userId is required when authentication is off"


@dataclass(frozen=True)
class Actor:
    """The caller: a verified user (the token's ``sub``), or, with authentication
    off, the trusted local caller whose ``userId`` arguments are believed."""

    user_id: str | None = None

    @property
    def trusted(self) -> bool:
        return self.user_id is None

    @classmethod
    def viewer(cls, user_id: str) -> "Actor":
        return cls(v.user_id(user_id, "sub"))


TRUSTED = Actor()


def require_user(actor: Actor, user_id: str | None, *field: str) -> str:
    """The user a per-user operation is for: ``user_id`` if the caller may act for
    them, the viewer when it is omitted (authentication on)."""
    if actor.trusted:
        if user_id is None:
            raise validation(USER_REQUIRED, *field)
        return v.user_id(user_id, *field)
    if user_id is None:
        return actor.user_id
    if v.user_id(user_id, *field) != actor.user_id:
        raise forbidden("You can only act for yourself: omit userId or pass your own", *field)
    return actor.user_id


def optional_user(actor: Actor, user_id: str | None, *field: str) -> str | None:
    """For arguments where no user is meaningful (the built-in templates alone): like
    :func:`require_user`, except that a trusted caller may leave ``user_id`` out."""
    if actor.trusted and user_id is None:
        return None
    return require_user(actor, user_id, *field)


def owns(actor: Actor, owner_id: str) -> bool:
    """May the caller see a record that belongs to ``owner_id`` alone?"""
    return actor.trusted or actor.user_id == owner_id


def role_of(actor: Actor, budget: Budget) -> MemberRole | None:
    for m in budget.members:
        if m.user_id == actor.user_id:
            return m.role
    return None


def can_read(actor: Actor, budget: Budget) -> bool:
    return owns(actor, budget.user_id) or role_of(actor, budget) is not None


def can_edit(actor: Actor, budget: Budget) -> bool:
    return owns(actor, budget.user_id) or role_of(actor, budget) is MemberRole.EDITOR


def can_admin(actor: Actor, budget: Budget) -> bool:
    """Delete, share and unshare: the owner only."""
    return owns(actor, budget.user_id)


_DENIED = {
    can_read: "read",
    can_edit: "change",
    can_admin: "delete or share (only its owner may)",
}


def require_budget(
    actor: Actor, budget_id: str, budget: Budget | None, allowed: Callable[[Actor, Budget], bool] = can_read, *field: str
) -> Budget:
    """``budget`` if the caller may do ``allowed`` with it. NOT_FOUND when it is missing
    or the caller cannot read it (nothing tells them it exists); FORBIDDEN when they
    can read it but not this."""
    field = field or ("id",)
    if budget is None or not can_read(actor, budget):
        raise not_found(f"Budget with ID {budget_id} not found", *field)
    if not allowed(actor, budget):
        raise forbidden(f"You may not {_DENIED[allowed]} budget {budget_id}", *field)
    return budget
