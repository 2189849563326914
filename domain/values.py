"""Enumerations and value objects shared by the aggregates, with their validation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.errors import (
    InvalidCategory,
    InvalidLegalIdentifier,
    InvalidTerritory,
    InvalidValue,
    NegativeAmount,
    RequiredValueMissing,
)


class OrganizationKind(Enum):
    ASSOCIATION = "association"
    COMPANY = "company"


class OriginKind(Enum):
    SPEED_DATING = "speed_dating"
    THEMATIC_EVENT = "thematic_event"
    OPEN_FORUM = "open_forum"
    CONSULTING = "consulting"
    SPONTANEOUS = "spontaneous"


class Category(Enum):
    PATRONAGE = "patronage"
    RESPONSIBLE_PRACTICES = "responsible_practices"
    ECONOMIC_COOPERATION = "economic_cooperation"
    SOCIAL_INNOVATION = "social_innovation"


class SubKind(Enum):
    FINANCIAL = "financial"
    SKILLS = "skills"
    IN_KIND = "in_kind"
    LOGISTICS = "logistics"
    RESPONSIBLE_PURCHASING = "responsible_purchasing"
    INCLUSION = "inclusion"
    SUPPLY_CHAIN = "supply_chain"
    CIRCULAR_ECONOMY = "circular_economy"
    JOINT_OFFER = "joint_offer"
    NEW_PRODUCT = "new_product"
    NEW_SERVICE = "new_service"


SUB_KINDS: dict[Category, frozenset[SubKind]] = {
    Category.PATRONAGE: frozenset(
        {SubKind.FINANCIAL, SubKind.SKILLS, SubKind.IN_KIND, SubKind.LOGISTICS}
    ),
    Category.RESPONSIBLE_PRACTICES: frozenset({SubKind.RESPONSIBLE_PURCHASING, SubKind.INCLUSION}),
    Category.ECONOMIC_COOPERATION: frozenset(
        {SubKind.SUPPLY_CHAIN, SubKind.CIRCULAR_ECONOMY, SubKind.JOINT_OFFER}
    ),
    Category.SOCIAL_INNOVATION: frozenset({SubKind.NEW_PRODUCT, SubKind.NEW_SERVICE}),
}


class Stage(Enum):
    """The lifecycle stages, in the order a partnership reaches them."""

    MEETING = "meeting"
    IDEA = "idea"
    CO_CONSTRUCTION = "co_construction"
    CONTRACT = "contract"
    EVALUATION = "evaluation"

    @property
    def rank(self) -> int:
        return list(Stage).index(self)


@dataclass(frozen=True)
class Origin:
    """Where the partners first met: a lab activity (optionally its id) or spontaneously."""

    kind: OriginKind
    reference_id: str | None = None


@dataclass(frozen=True)
class CommittedValue:
    """What a contract commits: money (EUR), goods or services in kind (EUR), skills days."""

    financial_eur: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)
    skills_days: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("financial_eur", "in_kind_eur", "skills_days"):
            require_non_negative(getattr(self, name), name)


@dataclass(frozen=True)
class Milestone:
    """One recorded step of a partnership, as it stands after any corrections.

    ``details`` holds the step's own data (an idea's title, a contract's dates...).
    """

    version: int
    kind: str
    occurred_on: date
    actor: str
    note: str | None
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Correction:
    """A fix of an earlier milestone: what it said, what it now says, and why."""

    version: int
    target_version: int
    previous: dict[str, object]
    changes: dict[str, object]
    reason: str
    occurred_on: date
    actor: str


def require_text(value: str | None, field_name: str) -> str:
    if value is None or not value.strip():
        raise RequiredValueMissing(
            f"{field_name} is required and may not be blank", field=field_name
        )
    return value.strip()


class InvalidName(InvalidValue):
    rule = "name-invisible-characters"


def require_name(value: str | None, field_name: str) -> str:
    """A name as people read it: NFC-normalised (the same letters are the same name), with
    no invisible or bidirectional control characters (Unicode category Cf: zero-width
    spaces, joiners, U+202E and the other overrides), which would make a name look like
    another one."""
    text = unicodedata.normalize("NFC", require_text(value, field_name))
    hidden = [char for char in text if unicodedata.category(char) == "Cf"]
    if hidden:
        codes = ", ".join(sorted({f"U+{ord(char):04X}" for char in hidden}))
        raise InvalidName(
            f"{field_name} contains invisible or bidirectional control characters ({codes})",
            field=field_name,
        )
    return text


def optional_text(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return value.strip()


def require_non_negative(value: Decimal | int, field_name: str) -> None:
    if value < 0:
        raise NegativeAmount(f"{field_name} may not be negative (got {value})", field=field_name)


def require_sub_kind(category: Category, sub_kind: SubKind) -> None:
    if sub_kind not in SUB_KINDS[category]:
        allowed = ", ".join(sorted(s.value for s in SUB_KINDS[category]))
        raise InvalidCategory(
            f"sub-kind {sub_kind.value!r} is not a kind of {category.value}; "
            f"expected one of: {allowed}",
            field="sub_kind",
        )


_DEPARTEMENT = re.compile(r"^(0[1-9]|1[0-9]|[3-8][0-9]|9[0-5]|2[1-9]|2A|2B|97[1-8])$")


def validate_territory(code: str | None) -> str:
    """A French département code: ``01``-``95`` (no ``20``), ``2A``, ``2B``, ``971``-``978``."""
    if code is None:
        raise RequiredValueMissing("territory is required", field="territory")
    normalized = code.strip().upper()
    if not _DEPARTEMENT.match(normalized):
        raise InvalidTerritory(
            f"territory {code!r} is not a French département code (e.g. 67, 2A, 974)",
            field="territory",
        )
    return normalized


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


LA_POSTE_SIREN = "356000000"


def validate_legal_identifier(kind: OrganizationKind, identifier: str | None) -> str | None:
    """Check a SIREN (9 digits) or SIRET (14 digits) for a company, with its Luhn key,
    or an RNA number (``W`` and 9 digits) for an association. ``None`` means not given.

    La Poste's establishments are the one documented exception to the Luhn key: their
    SIRETs have a digit sum that is a multiple of 5.
    """
    if identifier is None or not identifier.strip():
        return None
    value = identifier.replace(" ", "").upper()
    if kind is OrganizationKind.COMPANY:
        if not (value.isascii() and value.isdigit() and len(value) in (9, 14)):
            raise InvalidLegalIdentifier(
                f"{identifier!r} is not a SIREN (9 digits) or SIRET (14 digits)",
                field="legal_identifier",
            )
        la_poste_siret = len(value) == 14 and value.startswith(LA_POSTE_SIREN)
        valid = sum(int(c) for c in value) % 5 == 0 if la_poste_siret else _luhn_valid(value)
        if not valid:
            raise InvalidLegalIdentifier(
                f"{identifier!r} fails the SIREN/SIRET check key (Luhn)",
                field="legal_identifier",
            )
        return value
    if not re.fullmatch(r"W[0-9]{9}", value):
        raise InvalidLegalIdentifier(
            f"{identifier!r} is not an RNA number (W followed by 9 digits)",
            field="legal_identifier",
        )
    return value
