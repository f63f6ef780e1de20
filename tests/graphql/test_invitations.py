"""Invitations through the Python API with a clock of the test's own: expiry, and a
member counted from the very moment of acceptance (not the day), on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.access import TRUSTED
from domain.errors import BudgetError, ErrorCode
from domain.sharing.rules import InvitationStatus
from domain.sharing.service import SharingService
from persistence.unit_of_work import SqlUnitOfWorkFactory

from tests.support.queries import RECORD, create_budget

ACCEPTED_AT = datetime(2025, 11, 10, 15, 30, tzinfo=timezone.utc)
SPENT = """query($id: ID!, $at: DateTime) { budget(id: $id) { progress(at: $at) { totalSpent } } }"""


def sharing_at(app, moment: datetime) -> SharingService:
    return SharingService(SqlUnitOfWorkFactory(app.state.engine), clock=lambda: moment)


async def household(gql, owner: str, **extra) -> dict:
    return await create_budget(
        gql, owner, type="HOUSEHOLD", startDate="2025-10-01T00:00:00",
        categories=[{"name": "Groceries", "amount": "1000.00"}], **extra,
    )


async def record(gql, user: str, amount: str, at: str) -> None:
    payload = await gql(RECORD, {"input": {"userId": user, "category": "Groceries", "amount": amount, "occurredAt": at}})
    assert payload["recordTransaction"]["errors"] == [], payload


async def spent(gql, budget: dict, at: str) -> str:
    return (await gql(SPENT, {"id": budget["id"], "at": at}))["budget"]["progress"]["totalSpent"]


async def test_a_member_counts_from_the_moment_they_accepted(app, gql, user_id):
    owner, member = user_id + "_owner", user_id + "_member"
    budget = await household(gql, owner, rolloverMode="UNUSED")
    for amount, at in [
        ("1.00", "2025-10-20T12:00:00"),  # an earlier period
        ("2.00", "2025-11-09T23:59:59"),  # the day before
        ("4.00", "2025-11-10T15:29:59"),  # the same day, one second before accepting
        ("8.00", "2025-11-10T15:30:00"),  # the moment of acceptance
        ("16.00", "2025-11-10T23:00:00"),  # later that day
        ("32.00", "2025-11-20T08:00:00"),  # later that month
    ]:
        await record(gql, member, amount, at)
    await record(gql, owner, "100.00", "2025-11-02T10:00:00")
    invitation = (await sharing_at(app, ACCEPTED_AT - timedelta(days=1)).share(TRUSTED, budget["id"], member, "viewer")).invitation
    await sharing_at(app, ACCEPTED_AT).accept(TRUSTED, invitation.id)
    assert await spent(gql, budget, "2025-11-25T00:00:00") == "156.00"  # 100 + 8 + 16 + 32
    # October: only the owner's (nothing), and nothing of the member's carried by rollover.
    assert await spent(gql, budget, "2025-10-25T00:00:00") == "0.00"
    progress = await gql(
        "query($id: ID!) { budget(id: $id) { progress(at: \"2025-11-25T00:00:00\") { categories { budgetedAmount } } } }",
        {"id": budget["id"]},
    )
    assert progress["budget"]["progress"]["categories"][0]["budgetedAmount"] == "2000.00"  # October's 1,000 unused

    # Leaving takes all of it out at once; accepting again with history counts everything.
    await sharing_at(app, ACCEPTED_AT + timedelta(days=20)).leave(TRUSTED, budget["id"], member)
    assert await spent(gql, budget, "2025-11-25T00:00:00") == "100.00"
    again = (await sharing_at(app, ACCEPTED_AT + timedelta(days=20)).share(TRUSTED, budget["id"], member, "viewer")).invitation
    await sharing_at(app, ACCEPTED_AT + timedelta(days=20)).accept(TRUSTED, again.id, share_history=True)
    assert await spent(gql, budget, "2025-11-25T00:00:00") == "162.00"
    assert await spent(gql, budget, "2025-10-25T00:00:00") == "1.00"


async def test_an_invitation_expires_after_fourteen_days(app, gql, user_id):
    owner, invitee = user_id + "_owner", user_id + "_invitee"
    budget = await household(gql, owner)
    sent_at = datetime(2025, 11, 1, 9, 0, tzinfo=timezone.utc)
    invitation = (await sharing_at(app, sent_at).share(TRUSTED, budget["id"], invitee, "editor")).invitation
    assert invitation.expires_at == sent_at + timedelta(days=14)
    late = sharing_at(app, sent_at + timedelta(days=14))
    [listed] = await late.received(TRUSTED, invitee)
    assert listed.status_at(sent_at + timedelta(days=14)) is InvitationStatus.EXPIRED
    assert await late.received(TRUSTED, invitee, InvitationStatus.PENDING) == []
    assert [i.id for i in await late.received(TRUSTED, invitee, "expired")] == [invitation.id]
    with pytest.raises(BudgetError) as refused:
        await late.accept(TRUSTED, invitation.id)
    assert refused.value.code is ErrorCode.CONFLICT and "expired" in refused.value.message
    # Just in time, it is accepted.
    fresh = (await late.share(TRUSTED, budget["id"], invitee, "editor")).invitation
    assert fresh.id != invitation.id
    answered = await sharing_at(app, sent_at + timedelta(days=27, hours=23)).accept(TRUSTED, fresh.id)
    assert [m.user_id for m in answered.budget.members] == [invitee]


async def test_bad_input_to_sharing_is_a_clear_error_and_stores_nothing(app, gql, user_id):
    owner = user_id + "_owner"
    budget = await household(gql, owner)
    service = sharing_at(app, ACCEPTED_AT)
    for call, code in [
        (service.share(TRUSTED, budget["id"], "  ", "viewer"), ErrorCode.VALIDATION),
        (service.share(TRUSTED, budget["id"], "someone", "admin"), ErrorCode.VALIDATION),
        (service.share(TRUSTED, budget["id"], owner, "viewer"), ErrorCode.VALIDATION),
        (service.accept(TRUSTED, "inv_\x00x"), ErrorCode.NOT_FOUND),
        (service.accept(TRUSTED, "inv_missing"), ErrorCode.NOT_FOUND),
        (service.accept(TRUSTED, "inv_missing", share_history="yes"), ErrorCode.VALIDATION),
        (service.received(TRUSTED, owner, "maybe"), ErrorCode.VALIDATION),
        (service.received(TRUSTED, owner, None, 100000), ErrorCode.VALIDATION),
    ]:
        with pytest.raises(BudgetError) as failed:
            await call
        assert failed.value.code is code, failed.value
    assert await service.received(TRUSTED, "someone") == []
    assert (await gql("query($id: ID!) { budget(id: $id) { invitations { id } } }", {"id": budget["id"]}))[
        "budget"
    ]["invitations"] == []
