"""Which fields of which milestone a correction may change, and how its values are read.

Corrections arrive as plain values (strings, numbers) from outside; each field knows its type,
so ``coerce_changes`` turns ``{"signed_on": "2014-03-01"}`` into a ``date`` or names the field
that cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import FieldNotCorrectable, InvalidValue, NothingToCorrect
from domain.partnerships import milestones
from domain.values import Category, SubKind, require_non_negative, require_text


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise TypeError("a date and time is not a date")
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("not a number")
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError("not a finite number")
    return amount


def _count(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("not a whole number")
    if isinstance(value, Decimal) and not (
        value.is_finite() and value == value.to_integral_value()
    ):
        raise ValueError("not a whole number")
    return int(value)


def _text(value: Any) -> str:
    return require_text(str(value) if value is not None else None, "value")


def _optional_text(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _optional_count(value: Any) -> int | None:
    return None if value is None else _count(value)


Reader = Callable[[Any], Any]

_COMMON: dict[str, Reader] = {"occurred_on": _date, "note": _optional_text}
_AMOUNTS: dict[str, Reader] = {
    "financial_eur": _amount,
    "in_kind_eur": _amount,
    "skills_days": _amount,
}

CORRECTABLE: dict[str, dict[str, Reader]] = {
    milestones.OPENING: dict(_COMMON),
    milestones.MEETING: dict(_COMMON),
    milestones.IDEA: {
        **_COMMON,
        "title": _text,
        "description": _optional_text,
        "proposed_category": Category,
    },
    milestones.CO_CONSTRUCTION: dict(_COMMON),
    milestones.PROGRESS: {**_COMMON, "progress": _text},
    milestones.CONTRACT: {
        **_COMMON,
        "category": Category,
        "sub_kind": SubKind,
        "starts_on": _date,
        "ends_on": _date,
        **_AMOUNTS,
    },
    milestones.RENEWAL: {**_COMMON, "ends_on": _date, **_AMOUNTS},
    milestones.EVALUATION: {
        **_COMMON,
        "beneficiaries": _count,
        "jobs_created": _count,
        "volunteer_days": _amount,
        "skills_days": _amount,
        "in_kind_eur": _amount,
        "satisfaction": _optional_count,
        "findings": _optional_text,
    },
    milestones.ABANDONMENT: {**_COMMON, "reason": _text},
}

ALIASES = {(milestones.CONTRACT, "signed_on"): "occurred_on"}
"""A contract's business date is its signing date: staff may call it by that name."""

_NON_NEGATIVE = {
    "financial_eur",
    "in_kind_eur",
    "skills_days",
    "beneficiaries",
    "jobs_created",
    "volunteer_days",
}


def coerce_changes(kind: str, changes: dict[str, Any]) -> dict[str, Any]:
    if not changes:
        raise NothingToCorrect("a correction must change at least one field", field="changes")
    readers = CORRECTABLE[kind]
    coerced: dict[str, Any] = {}
    for given_key, raw in changes.items():
        key = ALIASES.get((kind, given_key), given_key)
        reader = readers.get(key)
        if reader is None:
            allowed = ", ".join(sorted(readers))
            raise FieldNotCorrectable(
                f"{key!r} cannot be corrected on a {kind} milestone (correctable: {allowed})",
                field=f"changes.{key}",
            )
        try:
            value = reader(raw)
        except InvalidValue as error:
            raise type(error)(error.message.replace("value", key), field=f"changes.{key}") from None
        except (ValueError, TypeError, InvalidOperation):
            raise InvalidValue(
                f"{raw!r} is not a valid value for {key}", field=f"changes.{key}"
            ) from None
        if key in _NON_NEGATIVE:
            require_non_negative(value, key)
        coerced[key] = value
    return coerced
