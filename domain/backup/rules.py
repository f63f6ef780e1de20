"""A user's backup: budgets, own templates and transactions, as a JSON-ready document.

Pure: records to plain dicts and back. Reading a document checks everything with the
rules any other input meets (names, categories, amounts in the currency's minor units,
thresholds, template shares, transaction fields) and reports every problem with its
path (``budgets.3.categories.0.amount``), so a damaged file stores nothing.

Amounts, thresholds and weights are decimal strings ("600.00"), never JSON numbers
(which many tools read as binary floats). Calendar times (``start_date``,
``occurred_at``) have no zone; timestamps (``created_at``, ``updated_at``) are UTC
with a ``Z``. Everything a record holds is written, so a backup restored into an
empty database exports to the same document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Mapping

from domain import money
from domain.templates import rules
from domain import validation as v
from domain.errors import BudgetError, validation
from domain.alerts.rules import AlertType
from domain.models import (
    AlertThresholds,
    Budget,
    BudgetMember,
    BudgetRevision,
    CategorizedBy,
    CategoryLimit,
    CategoryPlan,
    FieldChange,
    MemberRole,
    PeriodAmount,
    Transaction,
)
from domain.time_zones import time_zone
from domain.sharing.rules import Invitation, InvitationStatus
from domain.webhooks import rules as hooks
from domain.webhooks.model import Webhook
from domain.periods import anchor_of, end_date
from domain.templates.model import Template
from domain.access import TRUSTED
from domain.spending import category_rules
from domain.spending.category_rules import CategoryRule
from domain.spending.rules import SplitInput, TransactionInput, build
from domain.models import parse_iso
from domain.models import utc_text

FORMAT = "budgetql-backup"
VERSION = 3  # 2: budgets carry their members and invitations; 3: their history and time zone
READS = (1, 2, 3)
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Backup:
    user_id: str
    budgets: tuple[Budget, ...]  # oldest first
    templates: tuple[Template, ...]  # the user's own, oldest first
    transactions: tuple[Transaction, ...]  # by occurred_at, then as recorded
    invitations: tuple[Invitation, ...] = ()  # of its budgets, oldest first
    acknowledgements: tuple["Acknowledgement", ...] = ()  # of its budgets' alerts, oldest first
    webhooks: tuple[Webhook, ...] = ()  # oldest first, without their secrets
    revisions: tuple[BudgetRevision, ...] = ()  # of its budgets: each budget's oldest first
    rules: tuple[CategoryRule, ...] = ()  # its category rules, oldest first


@dataclass(frozen=True)
class Acknowledgement:
    """That an alert of one of the user's budgets was acknowledged, and when. Alerts are
    not in a backup (restoring the spending raises them again); this finds the alert
    raised again by what makes it unique, and marks it."""

    budget_id: str
    period_start: datetime  # calendar time, as the alert's
    category: str | None  # None: the budget total
    alert_type: AlertType
    acknowledged_at: datetime


# -- records to a document -------------------------------------------------------
def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _timestamp(value: datetime) -> str:
    return utc_text(value)


def _member(m: BudgetMember) -> dict[str, Any]:
    return {
        "user_id": m.user_id,
        "role": m.role.value,
        "created_at": _timestamp(m.created_at),
        "accepted_at": _timestamp(m.accepted_at),
        "share_history": m.share_history,
    }


def _invitation(i: Invitation) -> dict[str, Any]:
    return {
        "id": i.id,
        "user_id": i.user_id,
        "role": i.role.value,
        "invited_by": i.invited_by,
        "status": i.status.value,  # as stored: expiry is read from expires_at
        "share_history": i.share_history,
        "created_at": _timestamp(i.created_at),
        "expires_at": _timestamp(i.expires_at),
        "responded_at": _timestamp(i.responded_at) if i.responded_at else None,
    }


def _limits(limits: tuple[CategoryLimit, ...]) -> list[dict[str, Any]]:
    return [{"name": c.name, "amount": _decimal(c.amount), "since_period": c.since_period} for c in limits]


def _revision(r: BudgetRevision) -> dict[str, Any]:
    return {
        "version": r.version,
        "changed_at": _timestamp(r.changed_at),
        "changed_by": r.changed_by,
        "effective_period": r.effective_period,
        "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in r.changes],
    }


def _budget(b: Budget, invitations: list[Invitation], revisions: list[BudgetRevision]) -> dict[str, Any]:
    return {
        "id": b.id,
        "name": b.name,
        "type": b.type.value,
        "period": b.period.value,
        "currency": b.currency,
        "start_date": b.start_date.isoformat(),
        "rollover_mode": b.rollover_mode.value,
        "thresholds": {
            "warning": _decimal(b.thresholds.warning),
            "limit_reached": _decimal(b.thresholds.limit_reached),
            "overspending": _decimal(b.thresholds.overspending),
        },
        "categories": _limits(b.limits),
        "categories_from": b.limits_from,
        "earlier_plans": [{"from_period": plan.from_period, "categories": _limits(plan.limits)} for plan in b.earlier],
        "period_amounts": [
            {"period": o.period, "category": o.category, "amount": _decimal(o.amount)} for o in b.overrides
        ],
        "time_zone": b.time_zone,
        "version": b.version,
        "created_at": _timestamp(b.created_at),
        "updated_at": _timestamp(b.updated_at),
        "members": [_member(m) for m in b.members],
        "invitations": [_invitation(i) for i in invitations],
        "history": [_revision(r) for r in revisions],
    }


def _template(t: Template) -> dict[str, Any]:
    return {
        "key": t.key,
        "name": t.name,
        "description": t.description,
        "type": t.type.value,
        "period": t.period.value,
        "categories": [{"name": c.name, "group": c.group, "weight": _decimal(c.weight)} for c in t.categories],
        "created_at": _timestamp(t.created_at),
    }


def _transaction(t: Transaction) -> dict[str, Any]:
    return {
        "id": t.id,
        "category": t.category,
        "amount": _decimal(t.amount),
        "currency": t.currency,
        "occurred_at": t.occurred_at.isoformat(),
        "occurred_on": t.occurred_on.isoformat(),
        "description": t.description,
        "external_id": t.external_id,
        "created_at": _timestamp(t.created_at),
        "kind": t.kind.value,
        "splits": [{"category": s.category, "amount": _decimal(s.amount), "memo": s.memo} for s in t.splits],
        "source_category": t.source_category,
        "categorized_by": t.categorized_by.value if t.categorized_by else None,
        "rule_id": t.rule_id,
        "version": t.version,
    }


def _rule(r: CategoryRule) -> dict[str, Any]:
    return {
        "id": r.id,
        "category": r.category,
        "priority": r.priority,
        "match": {k: (_decimal(val) if isinstance(val, Decimal) else val) for k, val in r.match.as_dict().items()},
        "created_at": _timestamp(r.created_at),
    }


def _acknowledgement(a: Acknowledgement) -> dict[str, Any]:
    return {
        "budget_id": a.budget_id,
        "period_start": a.period_start.isoformat(),
        "category": a.category,
        "alert_type": a.alert_type.value,
        "acknowledged_at": _timestamp(a.acknowledged_at),
    }


def to_document(backup: Backup) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "user_id": backup.user_id,
        "budgets": [
            _budget(
                b,
                [i for i in backup.invitations if i.budget_id == b.id],
                [r for r in backup.revisions if r.budget_id == b.id],
            )
            for b in backup.budgets
        ],
        "templates": [_template(t) for t in backup.templates],
        "transactions": [_transaction(t) for t in backup.transactions],
        "alert_acknowledgements": [_acknowledgement(a) for a in backup.acknowledgements],
        # A webhook's secret is never written: a restored webhook is inactive until
        # rotateWebhookSecret gives it one.
        "webhooks": [{"id": w.id, "url": w.url, "created_at": _timestamp(w.created_at)} for w in backup.webhooks],
        "category_rules": [_rule(r) for r in backup.rules],
    }


# -- a document to records -------------------------------------------------------
def _object(value: Any, keys: tuple[str, ...], *path: str) -> Mapping[str, Any]:
    """A JSON object with exactly ``keys``."""
    if not isinstance(value, Mapping):
        raise validation("must be an object", *path)
    unknown = sorted(set(value) - set(keys))
    missing = [k for k in keys if k not in value]
    if unknown or missing:
        parts = ([f"unknown {', '.join(unknown)}"] if unknown else []) + (
            [f"missing {', '.join(missing)}"] if missing else []
        )
        raise validation(f"fields: {'; '.join(parts)}", *path)
    return value


def _list(value: Any, *path: str) -> list:
    if not isinstance(value, list):
        raise validation("must be a list", *path)
    return value


def _id(value: Any, *path: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise validation(f"id {value!r} must be 1–40 letters, digits, _ or -", *path)
    return value


INT_MAX = 2**31 - 1  # the database's INTEGER columns (version, since_period)


def _int(value: Any, least: int, *path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= INT_MAX:
        raise validation(f"must be a whole number from {least} to {INT_MAX:,}", *path)
    return value


def _calendar_time(value: Any, *path: str) -> datetime:
    moment = _datetime(value, *path)
    if moment.tzinfo is not None:
        raise validation("must be a calendar time without a zone", *path)
    return moment


def _timestamp_in(value: Any, *path: str) -> datetime:
    moment = _datetime(value, *path)
    if moment.tzinfo is None:
        raise validation("must be a UTC timestamp with a Z", *path)
    return moment.astimezone(timezone.utc)


def _datetime(value: Any, *path: str) -> datetime:
    try:
        return parse_iso(value)
    except (AttributeError, ValueError):
        raise validation(f"{value!r} is not an ISO 8601 date-time", *path) from None


BUDGET_KEYS = (
    "id", "name", "type", "period", "currency", "start_date", "rollover_mode", "thresholds",
    "categories", "version", "created_at", "updated_at",
)
SHARING_KEYS = ("members", "invitations")  # since version 2
HISTORY_KEYS = ("categories_from", "earlier_plans", "period_amounts", "time_zone", "history")  # since version 3
PLAN_KEYS = ("from_period", "categories")
PERIOD_AMOUNT_KEYS = ("period", "category", "amount")
REVISION_KEYS = ("version", "changed_at", "changed_by", "effective_period", "changes")
CHANGE_KEYS = ("field", "before", "after")
MEMBER_KEYS = ("user_id", "role", "created_at", "accepted_at", "share_history")
INVITATION_KEYS = (
    "id", "user_id", "role", "invited_by", "status", "share_history", "created_at", "expires_at", "responded_at",
)
CATEGORY_KEYS = ("name", "amount", "since_period")
TEMPLATE_KEYS = ("key", "name", "description", "type", "period", "categories", "created_at")
ACKNOWLEDGEMENT_KEYS = ("budget_id", "period_start", "category", "alert_type", "acknowledged_at")
TRANSACTION_KEYS = ("id", "category", "amount", "currency", "occurred_at", "description", "external_id", "created_at")
TRANSACTION_KEYS_V3 = TRANSACTION_KEYS + (
    "occurred_on", "kind", "splits", "source_category", "categorized_by", "rule_id", "version",
)
SPLIT_KEYS = ("category", "amount", "memo")
RULE_KEYS = ("id", "category", "priority", "match", "created_at")


def _bool(value: Any, *path: str) -> bool:
    if not isinstance(value, bool):
        raise validation("must be true or false", *path)
    return value


def _read_member(raw: Any, owner: str, *path: str) -> BudgetMember:
    d = _object(raw, MEMBER_KEYS, *path)
    p = v.Problems()
    user = p.attempt(v.user_id, d["user_id"], *path, "user_id")
    if user == owner:
        p.add(validation("the budget's owner cannot be one of its members", *path, "user_id"))
    member = BudgetMember(
        user_id=user,
        role=p.attempt(v.enum_value, MemberRole, d["role"], *path, "role"),
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
        accepted_at=p.attempt(_timestamp_in, d["accepted_at"], *path, "accepted_at"),
        share_history=p.attempt(_bool, d["share_history"], *path, "share_history"),
    )
    p.check()
    return member


def _read_invitation(raw: Any, budget: Budget, *path: str) -> Invitation:
    d = _object(raw, INVITATION_KEYS, *path)
    p = v.Problems()
    responded = d["responded_at"]
    invitation = Invitation(
        id=p.attempt(_id, d["id"], *path, "id"),
        budget_id=budget.id,
        budget_name=budget.name,
        user_id=p.attempt(v.user_id, d["user_id"], *path, "user_id"),
        role=p.attempt(v.enum_value, MemberRole, d["role"], *path, "role"),
        invited_by=p.attempt(v.user_id, d["invited_by"], *path, "invited_by"),
        status=p.attempt(v.enum_value, InvitationStatus, d["status"], *path, "status"),
        share_history=p.attempt(_bool, d["share_history"], *path, "share_history"),
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
        expires_at=p.attempt(_timestamp_in, d["expires_at"], *path, "expires_at"),
        responded_at=None if responded is None else p.attempt(_timestamp_in, responded, *path, "responded_at"),
    )
    p.check()
    return invitation


def _read_limits(raw: Any, currency: str | None, p: v.Problems, *path: str) -> tuple[CategoryLimit, ...]:
    entries = p.attempt(_list, raw, *path) or []
    entries = [p.attempt(_object, e, CATEGORY_KEYS, *path, str(i)) for i, e in enumerate(entries)]
    limits = p.attempt(v.category_limits, [(e["name"], e["amount"]) for e in entries if e], currency or "USD", *path)
    since = [p.attempt(_int, e["since_period"], 0, *path, str(i), "since_period") for i, e in enumerate(entries) if e]
    return tuple(CategoryLimit(n, a, s) for (n, a), s in zip(limits or [], since))


def _read_plan(raw: Any, currency: str | None, *path: str) -> CategoryPlan:
    d = _object(raw, PLAN_KEYS, *path)
    p = v.Problems()
    plan = CategoryPlan(
        p.attempt(_int, d["from_period"], 0, *path, "from_period"), _read_limits(d["categories"], currency, p, *path, "categories")
    )
    p.check()
    return plan


def _read_period_amount(raw: Any, currency: str | None, *path: str) -> PeriodAmount:
    d = _object(raw, PERIOD_AMOUNT_KEYS, *path)
    p = v.Problems()
    amount = PeriodAmount(
        p.attempt(_int, d["period"], 0, *path, "period"),
        p.attempt(v.category_name, d["category"], *path, "category"),
        p.attempt(money.check_amount, d["amount"], currency or "USD", *path, "amount"),
    )
    p.check()
    return amount


def _text_or_null(value: Any, *path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise validation("must be a string or null", *path)
    return value


def _read_revision(raw: Any, budget_id: str, *path: str) -> BudgetRevision:
    d = _object(raw, REVISION_KEYS, *path)
    p = v.Problems()
    changes = []
    for i, c in enumerate(p.attempt(_list, d["changes"], *path, "changes") or []):
        c = p.attempt(_object, c, CHANGE_KEYS, *path, "changes", str(i))
        if c is None:
            continue
        field = p.attempt(_text_or_null, c["field"], *path, "changes", str(i), "field")
        if not field:
            p.add(validation("must be a field path", *path, "changes", str(i), "field"))
        changes.append(
            FieldChange(
                field,
                p.attempt(_text_or_null, c["before"], *path, "changes", str(i), "before"),
                p.attempt(_text_or_null, c["after"], *path, "changes", str(i), "after"),
            )
        )
    by = d["changed_by"]
    effective = d["effective_period"]
    revision = BudgetRevision(
        budget_id=budget_id,
        version=p.attempt(_int, d["version"], 1, *path, "version"),
        changed_at=p.attempt(_timestamp_in, d["changed_at"], *path, "changed_at"),
        changed_by=None if by is None else p.attempt(v.user_id, by, *path, "changed_by"),
        effective_period=None if effective is None else p.attempt(_int, effective, 0, *path, "effective_period"),
        changes=tuple(changes),
    )
    p.check()
    return revision


def _read_budget(
    raw: Any, user_id: str, version: int, *path: str
) -> tuple[Budget, list[Invitation], list[BudgetRevision]]:
    keys = BUDGET_KEYS + (SHARING_KEYS if version >= 2 else ()) + (HISTORY_KEYS if version >= 3 else ())
    d = _object(raw, keys, *path)
    p = v.Problems()
    currency = p.attempt(money.normalize_currency, d["currency"], *path, "currency")
    limits = _read_limits(d["categories"], currency, p, *path, "categories")
    raw_plans = p.attempt(_list, d.get("earlier_plans", []), *path, "earlier_plans") or []
    earlier = [p.attempt(_read_plan, e, currency, *path, "earlier_plans", str(i)) for i, e in enumerate(raw_plans)]
    limits_from = p.attempt(_int, d.get("categories_from", 0), 0, *path, "categories_from")
    starts = [e.from_period for e in earlier if e] + [limits_from]
    if None not in starts and starts != sorted(set(starts)):
        p.add(validation("plans must start in increasing periods, before categories_from", *path, "earlier_plans"))
    raw_amounts = p.attempt(_list, d.get("period_amounts", []), *path, "period_amounts") or []
    overrides = [
        p.attempt(_read_period_amount, a, currency, *path, "period_amounts", str(i)) for i, a in enumerate(raw_amounts)
    ]
    zone = p.attempt(time_zone, d.get("time_zone", "UTC"), *path, "time_zone")
    start = p.attempt(v.start_date, d["start_date"], *path, "start_date")
    period = p.attempt(v.budget_period, d["period"], *path, "period")
    budget = Budget(
        id=p.attempt(_id, d["id"], *path, "id"),
        user_id=user_id,
        name=p.attempt(v.budget_name, d["name"], *path, "name"),
        type=p.attempt(v.budget_type, d["type"], *path, "type"),
        period=period,
        currency=currency,
        limits=limits,
        limits_from=limits_from or 0,
        earlier=tuple(e for e in earlier if e),
        overrides=tuple(o for o in overrides if o),
        time_zone=zone or "UTC",
        start_date=start,
        end_date=end_date(anchor_of(start), period) if start and period else None,
        rollover_mode=p.attempt(v.rollover_mode, d["rollover_mode"], *path, "rollover_mode"),
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
        updated_at=p.attempt(_timestamp_in, d["updated_at"], *path, "updated_at"),
        thresholds=p.attempt(v.thresholds, d["thresholds"], *path, "thresholds") or AlertThresholds(),
        version=p.attempt(_int, d["version"], 1, *path, "version"),
    )
    raw_members = p.attempt(_list, d.get("members", []), *path, "members") or []
    members = [p.attempt(_read_member, m, user_id, *path, "members", str(i)) for i, m in enumerate(raw_members)]
    if len({m.user_id for m in members if m}) != len([m for m in members if m]):
        p.add(validation("a user appears more than once", *path, "members"))
    p.check()
    budget = replace(budget, members=tuple(members))
    raw_invitations = p.attempt(_list, d.get("invitations", []), *path, "invitations") or []
    invitations = [
        p.attempt(_read_invitation, i, budget, *path, "invitations", str(n)) for n, i in enumerate(raw_invitations)
    ]
    raw_history = p.attempt(_list, d.get("history", []), *path, "history") or []
    revisions = [p.attempt(_read_revision, r, budget.id, *path, "history", str(n)) for n, r in enumerate(raw_history)]
    p.check()
    return budget, invitations, revisions


def _read_template(raw: Any, user_id: str, *path: str) -> Template:
    d = _object(raw, TEMPLATE_KEYS, *path)
    p = v.Problems()
    categories = p.attempt(_list, d["categories"], *path, "categories")
    template = Template(
        key=p.attempt(rules.key, d["key"], *path, "key"),
        name=p.attempt(rules.name, d["name"], *path, "name"),
        description=p.attempt(rules.description, d["description"], *path, "description"),
        type=p.attempt(v.budget_type, d["type"], *path, "type"),
        period=p.attempt(v.budget_period, d["period"], *path, "period"),
        categories=p.attempt(rules.categories, categories or [], *path, "categories"),
        owner=user_id,
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
    )
    p.check()
    return template


def _read_transaction(raw: Any, user_id: str, now: datetime, version: int, *path: str) -> Transaction:
    d = _object(raw, TRANSACTION_KEYS_V3 if version >= 3 else TRANSACTION_KEYS, *path)
    p = v.Problems()
    if not isinstance(d["description"], str):
        p.add(validation("must be a string", *path, "description"))
    given = TransactionInput(
        user_id=user_id,
        category=d["category"],
        amount=d["amount"],
        currency=d["currency"],
        occurred_at=p.attempt(_calendar_time, d["occurred_at"], *path, "occurred_at"),
        description=d["description"] if isinstance(d["description"], str) else None,
        external_id=d["external_id"],
        occurred_on=d.get("occurred_on"),
        kind=d.get("kind"),
        splits=_split_inputs(d.get("splits"), p, *path, "splits"),
        source_category=d.get("source_category"),
    )
    built = p.attempt(build, TRUSTED, given, now, *path)
    transaction_id = p.attempt(_id, d["id"], *path, "id")
    created = p.attempt(_timestamp_in, d["created_at"], *path, "created_at")
    how = d.get("categorized_by", "manual")
    by = None if how is None else p.attempt(v.enum_value, CategorizedBy, how, *path, "categorized_by")
    rule_id = d.get("rule_id")
    if rule_id is not None:
        rule_id = p.attempt(_id, rule_id, *path, "rule_id")
    version = p.attempt(_int, d.get("version", 1), 1, *path, "version")
    p.check()
    if (built.category is None and not built.splits) != (by is None):
        raise validation("categorized_by must be null exactly when it has no category", *path, "categorized_by")
    return replace(built, id=transaction_id, created_at=created, categorized_by=by, rule_id=rule_id, version=version)


def _split_inputs(raw: Any, p: v.Problems, *path: str) -> list[SplitInput] | None:
    if raw is None or raw == []:
        return None
    items = p.attempt(_list, raw, *path) or []
    found = [p.attempt(_object, item, SPLIT_KEYS, *path, str(i)) for i, item in enumerate(items)]
    return [SplitInput(f["category"], f["amount"], f["memo"]) for f in found if f] or None


def _read_rule(raw: Any, user_id: str, *path: str) -> CategoryRule:
    d = _object(raw, RULE_KEYS, *path)
    p = v.Problems()
    rule = CategoryRule(
        id=p.attempt(_id, d["id"], *path, "id"),
        user_id=user_id,
        category=p.attempt(v.category_name, d["category"], *path, "category"),
        priority=p.attempt(category_rules.priority, d["priority"], *path, "priority"),
        match=p.attempt(category_rules.match, d["match"] if isinstance(d["match"], Mapping) else {}, *path, "match"),
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
    )
    p.check()
    return rule


def _category(value: Any, *path: str) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= v.CATEGORY_NAME_MAX:
        raise validation(f"must be a category name of 1–{v.CATEGORY_NAME_MAX} characters, or null", *path)
    return value


def _read_acknowledgement(raw: Any, budget_ids: set[str], *path: str) -> Acknowledgement:
    d = _object(raw, ACKNOWLEDGEMENT_KEYS, *path)
    p = v.Problems()
    budget_id = p.attempt(_id, d["budget_id"], *path, "budget_id")
    if budget_id is not None and budget_id not in budget_ids:
        p.add(validation(f"budget {budget_id!r} is not one of this backup's budgets", *path, "budget_id"))
    category = d["category"]
    if category is not None:
        category = p.attempt(_category, category, *path, "category")
    acknowledgement = Acknowledgement(
        budget_id=budget_id,
        period_start=p.attempt(_calendar_time, d["period_start"], *path, "period_start"),
        category=category,
        alert_type=p.attempt(v.enum_value, AlertType, d["alert_type"], *path, "alert_type"),
        acknowledged_at=p.attempt(_timestamp_in, d["acknowledged_at"], *path, "acknowledged_at"),
    )
    p.check()
    return acknowledgement


def _unique(read: list[tuple[int, Any]], key: Callable[[Any], str], what: str, section: str, p: v.Problems) -> None:
    seen: set[str] = set()
    for i, item in read:
        if key(item) in seen:
            p.add(validation(f"{what} {key(item)!r} appears more than once", section, str(i)))
        seen.add(key(item))


def from_document(document: Any, now: datetime) -> Backup:
    """The backup a document holds; every problem at once (``ValidationFailed``)."""
    sections = ("format", "version", "user_id", "budgets", "templates", "transactions")
    later = ("alert_acknowledgements", "webhooks") if _version_of(document) in (2, 3) else ()
    later += ("category_rules",) if _version_of(document) == 3 else ()
    top = _object(document, sections + later)
    if top["format"] != FORMAT:
        raise validation(f"not a budgetql backup (format {top['format']!r}, expected {FORMAT!r})", "format")
    if top["version"] not in READS or isinstance(top["version"], bool):
        readable = " and ".join(str(r) for r in READS)
        raise validation(f"backup version {top['version']!r} is not supported (this budgetql reads {readable})", "version")
    version = top["version"]
    user_id = v.user_id(top["user_id"], "user_id")
    p = v.Problems()

    def section(name: str, what: str, key: Callable[[Any], str], read: Callable[..., Any]) -> tuple:
        raw = p.attempt(_list, top[name], name) or []
        records = [(i, p.attempt(read, item, name, str(i))) for i, item in enumerate(raw)]
        records = [(i, r) for i, r in records if r is not None]
        _unique(records, key, what, name, p)
        return tuple(r for _, r in records)

    with_invitations = section(
        "budgets", "budget id", lambda b: b[0].id, lambda raw, *path: _read_budget(raw, user_id, version, *path)
    )
    budgets = tuple(b for b, _, _ in with_invitations)
    invitations = tuple(i for _, found, _ in with_invitations for i in found)
    revisions = tuple(r for _, _, found in with_invitations for r in found)
    seen: set[str] = set()
    for i in invitations:
        if i.id in seen:
            p.add(validation(f"invitation id {i.id!r} appears more than once", "budgets"))
        seen.add(i.id)
    templates = section(
        "templates", "template key", lambda t: t.key, lambda raw, *path: _read_template(raw, user_id, *path)
    )
    transactions = section(
        "transactions", "transaction id", lambda t: t.id, lambda raw, *path: _read_transaction(raw, user_id, now, version, *path)
    )
    ids = {b.id for b in budgets}
    raw_acks = p.attempt(_list, top.get("alert_acknowledgements", []), "alert_acknowledgements") or []
    acknowledgements = tuple(
        a for a in (
            p.attempt(_read_acknowledgement, raw, ids, "alert_acknowledgements", str(i)) for i, raw in enumerate(raw_acks)
        ) if a is not None
    )
    raw_hooks = p.attempt(_list, top.get("webhooks", []), "webhooks") or []
    if len(raw_hooks) > hooks.WEBHOOKS_PER_USER:
        p.add(validation(f"a user has at most {hooks.WEBHOOKS_PER_USER} webhooks (got {len(raw_hooks)})", "webhooks"))
    webhooks = tuple(
        w for w in (p.attempt(_read_webhook, raw, user_id, "webhooks", str(i)) for i, raw in enumerate(raw_hooks))
        if w is not None
    )
    raw_rules = p.attempt(_list, top.get("category_rules", []), "category_rules") or []
    if len(raw_rules) > category_rules.RULES_PER_USER:
        p.add(validation(f"a user has at most {category_rules.RULES_PER_USER} category rules", "category_rules"))
    rules = section("category_rules", "rule id", lambda r: r.id, lambda raw, *path: _read_rule(raw, user_id, *path)) \
        if "category_rules" in top else ()
    p.check()
    return Backup(user_id, budgets, templates, transactions, invitations, acknowledgements, webhooks, revisions, rules)


def _read_webhook(raw: Any, user_id: str, *path: str) -> Webhook:
    d = _object(raw, ("id", "url", "created_at"), *path)
    p = v.Problems()
    webhook = Webhook(
        id=p.attempt(_id, d["id"], *path, "id"),
        user_id=user_id,
        url=p.attempt(hooks.url, d["url"], *path, "url"),
        secret=None,
        created_at=p.attempt(_timestamp_in, d["created_at"], *path, "created_at"),
    )
    p.check()
    return webhook


def _version_of(document: Any) -> Any:
    return document.get("version") if isinstance(document, Mapping) else None


def problem_lines(exc: BudgetError) -> list[str]:
    """Each problem as ``path: message``."""
    problems = getattr(exc, "problems", None) or [exc]
    return [f"{'.'.join(e.field) if e.field else '(document)'}: {e.message}" for e in problems]
