"""Input rules for user-defined templates. Category names follow the budgets' rules
(:func:`domain.validation.categories`); shares are percentages that total exactly 100,
or positive weights."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable, Mapping

from domain import money
from domain import validation as v
from domain.templates.builtin import BUILTINS
from domain.errors import validation
from domain.templates.model import ID_PREFIX, TemplateCategory

KEY_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
NAME_MAX = 100  # so the default budget name "<name> - <Month YYYY>" fits a budget name
DESCRIPTION_MAX = 1000
GROUP_MAX = 100
DEFAULT_GROUP = "General"
SHARE_MAX = money.MAX_AMOUNT
SHARE_PLACES = 6
HUNDRED = Decimal(100)


def key(value: Any, *field: str) -> str:
    """1–64 of ``a-z``, ``0-9`` and ``_``; not a built-in template's key."""
    text = value.strip() if isinstance(value, str) else ""
    if not KEY_PATTERN.fullmatch(text):
        raise validation(
            f"Template key {value!r} must be 1–64 characters of lowercase letters, digits and underscores", *field
        )
    if text in BUILTINS:
        raise validation(f"Template key {text!r} is a built-in template's: a template cannot shadow a built-in", *field)
    return text


def parse_id(value: Any) -> tuple[str | None, str] | None:
    """The (owner, key) a template's global id (``Template.id``) names, owner None for a
    built-in; None for text that names no template."""
    if not isinstance(value, str) or not value.startswith(ID_PREFIX) or not v.storable(value):
        return None
    owner, slash, key = value.removeprefix(ID_PREFIX).rpartition("/")
    if not KEY_PATTERN.fullmatch(key):
        return None
    if not slash:
        return (None, key) if key in BUILTINS else None
    return (owner, key) if owner and key not in BUILTINS else None


def name(value: Any, *field: str) -> str:
    clean = v.budget_name(value, *field)
    if len(clean) > NAME_MAX:
        raise validation(f"Template name must be at most {NAME_MAX} characters (got {len(clean)})", *field)
    return clean


def description(value: Any, *field: str) -> str:
    if value is None:
        return ""
    text = v.text(value, *field, label="Description", multiline=True).strip()
    if len(text) > DESCRIPTION_MAX:
        raise validation(f"Description must be at most {DESCRIPTION_MAX} characters", *field)
    return text


def group(value: Any, *field: str) -> str:
    if value is None:
        return DEFAULT_GROUP
    text = v.text(value, *field, label="Group").strip() if isinstance(value, str) else ""
    if not text or len(text) > GROUP_MAX:
        raise validation(f"Group must be 1–{GROUP_MAX} characters", *field)
    return text


def share(value: Any, *field: str, label: str, most: Decimal = SHARE_MAX) -> Decimal:
    """A percent or a weight: above zero, at most ``most``, at most 6 decimal places."""
    amount = money.to_decimal(value, *field)
    if amount <= 0:
        raise validation(f"{label} must be greater than zero (got {amount})", *field)
    if amount > most:
        raise validation(f"{label} must be at most {most} (got {amount})", *field)
    if amount != round(amount, SHARE_PLACES):
        raise validation(f"{label} has more than {SHARE_PLACES} decimal places", *field)
    return amount


def categories(items: Iterable[Mapping[str, Any]], *field: str) -> tuple[TemplateCategory, ...]:
    """``items`` are mappings with ``name``, ``group`` (optional) and either ``percent``
    or ``weight``; every category uses the same one. Percentages must total exactly 100."""
    entries = list(items or [])

    def entry(item: Mapping[str, Any], label: str, index: int, *path: str) -> tuple[str, str, Decimal]:
        p = v.Problems()
        group_name = p.attempt(group, item.get("group"), *path, "group")
        percent, weight = item.get("percent"), item.get("weight")
        kind, amount = "percent", None
        if (percent is None) == (weight is None):
            p.add(validation(f"Category {label or index + 1!r}: give either a percent or a weight", *path))
        elif percent is not None:
            amount = p.attempt(share, percent, *path, "percent", label=f"Percent for {label!r}", most=HUNDRED)
        else:
            kind = "weight"
            amount = p.attempt(share, weight, *path, "weight", label=f"Weight for {label!r}")
        p.check()
        return kind, group_name, amount

    checked = v.categories([(e.get("name"), e) for e in entries], entry, *field, kind="template")
    kinds = {kind for _, (kind, _, _) in checked}
    if len(kinds) > 1:
        raise validation("Give every category a percent, or every category a weight, not a mix", *field)
    if kinds == {"percent"}:
        total = money.total(amount for _, (_, _, amount) in checked)
        if total != HUNDRED:
            raise validation(f"Percentages must total exactly 100 (got {total})", *field)
    return tuple(TemplateCategory(n, g, amount) for n, (_, g, amount) in checked)
