"""Training on building and running partnerships: the organisations enrolled (with how many of
their people come and the fee agreed) and the fees they paid.

``held_on`` is a plan; a payment is a fact (never in the future), which may come before the
training (paid in advance) or after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.activities.errors import (
    ActivityOfAnotherLab,
    CountOutOfRange,
    Overpayment,
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
        """Version 2: ``donation`` marks a payment above the fee as given on purpose."""

        TOPIC = "partnerlab:TrainingSession.FeePaid"
        class_version = 2
        organization_id: UUID
        amount_eur: Decimal
        occurred_on: date
        actor: str
        note: str | None
        donation: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Payments recorded before the overpayment rule were never marked as donations."""
            state["donation"] = False

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
        self,
        organization: Organization,
        *,
        actor: str,
        people: int = 1,
        fee_eur: Decimal = Decimal(0),
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
        donation: bool = False,
    ) -> None:
        """Record a payment; one that takes the total paid above the fee agreed is refused
        unless ``donation`` says the extra is given on purpose."""
        enrolment = self.enrolment(organization_id)
        if enrolment is None:
            raise ParticipantNotRegistered(
                f"organisation {organization_id} is not enrolled", field="organization_id"
            )
        require_fact_date(paid_on, today, "paid_on")
        amount = require_amount(amount_eur, "amount_eur")
        already = self.paid_by(organization_id)
        if not donation and already + amount > enrolment.fee_eur:
            raise Overpayment(
                f"{amount} EUR would bring the total paid to {already + amount} EUR, above the "
                f"{enrolment.fee_eur} EUR fee agreed; mark it as a donation if that is intended",
                field="amount_eur",
            )
        self._pay(
            organization_id=organization_id,
            amount_eur=amount,
            occurred_on=paid_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
            donation=donation,
        )

    def unpaid_eur(self, organization_id: UUID) -> Decimal:
        """What is still owed on an enrolment's fee (never negative)."""
        enrolment = self.enrolment(organization_id)
        if enrolment is None:
            return Decimal(0)
        return max(enrolment.fee_eur - self.paid_by(organization_id), Decimal(0))

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
        donation: bool,
    ) -> None:
        self.payments.append(FeePayment(organization_id, amount_eur, occurred_on, self.version + 1))
