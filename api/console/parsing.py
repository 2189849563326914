"""Reading what a person typed: dates as 15/12/2026 or 2026-12-15 (what a date field sends),
amounts as 1 234,56 or 1234.56. A value that cannot be read is a ``FormValueError`` naming the
field and the rule, shown beside the field."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation


class FormValueError(Exception):
    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


_FRENCH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def day(value: str, field: str) -> date:
    text = value.strip()
    try:
        found = _FRENCH_DAY.match(text)
        if found:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise FormValueError(field, "date-format" if text else "value-required") from None


def amount(value: str, field: str) -> Decimal:
    text = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if not text:
        return Decimal(0)
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise FormValueError(field, "number-format") from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise FormValueError(field, "number-format")
    return number


def count(value: str, field: str) -> int:
    number = amount(value, field)
    if number != number.to_integral_value():
        raise FormValueError(field, "number-format")
    return int(number)


def optional(value: str) -> str | None:
    return value.strip() or None
