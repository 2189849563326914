"""Memorable domain data for the unit tests, and builders for each lifecycle stage.

The partners come from the lab's own stories: IBM's staff and the food bank, La Poste's bikes
and the sheltered workshops, the coffee roaster Sati and the integration workshop, the
outdoor-games maker and the parents' association.

Every builder returns an aggregate whose pending events were already collected, so a test's
``when`` step sees only the events its own command emitted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import (
    Category,
    CommittedValue,
    OrganizationKind,
    Origin,
    OriginKind,
    SubKind,
)

TODAY = date(2026, 11, 26)
LAB = "alsace"
OTHER_LAB = "lorraine"
STAFF = "claire.staff"

# The IBM / food bank story, as the lab recorded it.
SPEED_DATING_ON = date(2013, 3, 14)
SECOND_MEETING_ON = date(2013, 4, 2)
IDEA_ON = date(2013, 4, 20)
CO_CONSTRUCTION_ON = date(2013, 5, 15)
PROGRESS_ON = date(2013, 6, 10)
SIGNED_ON = date(2013, 9, 1)
STARTS_ON = date(2013, 10, 1)
ENDS_ON = date(2014, 9, 30)
EVALUATED_ON = date(2014, 10, 15)
RENEWED_ON = date(2014, 9, 15)
RENEWED_UNTIL = date(2015, 9, 30)
ABANDONED_ON = date(2013, 7, 1)

TRACEABILITY_IDEA = UUID("00000000-0000-4000-8000-00000000001b")
VOLUNTEER_TRAINING_IDEA = UUID("00000000-0000-4000-8000-00000000002c")

IBM_COMMITMENT = CommittedValue(
    financial_eur=Decimal(0), in_kind_eur=Decimal("2500.00"), skills_days=Decimal(40)
)

# Real identifiers: IBM France's SIREN and one of its SIRETs; a La Poste SIRET whose key
# follows La Poste's own rule (digit sum a multiple of 5) rather than Luhn's.
IBM_SIREN = "552118465"
IBM_SIRET = "55211846503644"
LA_POSTE_SIRET = "35600000049837"
FOOD_BANK_RNA = "W672001234"


def organization(
    kind: OrganizationKind,
    name: str,
    *,
    lab: str = LAB,
    territory: str = "67",
    legal_identifier: str | None = None,
    field_of_activity: str | None = None,
    archived: bool = False,
) -> Organization:
    org = Organization.register(
        lab=lab,
        kind=kind,
        name=name,
        territory=territory,
        actor=STAFF,
        legal_identifier=legal_identifier,
        field_of_activity=field_of_activity,
    )
    if archived:
        org.archive(actor=STAFF, reason="dissolved")
    org.collect_events()
    return org


ASSOCIATION, COMPANY = OrganizationKind.ASSOCIATION, OrganizationKind.COMPANY


def food_bank(**overrides: Any) -> Organization:
    food = {"legal_identifier": FOOD_BANK_RNA, "field_of_activity": "food aid"}
    return organization(ASSOCIATION, "Banque alimentaire du Bas-Rhin", **food, **overrides)


def ibm(**overrides: Any) -> Organization:
    it = {"legal_identifier": IBM_SIREN, "field_of_activity": "information technology"}
    return organization(COMPANY, "IBM France", **it, **overrides)


def la_poste(**overrides: Any) -> Organization:
    return organization(COMPANY, "La Poste", legal_identifier=LA_POSTE_SIRET, **overrides)


def sheltered_workshop(**overrides: Any) -> Organization:
    name = "ESAT des ateliers de l'Ill"
    return organization(ASSOCIATION, name, field_of_activity="sheltered work", **overrides)


def sati(**overrides: Any) -> Organization:
    return organization(COMPANY, "Cafés Sati", field_of_activity="coffee roasting", **overrides)


def integration_workshop(**overrides: Any) -> Organization:
    name, work = "Atelier d'insertion Tôt ou t'Art", "work integration"
    return organization(ASSOCIATION, name, field_of_activity=work, **overrides)


def outdoor_games_maker(**overrides: Any) -> Organization:
    name = "Jeux de plein air d'Alsace"
    return organization(COMPANY, name, field_of_activity="toys", **overrides)


def parents_association(**overrides: Any) -> Organization:
    name = "Association des parents d'enfants handicapés"
    return organization(ASSOCIATION, name, territory="68", **overrides)


# ---------------------------------------------------------------------- lifecycle stages


def propose_idea(
    partnership: Partnership,
    title: str,
    *,
    category: Category = Category.PATRONAGE,
    on: date = IDEA_ON,
    **extra: Any,
) -> UUID:
    """Staff propose an idea (``extra``: ``idea_id``, ``description``); its id."""
    idea: UUID = partnership.propose_idea(
        title=title, proposed_category=category, occurred_on=on, actor=STAFF, today=TODAY, **extra
    )
    return idea


def sign_contract(
    partnership: Partnership,
    *,
    signed_on: date = SIGNED_ON,
    category: Category = Category.PATRONAGE,
    sub_kind: SubKind = SubKind.SKILLS,
    starts_on: date = STARTS_ON,
    ends_on: date = ENDS_ON,
    committed: CommittedValue = IBM_COMMITMENT,
) -> None:
    """Staff sign a contract: by default IBM's skills patronage of the food bank."""
    kind = {"category": category, "sub_kind": sub_kind, "committed": committed}
    period = {"starts_on": starts_on, "ends_on": ends_on, "signed_on": signed_on}
    partnership.sign_contract(**kind, **period, actor=STAFF, today=TODAY)


