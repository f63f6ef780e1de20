"""Sharing a budget needs the invitee's consent: invitations and their rules.

``shareBudget`` does not make anyone a member: it sends an invitation, which the
invitee accepts or declines (or the owner cancels, or it expires). Only an accepted
invitation makes a member, and a HOUSEHOLD budget counts a member's spending from the
moment they accepted (all of it only when they chose to share their history), never
before and never after they leave.

Pure: the records and the rules; :mod:`domain.sharing_service` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from domain.errors import BudgetError, ErrorCode
from domain.models import MemberRole

INVITATION_TTL = timedelta(days=14)
# Bounds that keep invitations from being a spam channel.
PENDING_PER_BUDGET = 20  # open invitations of one budget at once
INVITES_PER_DAY = 50  # invitations one user may send in any 24 hours
MEMBERS_PER_BUDGET = 50
RATE_WINDOW = timedelta(hours=24)
LIST_MAX = 200  # invitations listed at once (newest first)


class InvitationStatus(str, Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Invitation:
    id: str
    budget_id: str
    budget_name: str
    user_id: str  # the invitee
    role: MemberRole
    invited_by: str
    created_at: datetime
    expires_at: datetime
    status: InvitationStatus  # as stored: a PENDING one past expires_at reads as EXPIRED
    responded_at: datetime | None = None
    share_history: bool = False  # what the invitee chose on accepting

    def status_at(self, now: datetime) -> InvitationStatus:
        if self.status is InvitationStatus.PENDING and _utc(now) >= _utc(self.expires_at):
            return InvitationStatus.EXPIRED
        return self.status

    def is_open(self, now: datetime) -> bool:
        return self.status_at(now) is InvitationStatus.PENDING


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def expiry(created_at: datetime) -> datetime:
    return created_at + INVITATION_TTL


def rate_limited(message: str, *field: str) -> BudgetError:
    return BudgetError(ErrorCode.RATE_LIMITED, message, field or None)


def check_can_invite(pending_for_budget: int, members: int, sent_recently: int) -> None:
    """Raise when one more invitation would pass a bound."""
    if members >= MEMBERS_PER_BUDGET:
        raise rate_limited(f"A budget has at most {MEMBERS_PER_BUDGET} members", "userId")
    if pending_for_budget >= PENDING_PER_BUDGET:
        raise rate_limited(
            f"A budget has at most {PENDING_PER_BUDGET} open invitations: cancel some or wait for answers", "userId"
        )
    if sent_recently >= INVITES_PER_DAY:
        raise rate_limited(f"At most {INVITES_PER_DAY} invitations may be sent in 24 hours", "userId")


def require_open(invitation: Invitation, now: datetime) -> None:
    status = invitation.status_at(now)
    if status is not InvitationStatus.PENDING:
        raise BudgetError(
            ErrorCode.CONFLICT, f"Invitation {invitation.id} is {status.value}, no longer open", "id"
        )
