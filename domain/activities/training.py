"""Training on building and running partnerships: the organisations enrolled (with how many of
their people come and the fee agreed) and the fees they paid.

``held_on`` is a plan; a payment is a fact (never in the future), which may come before the
training (paid in advance) or after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.activities.errors import (
    ActivityOfAnotherLab,
    CountOutOfRange,
    ParticipantAlreadyRegistered,
    ParticipantNotRegistered,
)
from domain.activities.values import require_amount, require_fact_date
from domain.errors import OrganizationArchived
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind, optional_text, require_text

MAX_PEOPLE = 500


@dataclass(frozen=True)
class Enrolment:
    organization_id: UUID
    kind: OrganizationKind
    people: int
    fee_eur: Decimal


@dataclass(frozen=True)
class FeePayment:
    organization_id: UUID
    amount_eur: Decimal
    paid_on: date
    version: int


class TrainingSession(Aggregate):
    TOPIC = "partnerlab:TrainingSession"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:TrainingSession.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:TrainingSession.Created"

    class Planned(Created):
        TOPIC = "partnerlab:TrainingSession.Planned"
        lab: str
        title: str
        held_on: date
        audience: str | None
        actor: str
        note: str | None

    class ParticipantEnrolled(Event):
        TOPIC = "partnerlab:TrainingSession.ParticipantEnrolled"
        organization_id: UUID
        kind: OrganizationKind
        people: int
        fee_eur: Decimal
        actor: str

    class FeePaid(Event):
        TOPIC = "partnerlab:TrainingSession.FeePaid"
        organization_id: UUID
        amount_eur: Decimal
        occurred_on: date
        actor: str
        note: str | None

    @event(Planned)
    def __init__(
        self,
        lab: str,
        title: str,
        held_on: date,
        audience: str | None,
        actor: str,
        note: str | None,
    ) -> None:
        self.lab = lab
        self.title = title
        self.held_on = held_on
        self.audience = audience
        self.note = note
        self.enrolments: list[Enrolment] = []
        self.payments: list[FeePayment] = []

    @classmethod
    def plan(
        cls,
        *,
        lab: str,
        title: str,
        held_on: date,
        actor: str,
        audience: str | None = None,
        note: str | None = None,
    ) -> TrainingSession:
        return cls(
            lab=require_text(lab, "lab"),
            title=require_text(title, "title"),
            held_on=held_on,
            audience=optional_text(audience),
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def enrol(
        self, organization: Organization, *, people: int, fee_eur: Decimal, actor: str
    ) -> None:
        """Enrol an organisation; ``fee_eur`` is the fee agreed (zero for a free place)."""
        if organization.lab != self.lab:
            raise ActivityOfAnotherLab("the organisation belongs to another lab")
        if organization.archived:
            raise OrganizationArchived(
                f"{organization.name!r} is archived", field="organization_id"
            )
        if self.enrolment(organization.id) is not None:
            raise ParticipantAlreadyRegistered(
                f"{organization.name!r} is already enrolled", field="organization_id"
            )
        if not 1 <= people <= MAX_PEOPLE:
            raise CountOutOfRange(f"people must be 1 to {MAX_PEOPLE}", field="people")
        self._enrol(
            organization_id=organization.id,
            kind=organization.kind,
            people=people,
            fee_eur=require_amount(fee_eur, "fee_eur", allow_zero=True),
            actor=require_text(actor, "actor"),
        )

    def record_payment(
        self,
        *,
        organization_id: UUID,
        amount_eur: Decimal,
        paid_on: date,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> None:
        if self.enrolment(organization_id) is None:
            raise ParticipantNotRegistered(
                f"organisation {organization_id} is not enrolled", field="organization_id"
            )
        require_fact_date(paid_on, today, "paid_on")
        self._pay(
            organization_id=organization_id,
            amount_eur=require_amount(amount_eur, "amount_eur"),
            occurred_on=paid_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def enrolment(self, organization_id: UUID) -> Enrolment | None:
        return next((e for e in self.enrolments if e.organization_id == organization_id), None)

    def paid_by(self, organization_id: UUID) -> Decimal:
        return sum(
            (p.amount_eur for p in self.payments if p.organization_id == organization_id),
            Decimal(0),
        )

    @event(ParticipantEnrolled)
    def _enrol(
        self,
        organization_id: UUID,
        kind: OrganizationKind,
        people: int,
        fee_eur: Decimal,
        actor: str,
    ) -> None:
        self.enrolments.append(Enrolment(organization_id, kind, people, fee_eur))

    @event(FeePaid)
    def _pay(
        self,
        organization_id: UUID,
        amount_eur: Decimal,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self.payments.append(FeePayment(organization_id, amount_eur, occurred_on, self.version + 1))
