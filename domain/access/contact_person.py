"""Contact persons of organisations: the people who represent them.

Organisations are legal persons; their contact persons are natural persons whose data must be
erasable. So their details never enter an event: the organisation's events carry only an
opaque ``person_id``, and the details below live in a table the application can delete from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValue, LifecycleViolation
from domain.values import optional_text, require_text

MAX_NAME = 200
MAX_EMAIL = 254
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{4,31}$")


class InvalidEmail(InvalidValue):
    rule = "email-valid"


class InvalidPhone(InvalidValue):
    rule = "phone-valid"


class TextTooLong(InvalidValue):
    rule = "text-not-too-long"


class UnknownContactPerson(LifecycleViolation):
    rule = "contact-person-exists"


class DuplicateContactPerson(LifecycleViolation):
    rule = "contact-person-id-unique"


@dataclass(frozen=True)
class ContactDetails:
    """What is kept about one contact person, outside the event log."""

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def validated(
        cls,
        *,
        name: str,
        role: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> ContactDetails:
        details = cls(
            name=require_text(name, "name"),
            role=optional_text(role),
            email=_email(optional_text(email)),
            phone=_phone(optional_text(phone)),
        )
        _limit(details.name, "name")
        _limit(details.role, "role")
        return details


def _limit(value: str | None, field_name: str) -> None:
    if value is not None and len(value) > MAX_NAME:
        raise TextTooLong(f"{field_name} may be at most {MAX_NAME} characters", field=field_name)


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise InvalidEmail(f"{value!r} is not an e-mail address", field="email")
    return value


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 4:
        raise InvalidPhone(
            f"{value!r} is not a phone number (digits, spaces, + - . ( ) only)", field="phone"
        )
    return value
