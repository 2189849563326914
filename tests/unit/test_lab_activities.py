"""Events and forums, consulting, training and subsidies: what each records and refuses."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.activities.consulting import ConsultingEngagement
from domain.activities.errors import (
    ActivityOfAnotherLab,
    AlreadyProposed,
    AmountNotPositive,
    CountOutOfRange,
    DateBeforeActivity,
    MeetingAlreadyRecorded,
    NotAttended,
    NotProposed,
    ParticipantAlreadyRegistered,
    ParticipantNotRegistered,
    SessionNotStarted,
    TooManyDecimals,
    WrongParticipantKind,
    YearOutOfRange,
)
from domain.activities.funding import Subsidy
from domain.activities.lab_event import LabEvent
from domain.activities.training import TrainingSession
from domain.activities.values import partnership_id
from domain.errors import DateInFuture, InvalidValue, NegativeAmount, NothingToCorrect
from domain.partnerships.organization import Organization
from domain.values import OrganizationKind, OriginKind
from tests.unit.activity_stories import LAB, OTHER_LAB, STAFF, TODAY, organization, payment

FORUM_ON = date(2014, 11, 20)
ENGAGED_ON = date(2014, 1, 13)


def forum() -> LabEvent:
    return LabEvent.plan(
        lab=LAB,
        kind=OriginKind.OPEN_FORUM,
        title="Forum emploi et partenariats",
        held_on=FORUM_ON,
        actor=STAFF,
        venue="Maison des associations",
    )


def food_bank_and_la_poste() -> tuple[Organization, Organization]:
    return (
        organization("Banque alimentaire du Bas-Rhin", OrganizationKind.ASSOCIATION),
        organization("La Poste", OrganizationKind.COMPANY),
    )


# -- events and forums ---------------------------------------------------------------------------


def test_an_event_is_a_thematic_event_or_an_open_forum() -> None:
    with pytest.raises(InvalidValue) as refused:
        LabEvent.plan(
            lab=LAB, kind=OriginKind.SPEED_DATING, title="t", held_on=FORUM_ON, actor=STAFF
        )
    assert refused.value.rule == "event-kind"


def test_an_event_planned_next_year_records_attendance_from_its_day_on() -> None:
    later = LabEvent.plan(
        lab=LAB,
        kind=OriginKind.THEMATIC_EVENT,
        title="RSE et insertion",
        held_on=TODAY + timedelta(days=200),
        actor=STAFF,
    )
    food_bank, _ = food_bank_and_la_poste()

    with pytest.raises(SessionNotStarted):
        later.record_attendance(food_bank, actor=STAFF, today=TODAY)


def test_a_meeting_at_an_event_is_between_an_attending_association_and_company() -> None:
    event = forum()
    food_bank, la_poste = food_bank_and_la_poste()
    event.record_attendance(food_bank, actor=STAFF, today=TODAY)

    with pytest.raises(NotAttended) as absent:
        event.record_meeting(
            association_id=food_bank.id, company_id=la_poste.id, actor=STAFF, today=TODAY
        )
    event.record_attendance(la_poste, actor=STAFF, today=TODAY)
    with pytest.raises(WrongParticipantKind):
        event.record_meeting(
            association_id=la_poste.id, company_id=food_bank.id, actor=STAFF, today=TODAY
        )
    event.record_meeting(
        association_id=food_bank.id, company_id=la_poste.id, actor=STAFF, today=TODAY
    )
    assert absent.value.field == "company_id"
    assert event.met(food_bank.id, la_poste.id)
    recorded = event.collect_events()[-1]
    assert isinstance(recorded, LabEvent.MeetingRecorded)
    assert recorded.occurred_on == FORUM_ON


def test_attendance_and_meetings_are_recorded_once() -> None:
    event = forum()
    food_bank, la_poste = food_bank_and_la_poste()
    event.record_attendance(food_bank, actor=STAFF, today=TODAY)
    event.record_attendance(la_poste, actor=STAFF, today=TODAY)
    event.record_meeting(
        association_id=food_bank.id, company_id=la_poste.id, actor=STAFF, today=TODAY
    )

    with pytest.raises(ParticipantAlreadyRegistered):
        event.record_attendance(food_bank, actor=STAFF, today=TODAY)
    with pytest.raises(MeetingAlreadyRecorded):
        event.record_meeting(
            association_id=food_bank.id, company_id=la_poste.id, actor=STAFF, today=TODAY
        )


def test_an_event_takes_organisations_of_its_own_lab_only() -> None:
    with pytest.raises(ActivityOfAnotherLab):
        forum().record_attendance(
            organization("Lorraine SA", OrganizationKind.COMPANY, lab=OTHER_LAB),
            actor=STAFF,
            today=TODAY,
        )


# -- consulting ----------------------------------------------------------------------------------


def engagement() -> ConsultingEngagement:
    return ConsultingEngagement.open(
        company=organization("Cafés Sati", OrganizationKind.COMPANY),
        scope="Turn defective coffee packs into a resource",
        started_on=ENGAGED_ON,
        actor=STAFF,
        today=TODAY,
    )


def test_consulting_is_for_a_company_and_has_started() -> None:
    food_bank, _ = food_bank_and_la_poste()

    with pytest.raises(WrongParticipantKind):
        ConsultingEngagement.open(
            company=food_bank, scope="s", started_on=ENGAGED_ON, actor=STAFF, today=TODAY
        )
    with pytest.raises(DateInFuture):
        ConsultingEngagement.open(
            company=organization("Kuhn SA", OrganizationKind.COMPANY),
            scope="s",
            started_on=TODAY + timedelta(days=1),
            actor=STAFF,
            today=TODAY,
        )


def test_associations_are_proposed_once_after_the_engagement_started() -> None:
    sati = engagement()
    workshop = organization("Atelier d'insertion Sac à sacs", OrganizationKind.ASSOCIATION)
    gardens = organization("Les Jardins de Cocagne", OrganizationKind.ASSOCIATION)

    with pytest.raises(DateBeforeActivity):
        sati.propose(
            [workshop], occurred_on=ENGAGED_ON - timedelta(days=1), actor=STAFF, today=TODAY
        )
    sati.propose(
        [workshop, gardens],
        occurred_on=date(2014, 2, 3),
        actor=STAFF,
        today=TODAY,
        field_of_activity="insertion",
        territory="67",
    )
    with pytest.raises(AlreadyProposed):
        sati.propose([gardens], occurred_on=date(2014, 2, 4), actor=STAFF, today=TODAY)
    with pytest.raises(WrongParticipantKind):
        sati.propose(
            [organization("IBM France", OrganizationKind.COMPANY)],
            occurred_on=date(2014, 2, 4),
            actor=STAFF,
            today=TODAY,
        )
    assert sati.proposed == [workshop.id, gardens.id]
    sati.require_proposed(gardens.id)
    with pytest.raises(NotProposed):
        sati.require_proposed(organization("x", OrganizationKind.ASSOCIATION).id)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (Decimal(0), AmountNotPositive),
        (Decimal("-50"), NegativeAmount),
        (Decimal("10.005"), TooManyDecimals),
        (Decimal("NaN"), TooManyDecimals),
    ],
)
def test_a_contribution_is_a_positive_sum_in_cents(amount: Decimal, error: type) -> None:
    with pytest.raises(error):
        engagement().record_contribution(
            amount_eur=amount, paid_on=date(2014, 6, 1), actor=STAFF, today=TODAY
        )


def test_the_company_pays_what_it_finds_fair_possibly_in_instalments() -> None:
    sati = engagement()

    sati.record_contribution(
        amount_eur=Decimal("1200"), paid_on=date(2014, 6, 1), actor=STAFF, today=TODAY
    )
    sati.record_contribution(
        amount_eur=Decimal("300.50"), paid_on=date(2015, 1, 10), actor=STAFF, today=TODAY
    )

    assert sati.contributed_eur == Decimal("1500.50")
    assert [c.version for c in sati.contributions] == [2, 3]


# -- training ------------------------------------------------------------------------------------


def training() -> TrainingSession:
    return TrainingSession.plan(
        lab=LAB, title="Build a partnership with a company", held_on=date(2014, 10, 7), actor=STAFF
    )


def test_an_organisation_enrols_once_with_its_people_and_an_agreed_fee() -> None:
    course = training()
    food_bank, la_poste = food_bank_and_la_poste()

    course.enrol(food_bank, people=2, fee_eur=Decimal(0), actor=STAFF)
    course.enrol(la_poste, people=3, fee_eur=Decimal("450"), actor=STAFF)

    with pytest.raises(ParticipantAlreadyRegistered):
        course.enrol(food_bank, people=1, fee_eur=Decimal(0), actor=STAFF)
    with pytest.raises(CountOutOfRange):
        course.enrol(
            organization("Kuhn SA", OrganizationKind.COMPANY),
            people=0,
            fee_eur=Decimal(0),
            actor=STAFF,
        )
    assert [e.people for e in course.enrolments] == [2, 3]


def test_only_enrolled_organisations_pay_fees_and_never_in_the_future() -> None:
    course = training()
    food_bank, la_poste = food_bank_and_la_poste()
    course.enrol(la_poste, people=3, fee_eur=Decimal("450"), actor=STAFF)

    with pytest.raises(ParticipantNotRegistered):
        payment(course, food_bank, Decimal(10))
    with pytest.raises(DateInFuture):
        payment(course, la_poste, Decimal(10), TODAY + timedelta(days=1))
    payment(course, la_poste, Decimal("450"), date(2014, 9, 30))
    assert course.paid_by(la_poste.id) == Decimal("450")


# -- subsidies -----------------------------------------------------------------------------------


def direccte() -> Subsidy:
    return Subsidy.grant(
        lab=LAB,
        funder="Direccte Alsace",
        year=2014,
        amount_eur=Decimal("30000"),
        granted_on=date(2014, 2, 3),
        actor=STAFF,
        today=TODAY,
    )


def test_a_subsidy_funds_a_year_near_the_grant() -> None:
    with pytest.raises(YearOutOfRange):
        Subsidy.grant(
            lab=LAB,
            funder="Région Alsace",
            year=2041,
            amount_eur=Decimal(1),
            granted_on=date(2014, 2, 3),
            actor=STAFF,
            today=TODAY,
        )
    assert direccte().year == 2014


def test_a_subsidy_amount_is_corrected_with_a_reason_not_edited() -> None:
    subsidy = direccte()

    with pytest.raises(NothingToCorrect):
        subsidy.correct_amount(
            amount_eur=Decimal("30000.00"), reason="same", actor=STAFF, today=TODAY
        )
    subsidy.correct_amount(
        amount_eur=Decimal("28500"), reason="the convention was amended", actor=STAFF, today=TODAY
    )

    corrected = subsidy.collect_events()[-1]
    assert isinstance(corrected, Subsidy.AmountCorrected)
    assert (corrected.previous_eur, corrected.amount_eur) == (Decimal(30000), Decimal(28500))
    assert subsidy.amount_eur == Decimal(28500)


# -- ids of partnerships opened from an activity ---------------------------------------------------


def test_a_pair_opens_the_same_partnership_id_from_an_activity_and_another_from_another() -> None:
    food_bank, la_poste = food_bank_and_la_poste()
    first, second = forum(), forum()

    assert partnership_id(first.id, food_bank.id, la_poste.id) == partnership_id(
        first.id, food_bank.id, la_poste.id
    )
    assert partnership_id(first.id, food_bank.id, la_poste.id) != partnership_id(
        second.id, food_bank.id, la_poste.id
    )


def test_no_two_domain_errors_share_a_rule_name_once_every_module_is_loaded() -> None:
    """Whatever the import order, each rule the API returns names one error type."""
    import importlib
    import pkgutil

    import domain
    from domain.errors import DomainError

    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{module.name}")

    def subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    rules = [cls.rule for cls in set(subclasses(DomainError))]
    assert sorted(r for r in rules if rules.count(r) > 1) == []
