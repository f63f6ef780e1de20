"""Use cases of sharing: invite, accept, decline, cancel, unshare, leave.

The rules (:mod:`domain.sharing`): only the owner invites, cancels and unshares; only
the invitee accepts or declines (a trusted caller, with authentication off, may act
for anyone); a member may leave. Nobody counts in a budget, sees it or receives its
alerts before accepting, and every change of who counts in a HOUSEHOLD budget
evaluates its alerts in the same database transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from domain.alerts import raising as alerting
from domain.budgets import history
from domain import validation as v
from domain.access import Actor, can_admin, owns, require_budget, require_user
from domain.errors import not_found, validation
from domain.models import Budget, BudgetMember, MemberRole, new_id
from domain.ports import UnitOfWork
from domain.service import Service
from domain.sharing.rules import (
    LIST_MAX,
    RATE_WINDOW,
    Invitation,
    InvitationStatus,
    check_can_invite,
    expiry,
    require_open,
)


ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Shared:
    """What ``share`` did: the budget as it is now, and the invitation sent (None when
    the user was a member already and only their role changed)."""

    budget: Budget
    invitation: Invitation | None


@dataclass(frozen=True)
class Answered:
    invitation: Invitation
    budget: Budget | None  # the budget, for an accepted invitation


class SharingService(Service):
    # -- the owner ---------------------------------------------------------------
    async def share(self, actor: Actor, budget_id: str, user_id: str, role: MemberRole | str) -> Shared:
        """Invite ``user_id`` as VIEWER or EDITOR (owner only). Inviting someone with an
        open invitation changes its role; for a member, sharing again changes their role."""
        p = v.Problems()
        invitee = p.attempt(v.user_id, user_id, "userId")
        kind = p.attempt(v.enum_value, MemberRole, role, "role")
        p.check()
        now = self.clock()
        async with self.uow(write=True) as uow:
            budget = require_budget(
                actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_admin, "budgetId"
            )
            if invitee == budget.user_id:
                raise validation(f"{invitee} owns budget {budget_id}: it cannot be shared with its owner", "userId")
            if budget.member(invitee) is not None:
                if budget.member(invitee).role is kind:
                    return Shared(budget, None)
                changed = await uow.budgets.set_role(budget_id, invitee, kind)
                await history.record(uow, budget, changed, actor, now)
                return Shared(changed, None)
            pending = await uow.invitations.open_for(budget_id, invitee, now)
            if pending is not None:
                if pending.role is not kind:
                    await uow.invitations.set_role(pending.id, kind)
                return Shared(budget, await uow.invitations.get(pending.id))
            inviter = actor.user_id or budget.user_id
            check_can_invite(
                await uow.invitations.count_open(budget_id, now),
                len(budget.members),
                await uow.invitations.count_sent_since(inviter, now - RATE_WINDOW),
            )
            invitation = Invitation(
                id=new_id("inv"),
                budget_id=budget.id,
                budget_name=budget.name,
                user_id=invitee,
                role=kind,
                invited_by=inviter,
                created_at=now,
                expires_at=expiry(now),
                status=InvitationStatus.PENDING,
            )
            await uow.invitations.add(invitation)
            return Shared(budget, invitation)

    async def cancel(self, actor: Actor, invitation_id: str) -> Invitation:
        """Withdraw an open invitation (the budget's owner)."""
        now = self.clock()
        async with self.uow(write=True) as uow:
            invitation = await self._invitation(uow, invitation_id)
            budget = await uow.budgets.get(invitation.budget_id, for_update=True)
            if budget is None or not can_admin(actor, budget):
                raise _missing(invitation_id)
            require_open(invitation, now)
            await uow.invitations.respond(invitation.id, InvitationStatus.CANCELLED, now)
            return await uow.invitations.get(invitation.id)

    async def unshare(self, actor: Actor, budget_id: str, user_id: str) -> Budget:
        """Stop sharing with a user (owner only): a member is removed, an open invitation
        cancelled. They see nothing of it from now on, and a HOUSEHOLD budget stops
        counting their spending at once."""
        member = v.user_id(user_id, "userId")
        now = self.clock()
        async with self.uow(write=True) as uow:
            budget = require_budget(
                actor, budget_id, await uow.budgets.get(budget_id, for_update=True), can_admin, "budgetId"
            )
            if budget.member(member) is not None:
                return await self._remove(uow, budget, member, now, actor)
            pending = await uow.invitations.open_for(budget_id, member, now)
            if pending is None:
                raise not_found(f"Budget {budget_id} is not shared with {member}", "userId")
            await uow.invitations.respond(pending.id, InvitationStatus.CANCELLED, now)
            return budget

    # -- the invitee -------------------------------------------------------------
    async def accept(self, actor: Actor, invitation_id: str, share_history: bool = False) -> Answered:
        """Become a member. A HOUSEHOLD budget counts the member's spending from now on,
        and from before only with ``share_history``."""
        if not isinstance(share_history, bool):
            raise validation("shareHistory must be true or false", "shareHistory")
        now = self.clock()
        async with self.uow(write=True) as uow:
            invitation = await self._received(uow, actor, invitation_id)
            budget = await uow.budgets.get(invitation.budget_id, for_update=True)
            if budget is None:
                raise _missing(invitation_id)
            require_open(invitation, now)
            await uow.invitations.respond(invitation.id, InvitationStatus.ACCEPTED, now, share_history=share_history)
            member = BudgetMember(invitation.user_id, invitation.role, invitation.created_at, now, share_history)
            joined = await uow.budgets.add_member(budget.id, member)
            await history.record(uow, budget, joined, actor, now)
            if joined.spender_ids != budget.spender_ids:
                await alerting.after_budget_change(uow, joined, now)
            return Answered(await uow.invitations.get(invitation.id), joined)

    async def decline(self, actor: Actor, invitation_id: str) -> Invitation:
        now = self.clock()
        async with self.uow(write=True) as uow:
            invitation = await self._received(uow, actor, invitation_id)
            require_open(invitation, now)
            await uow.invitations.respond(invitation.id, InvitationStatus.DECLINED, now)
            return await uow.invitations.get(invitation.id)

    async def leave(self, actor: Actor, budget_id: str, user_id: str | None = None) -> Budget:
        """Stop being a member of a budget: it stops counting one's spending at once.
        ``user_id`` is for a trusted caller (authentication off); a verified user leaves
        as themselves."""
        member = require_user(actor, user_id, "userId")
        now = self.clock()
        async with self.uow(write=True) as uow:
            budget = await uow.budgets.get(budget_id, for_update=True)
            if budget is not None and budget.user_id == member:
                raise validation(f"{member} owns budget {budget_id}: an owner deletes it instead", "budgetId")
            if budget is None or budget.member(member) is None:
                raise not_found(f"You are not a member of budget {budget_id}", "budgetId")
            return await self._remove(uow, budget, member, now, actor)

    async def received(
        self, actor: Actor, user_id: str | None, status: InvitationStatus | str | None = None, first: int = 50
    ) -> list[Invitation]:
        """Invitations ``user_id`` (default the viewer) received, newest first."""
        user = require_user(actor, user_id, "userId")
        wanted = v.enum_value(InvitationStatus, status, "status") if status is not None else None
        if not isinstance(first, int) or isinstance(first, bool) or not 0 <= first <= LIST_MAX:
            raise validation(f"first must be between 0 and {LIST_MAX}", "first")
        async with self.uow() as uow:
            return await uow.invitations.for_user(user, wanted, self.clock(), first)

    async def sent(
        self, actor: Actor, budgets: list[Budget], status: InvitationStatus | None = None
    ) -> dict[str, list[Invitation]]:
        """The invitations of each budget, newest first: its owner's to read (others see
        none)."""
        mine = [b.id for b in budgets if can_admin(actor, b)]
        found: dict[str, list[Invitation]] = {b.id: [] for b in budgets}
        if mine:
            async with self.uow() as uow:
                found.update(await uow.invitations.for_budgets(mine, status, self.clock(), LIST_MAX))
        return found

    # -- helpers -----------------------------------------------------------------
    async def _invitation(self, uow: UnitOfWork, invitation_id: str) -> Invitation:
        well_formed = isinstance(invitation_id, str) and ID_PATTERN.fullmatch(invitation_id)
        invitation = await uow.invitations.get(invitation_id, for_update=True) if well_formed else None
        if invitation is None:
            raise _missing(invitation_id)
        return invitation

    async def _received(self, uow: UnitOfWork, actor: Actor, invitation_id: str) -> Invitation:
        """An invitation the caller received; another's looks exactly like a missing one."""
        invitation = await self._invitation(uow, invitation_id)
        if not owns(actor, invitation.user_id):
            raise _missing(invitation_id)
        return invitation

    async def _remove(
        self, uow: UnitOfWork, budget: Budget, member: str, now: datetime, actor: Actor | None = None
    ) -> Budget:
        left = await uow.budgets.remove_member(budget.id, member)
        await history.record(uow, budget, left, actor, now)
        if left.spender_ids != budget.spender_ids:
            await alerting.after_budget_change(uow, left, now)
        return left


def _missing(invitation_id: str):
    return not_found(f"Invitation {invitation_id} not found", "id")
