"""The lab's activities in memorable data: a spring speed-dating session at a Strasbourg café,
hosted by Électricité de Strasbourg, with ten associations and ten companies of the source's
stories and of the region."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.training import TrainingSession
from domain.activities.values import Interest, Pair
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind

TODAY = date(2026, 11, 26)
LAB = "alsace"
OTHER_LAB = "lorraine"
STAFF = "claire.staff"

SESSION_ON = date(2014, 3, 12)
STARTS_AT = time(18, 0)

ASSOCIATIONS = [
    "Banque alimentaire du Bas-Rhin",
    "ESAT du Neuhof",
    "Atelier d'insertion Sac à sacs",
    "Les Jardins de Cocagne",
    "Parents ensemble 67",
    "Théâtre jeune public de Strasbourg",
    "Régie de quartier de Hautepierre",
    "Emmaüs Mundolsheim",
    "Croix-Rouge Strasbourg",
    "Envie Strasbourg",
]
COMPANIES = [
    "IBM France",
    "La Poste",
    "Cafés Sati",
    "Lyonnaise des eaux",
    "Burger de la Krutenau",
    "Jeux de plein air d'Alsace",
    "Crédit Mutuel",
    "Kuhn SA",
    "Adidas France",
    "Brasserie Météor",
]


def organization(
    name: str, kind: OrganizationKind, *, lab: str = LAB, archived: bool = False
) -> Organization:
    registered = Organization.register(lab=lab, kind=kind, name=name, territory="67", actor=STAFF)
    if archived:
        registered.archive(actor=STAFF)
    registered.collect_events()
    return registered


def associations(count: int = 10) -> list[Organization]:
    return [organization(n, OrganizationKind.ASSOCIATION) for n in ASSOCIATIONS[:count]]


def companies(count: int = 10) -> list[Organization]:
    return [organization(n, OrganizationKind.COMPANY) for n in COMPANIES[:count]]


def host() -> Organization:
    return organization("Électricité de Strasbourg", OrganizationKind.COMPANY)


def planned_session(held_on: date = SESSION_ON) -> SpeedDatingSession:
    session = SpeedDatingSession.plan(
        title="Speed-dating associations-entreprises, printemps 2014",
        held_on=held_on,
        starts_at=STARTS_AT,
        venue="Café Brant, Strasbourg",
        host_company=host(),
        actor=STAFF,
    )
    session.collect_events()
    return session


def filled_session(
    association_list: list[Organization], company_list: list[Organization]
) -> SpeedDatingSession:
    session = planned_session()
    for participant in [*association_list, *company_list]:
        session.register(participant, actor=STAFF)
    session.collect_events()
    return session


def scheduled_session(
    association_list: list[Organization], company_list: list[Organization]
) -> SpeedDatingSession:
    session = filled_session(association_list, company_list)
    session.generate_schedule(actor=STAFF)
    session.collect_events()
    return session


def outcome(
    session: SpeedDatingSession,
    pair: Pair,
    held: bool,
    association: Interest = Interest.NONE,
    company: Interest = Interest.NONE,
    today: date = TODAY,
) -> None:
    """Staff record whether the meeting of ``pair`` was held, and each side's interest."""
    between = {"association_id": pair.association_id, "company_id": pair.company_id}
    interest = {"association_interest": association, "company_interest": company}
    session.record_outcome(**between, held=held, **interest, actor=STAFF, today=today)


def payment(
    course: TrainingSession,
    payer: Organization,
    amount: Decimal,
    paid_on: date = date(2014, 10, 1),
    donation: bool = False,
) -> None:
    """Staff record a payment of the training's fee (a ``donation`` may go past it)."""
    paid = {"organization_id": payer.id, "amount_eur": amount, "paid_on": paid_on}
    course.record_payment(**paid, actor=STAFF, today=TODAY, donation=donation)
