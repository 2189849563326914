"""Values shared by the lab's activities: interest after a meeting, the published plan of a
speed-dating session, and the checks on money and dates that activities record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID, uuid5

from domain.activities.errors import AmountNotPositive, DateBeforeActivity, TooManyDecimals
from domain.errors import DateInFuture, NegativeAmount

ACTIVITY_PARTNERSHIPS = UUID("6f1c8a52-3d7e-5b0a-9c41-2e8f7d6a1b30")
"""Namespace of the ids of partnerships opened from an activity (see :func:`partnership_id`)."""


class Interest(Enum):
    """What one side of a speed-dating meeting wants next."""

    NONE = "none"
    INFORMATIVE = "informative"
    """Glad to have met, wants to hear more, but no project in view."""
    FOLLOW_UP = "follow_up"


class FundingSource(Enum):
    SUBSIDY = "subsidy"
    CONSULTING = "consulting"
    TRAINING = "training"

    @property
    def earned(self) -> bool:
        """Consulting and training are earned income; subsidies are not."""
        return self is not FundingSource.SUBSIDY


@dataclass(frozen=True)
class Pair:
    """One association and one company (the two sides of a meeting)."""

    association_id: UUID
    company_id: UUID

    @property
    def key(self) -> str:
        return pair_key(self.association_id, self.company_id)


def pair_key(association_id: UUID, company_id: UUID) -> str:
    return f"{association_id}:{company_id}"


@dataclass(frozen=True)
class ScheduledMeeting:
    """At ``table`` (from 1) the seated association meets the moving company."""

    table: int
    association_id: UUID
    company_id: UUID


@dataclass(frozen=True)
class ScheduledRound:
    """One round of the published plan; ``catch_up`` rounds were added after the main ones."""

    number: int
    meetings: list[ScheduledMeeting]
    breaks: list[UUID]
    catch_up: bool = False


@dataclass(frozen=True)
class MeetingOutcome:
    """Whether a scheduled meeting was held and what each side wants next."""

    association_id: UUID
    company_id: UUID
    held: bool
    association_interest: Interest
    company_interest: Interest
    note: str | None = None

    @property
    def mutual_follow_up(self) -> bool:
        return (
            self.held and self.association_interest is self.company_interest is Interest.FOLLOW_UP
        )

    @property
    def one_sided_follow_up(self) -> bool:
        wanted = [self.association_interest, self.company_interest].count(Interest.FOLLOW_UP)
        return self.held and wanted == 1


def partnership_id(activity_id: UUID, association_id: UUID, company_id: UUID) -> UUID:
    """The id of the partnership a pair opens from an activity: the same pair and activity
    always give the same id, so opening it twice is refused by the event store."""
    return uuid5(ACTIVITY_PARTNERSHIPS, f"{activity_id}/{association_id}/{company_id}")


def require_fact_date(day: date, today: date, field: str) -> None:
    """Something that happened cannot be dated in the future."""
    if day > today:
        raise DateInFuture(
            f"{field} {day.isoformat()} is in the future (today is {today.isoformat()})",
            field=field,
        )


def require_on_or_after(day: date, start: date, field: str, what: str) -> None:
    if day < start:
        raise DateBeforeActivity(
            f"{field} {day.isoformat()} is before {what} ({start.isoformat()})", field=field
        )


def require_amount(amount: Decimal, field: str, *, allow_zero: bool = False) -> Decimal:
    """A sum of euros: finite, at most two decimals, positive (or zero when allowed)."""
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise TooManyDecimals(
            f"{field} must be a sum in euros with at most 2 decimals", field=field
        )
    if amount < 0:
        raise NegativeAmount(f"{field} may not be negative (got {amount})", field=field)
    if amount == 0 and not allow_zero:
        raise AmountNotPositive(f"{field} must be more than zero", field=field)
    return amount
