"""Subsidies: what a public funder grants the lab for a year (Direccte, Région, the Strasbourg
urban community...). Consulting contributions and training fees are recorded on their own
activities; the funding report brings the three sources together.

An amount recorded wrongly is corrected by a correction event with its reason, never edited.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, event

from domain.activities.errors import YearOutOfRange
from domain.activities.values import require_amount, require_fact_date
from domain.errors import NothingToCorrect
from domain.values import optional_text, require_text

YEARS_AROUND_GRANT = 5


class Subsidy(Aggregate):
    TOPIC = "partnerlab:Subsidy"

    class Event(Aggregate.Event):
        TOPIC = "partnerlab:Subsidy.Event"

    class Created(Event, Aggregate.Created):
        TOPIC = "partnerlab:Subsidy.Created"

    class Granted(Created):
        TOPIC = "partnerlab:Subsidy.Granted"
        lab: str
        funder: str
        year: int
        amount_eur: Decimal
        occurred_on: date
        actor: str
        note: str | None

    class AmountCorrected(Event):
        TOPIC = "partnerlab:Subsidy.AmountCorrected"
        previous_eur: Decimal
        amount_eur: Decimal
        reason: str
        occurred_on: date
        actor: str

    @event(Granted)
    def __init__(
        self,
        lab: str,
        funder: str,
        year: int,
        amount_eur: Decimal,
        occurred_on: date,
        actor: str,
        note: str | None,
    ) -> None:
        self.lab = lab
        self.funder = funder
        self.year = year
        self.amount_eur = amount_eur
        self.granted_on = occurred_on
        self.note = note
        self.corrections = 0

    @classmethod
    def grant(
        cls,
        *,
        lab: str,
        funder: str,
        year: int,
        amount_eur: Decimal,
        granted_on: date,
        actor: str,
        today: date,
        note: str | None = None,
    ) -> Subsidy:
        """Record a subsidy ``funder`` granted on ``granted_on`` for the funding ``year``."""
        require_fact_date(granted_on, today, "granted_on")
        if abs(year - granted_on.year) > YEARS_AROUND_GRANT:
            raise YearOutOfRange(
                f"a subsidy granted in {granted_on.year} funds a year within "
                f"{YEARS_AROUND_GRANT} years of it (got {year})",
                field="year",
            )
        return cls(
            lab=require_text(lab, "lab"),
            funder=require_text(funder, "funder"),
            year=year,
            amount_eur=require_amount(amount_eur, "amount_eur"),
            occurred_on=granted_on,
            actor=require_text(actor, "actor"),
            note=optional_text(note),
        )

    def correct_amount(self, *, amount_eur: Decimal, reason: str, actor: str, today: date) -> None:
        amount = require_amount(amount_eur, "amount_eur")
        if amount == self.amount_eur:
            raise NothingToCorrect("the correction changes nothing", field="amount_eur")
        self._correct(
            previous_eur=self.amount_eur,
            amount_eur=amount,
            reason=require_text(reason, "reason"),
            occurred_on=today,
            actor=require_text(actor, "actor"),
        )

    @event(AmountCorrected)
    def _correct(
        self,
        previous_eur: Decimal,
        amount_eur: Decimal,
        reason: str,
        occurred_on: date,
        actor: str,
    ) -> None:
        self.amount_eur = amount_eur
        self.corrections += 1
