"""Consulting to a company: its scope, the associations proposed to it from the catalogue,
and what it chose to pay ("pay what you want": the company pays what it finds fair).

Everything here is a fact: dated when it happened, never in the future, never before the
engagement started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.activities.errors import (
    ActivityOfAnotherLab,
    AlreadyProposed,
    NotProposed,
    WrongParticipantKind,
)
from domain.activities.values import require_amount, require_fact_date, require_on_or_after
from domain.errors import OrganizationArchived, RequiredValueMissing
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind, optional_text, require_text


@dataclass(frozen=True)
class Contribution:
    amount_eur: Decimal
    paid_on: date
    version: int


class ConsultingEngagement(Aggregate):
    TOPIC = "partnerlab:ConsultingEngagement"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:ConsultingEngagement.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:ConsultingEngagement.Created"

    class Opened(Created):
        TOPIC = "partnerlab:ConsultingEngagement.Opened"
        lab: str
        company_id: UUID
        scope: str
        occurred_on: date
        actor: str
        note: str | None

    class AssociationsProposed(Event):
        """Associations handed to the company, found in the catalogue by field and area."""

        TOPIC = "partnerlab:ConsultingEngagement.AssociationsProposed"
        association_ids: list[UUID]
        field_of_activity: str | None
        territory: str | None
        occurred_on: date
        actor: str

    class ContributionPaid(Event):
        TOPIC = "partnerlab:ConsultingEngagement.ContributionPaid"
        amount_eur: Decimal
        occurred_on: date
        actor: str
        note: str | None

    @event(Opened)
    def __init__(
        self,
        lab: str,
        company_id: UUID,
        scope: str,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self.lab = lab
        self.company_id = company_id
        self.scope = scope
        self.started_on = occurred_on
        self.note = note
        self.proposed: list[UUID] = []
        self.contributions: list[Contribution] = []

    @classmethod
    def open(
        cls,
        *,
        company: Organization,
        scope: str,
        started_on: date,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> ConsultingEngagement:
        if company.kind is not OrganizationKind.COMPANY:
            raise WrongParticipantKind(f"{company.name!r} is not a company", field="company_id")
        if company.archived:
            raise OrganizationArchived(f"{company.name!r} is archived", field="company_id")
        require_fact_date(started_on, today, "started_on")
        return cls(
            lab=company.lab,
            company_id=company.id,
            scope=require_text(scope, "scope"),
            occurred_on=started_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def propose(
        self,
        associations: list[Organization],
        *,
        occurred_on: date,
        actor: str,
        today: date,
        field_of_activity: str | None = None,
        territory: str | None = None,
    ) -> None:
        self._require_dated(occurred_on, today, "occurred_on")
        if not associations:
            raise RequiredValueMissing("propose at least one association", field="association_ids")
        ids: list[UUID] = []
        for association in associations:
            if association.lab != self.lab:
                raise ActivityOfAnotherLab("the association belongs to another lab")
            if association.kind is not OrganizationKind.ASSOCIATION:
                raise WrongParticipantKind(
                    f"{association.name!r} is not an association", field="association_ids"
                )
            if association.archived:
                raise OrganizationArchived(
                    f"{association.name!r} is archived", field="association_ids"
                )
            if association.id in self.proposed or association.id in ids:
                raise AlreadyProposed(
                    f"{association.name!r} was already proposed", field="association_ids"
                )
            ids.append(association.id)
        self._propose(
            association_ids=ids,
            field_of_activity=optional_text(field_of_activity),
            territory=optional_text(territory),
            occurred_on=occurred_on,
            actor=require_text(actor, "actor"),
        )

    def record_contribution(
        self,
        *,
        amount_eur: Decimal,
        paid_on: date,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> None:
        """What the company chose to pay (several instalments are several contributions)."""
        self._require_dated(paid_on, today, "paid_on")
        self._pay(
            amount_eur=require_amount(amount_eur, "amount_eur"),
            occurred_on=paid_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def require_proposed(self, association_id: UUID) -> None:
        if association_id not in self.proposed:
            raise NotProposed(
                "a partnership from consulting needs the association to have been proposed",
                field="association_id",
            )

    @property
    def contributed_eur(self) -> Decimal:
        return sum((c.amount_eur for c in self.contributions), Decimal(0))

    @event(AssociationsProposed)
    def _propose(
        self,
        association_ids: list[UUID],
        field_of_activity: str | None,
        territory: str | None,
        occurred_on: date,
        actor: str,
    ) -> None:
        self.proposed.extend(association_ids)

    @event(ContributionPaid)
    def _pay(self, amount_eur: Decimal, occurred_on: date, actor: str, note: str | None) -> None:
        self.contributions.append(Contribution(amount_eur, occurred_on, self.version + 1))

    def _require_dated(self, day: date, today: date, field: str) -> None:
        require_fact_date(day, today, field)
        require_on_or_after(day, self.started_on, field, "the engagement started")