def freshly_opened(
    association: Organization | None = None,
    company: Organization | None = None,
    *,
    occurred_on: date = SPEED_DATING_ON,
) -> Partnership:
    """The food bank and IBM met at the March 2013 speed-dating."""
    partnership = Partnership.open(
        association=association or food_bank(),
        company=company or ibm(),
        origin=Origin(OriginKind.SPEED_DATING, "speed-dating-2013-03"),
        occurred_on=occurred_on,
        actor=STAFF,
        today=TODAY,
    )
    partnership.collect_events()
    return partnership


def with_idea() -> Partnership:
    """IBM's staff could improve the food bank's traceability software."""
    partnership = freshly_opened()
    propose_idea(
        partnership,
        "Improve the food bank's traceability software",
        idea_id=TRACEABILITY_IDEA,
    )
    partnership.collect_events()
    return partnership


def in_co_construction() -> Partnership:
    partnership = with_idea()
    partnership.start_co_construction(
        idea_id=TRACEABILITY_IDEA, occurred_on=CO_CONSTRUCTION_ON, actor=STAFF, today=TODAY
    )
    partnership.collect_events()
    return partnership


def under_contract() -> Partnership:
    """A skills patronage: 40 days of IBM engineers, plus 2 500 EUR of hardware."""
    partnership = in_co_construction()
    sign_contract(partnership)
    partnership.collect_events()
    return partnership


def evaluated() -> Partnership:
    partnership = under_contract()
    partnership.record_evaluation(
        occurred_on=EVALUATED_ON,
        actor=STAFF,
        today=TODAY,
        beneficiaries=1200,
        jobs_created=0,
        volunteer_days=Decimal(35),
        in_kind_eur=Decimal(2500),
        satisfaction=5,
        findings="volunteers trained; stock traced from donor to family",
    )
    partnership.collect_events()
    return partnership


def abandoned() -> Partnership:
    """The idea was dropped: the food bank's board chose another software."""
    partnership = with_idea()
    partnership.abandon(
        reason="the board chose an off-the-shelf software",
        occurred_on=ABANDONED_ON,
        actor=STAFF,
        today=TODAY,
    )
    partnership.collect_events()
    return partnership
