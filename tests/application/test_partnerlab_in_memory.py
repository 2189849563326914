"""The PartnerLab application on the in-memory event store: use cases, versions, labs,
transcoding round trips, snapshots and stable event topics."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import resolve_topic

from application.context import Caller
from application.errors import NotFound, VersionMismatch
from application.lab import PartnerLab
from application.partnerships.presenters import partnership_view
from application.results import CommandResult
from domain.errors import (
    OrganizationArchived,
    PartnerKindMismatch,
    PartnershipAbandoned,
    StageSkipped,
)
from domain.partnerships.organization import Organization
from domain.partnerships.partnership import Partnership
from domain.values import (
    Category,
    CommittedValue,
    Milestone,
    OrganizationKind,
    Origin,
    OriginKind,
    Stage,
    SubKind,
)
from tests import lab_stories
from tests.unit import stories

STAFF = Caller(lab="alsace", actor="claire.staff")
AUDITOR = Caller(lab="alsace", actor="hugo.auditor")
ELSEWHERE = Caller(lab="lorraine", actor="marc.staff")


SIGNED_COPY = "the signed copy is dated 8 September"


def in_memory_lab() -> PartnerLab:
    return PartnerLab(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: stories.TODAY)


@pytest.fixture
def app() -> Iterator[PartnerLab]:
    lab = in_memory_lab()
    try:
        yield lab
    finally:
        lab.close()


def register_food_bank(app: PartnerLab, caller: Caller = STAFF) -> UUID:
    return lab_stories.food_bank(app, caller)


def register_ibm(app: PartnerLab, caller: Caller = STAFF) -> UUID:
    return lab_stories.ibm(app, caller)


@pytest.fixture
def food_bank(app: PartnerLab) -> UUID:
    return register_food_bank(app)


@pytest.fixture
def ibm(app: PartnerLab) -> UUID:
    return register_ibm(app)


@pytest.fixture
def opened(app: PartnerLab, food_bank: UUID, ibm: UUID) -> UUID:
    """The food bank and IBM met at the March 2013 speed-dating."""
    return lab_stories.open_between(
        app, STAFF, food_bank, ibm, stories.SPEED_DATING_ON, reference="speed-dating-2013-03"
    )


def the_idea(app: PartnerLab, partnership_id: UUID) -> UUID:
    [idea] = app.partnerships.get_partnership(STAFF, partnership_id).ideas
    return idea.id


def take_to_contract(app: PartnerLab, partnership_id: UUID) -> None:
    traceability = "Improve the traceability software"
    lab_stories.propose(
        app, STAFF, partnership_id, traceability, Category.PATRONAGE, stories.IDEA_ON
    )
    app.partnerships.start_co_construction(
        STAFF,
        partnership_id,
        idea_id=the_idea(app, partnership_id),
        occurred_on=stories.CO_CONSTRUCTION_ON,
    )
    sign_the_contract(app, partnership_id)


def sign_the_contract(app: PartnerLab, partnership_id: UUID, **expected: int) -> CommandResult:
    """IBM's skills patronage: 40 days and 2 500 EUR in kind (``expected``: its version)."""
    return app.partnerships.sign_contract(
        STAFF,
        partnership_id,
        category=Category.PATRONAGE,
        sub_kind=SubKind.SKILLS,
        signed_on=stories.SIGNED_ON,
        starts_on=stories.STARTS_ON,
        ends_on=stories.ENDS_ON,
        in_kind_eur=Decimal("2500.00"),
        skills_days=Decimal(40),
        **expected,
    )


@pytest.fixture
def under_contract(app: PartnerLab, opened: UUID) -> UUID:
    take_to_contract(app, opened)
    return opened


# ---------------------------------------------------------------------- organisations


def test_registering_an_organisation_returns_its_id_version_and_log_position(
    app: PartnerLab,
) -> None:
    # When
    result = app.organizations.register_organization(
        STAFF,
        kind=OrganizationKind.COMPANY,
        name=" La Poste ",
        territory="67",
        legal_identifier="356 000 000 49837",
    )

    # Then
    assert isinstance(result, CommandResult)
    assert result.version == 1
    assert result.position is not None
    view = app.organizations.get_organization(STAFF, result.id)
    assert view.id == result.id
    assert view.lab == "alsace"
    assert view.kind is OrganizationKind.COMPANY
    assert view.name == "La Poste"
    assert view.legal_identifier == "35600000049837"
    assert view.archived is False
    assert view.version == 1


def test_updating_an_organisation_records_a_new_version(app: PartnerLab, food_bank: UUID) -> None:
    # When
    result = app.organizations.update_organization(
        STAFF, food_bank, expected_version=1, territory="68", description="collects food"
    )

    # Then
    assert result.version == 2
    view = app.organizations.get_organization(STAFF, food_bank)
    assert view.territory == "68"
    assert view.description == "collects food"
    assert view.modified_at > view.created_at


def test_an_update_that_changes_nothing_records_nothing(app: PartnerLab, food_bank: UUID) -> None:
    result = app.organizations.update_organization(STAFF, food_bank, territory="67")

    assert result.version == 1
    assert result.position is None
    assert app.organizations.get_organization(STAFF, food_bank).version == 1


def test_an_archived_organisation_cannot_open_a_partnership(
    app: PartnerLab, food_bank: UUID, ibm: UUID
) -> None:
    # Given
    app.organizations.archive_organization(STAFF, ibm, reason="left the region")
    assert app.organizations.get_organization(STAFF, ibm).archived is True

    # When / Then
    with pytest.raises(OrganizationArchived):
        lab_stories.open_between(
            app, STAFF, food_bank, ibm, stories.SPEED_DATING_ON, OriginKind.SPONTANEOUS
        )


def test_an_organisation_update_with_a_stale_version_is_refused(
    app: PartnerLab, food_bank: UUID
) -> None:
    app.organizations.update_organization(STAFF, food_bank, territory="68")

    with pytest.raises(VersionMismatch) as error:
        app.organizations.update_organization(STAFF, food_bank, expected_version=1, territory="57")

    assert error.value.current_version == 2
    assert error.value.rule == "expected-version"
    assert app.organizations.get_organization(STAFF, food_bank).territory == "68"


def test_two_companies_cannot_open_a_partnership(app: PartnerLab, ibm: UUID) -> None:
    la_poste = lab_stories.register(app, STAFF, OrganizationKind.COMPANY, "La Poste")

    with pytest.raises(PartnerKindMismatch):
        lab_stories.open_between(
            app, STAFF, la_poste, ibm, stories.SPEED_DATING_ON, OriginKind.CONSULTING
        )


# ---------------------------------------------------------------------- the whole lifecycle


def test_the_whole_lifecycle_through_the_use_cases(app: PartnerLab, opened: UUID) -> None:
    # Given the partnership opened at the speed-dating
    view = app.partnerships.get_partnership(STAFF, opened)
    assert view.stage is Stage.MEETING
    assert view.status == "open"
    assert view.origin_kind is OriginKind.SPEED_DATING
    assert view.origin_reference_id == "speed-dating-2013-03"
    assert view.version == 1

    # When staff record every step, each with the version they last saw
    steps = [
        app.partnerships.record_meeting(
            STAFF, opened, occurred_on=date(2013, 4, 2), expected_version=1
        ),
        app.partnerships.propose_idea(
            STAFF,
            opened,
            title="Improve the traceability software",
            proposed_category=Category.PATRONAGE,
            occurred_on=stories.IDEA_ON,
            expected_version=2,
        ),
    ]
    idea_id = the_idea(app, opened)
    steps += [
        app.partnerships.start_co_construction(
            STAFF,
            opened,
            idea_id=idea_id,
            occurred_on=stories.CO_CONSTRUCTION_ON,
            expected_version=3,
        ),
        app.partnerships.record_progress(
            STAFF, opened, progress="first workshop", occurred_on=date(2013, 6, 10)
        ),
        sign_the_contract(app, opened, expected_version=5),
        app.partnerships.record_evaluation(
            STAFF,
            opened,
            occurred_on=stories.EVALUATED_ON,
            beneficiaries=1200,
            volunteer_days=Decimal(35),
            satisfaction=5,
            findings="stock traced from donor to family",
        ),
        app.partnerships.renew_contract(
            STAFF,
            opened,
            occurred_on=stories.RENEWED_ON,
            ends_on=stories.RENEWED_UNTIL,
            skills_days=Decimal(20),
        ),
        lab_stories.correct(
            app, AUDITOR, opened, 6, {"occurred_on": "2013-09-08"}, SIGNED_COPY, expected_version=8
        ),
    ]

    # Then
    assert [s.version for s in steps] == [2, 3, 4, 5, 6, 7, 8, 9]
    positions = [s.position for s in steps]
    assert all(p is not None for p in positions)
    assert positions == sorted(positions)  # type: ignore[type-var]
    view = app.partnerships.get_partnership(STAFF, opened)
    assert view.version == 9
    assert view.stage is Stage.EVALUATION
    assert view.status == "open"
    assert view.chosen_idea_id == idea_id
    assert [i.chosen for i in view.ideas] == [True]
    assert [n.details["progress"] for n in view.progress_notes] == ["first workshop"]
    assert view.contract is not None
    assert view.contract.signed_on == date(2013, 9, 8)
    assert view.contract.ends_on == stories.RENEWED_UNTIL
    assert view.contract.committed.skills_days == Decimal(40)
    assert view.contract.total_committed.skills_days == Decimal(60)
    assert view.contract.total_committed.in_kind_eur == Decimal(2500)
    assert [e.beneficiaries for e in view.evaluations] == [1200]
    [correction] = view.corrections
    assert correction.actor == "hugo.auditor"
    assert correction.previous == {"occurred_on": stories.SIGNED_ON}
    assert correction.occurred_on == stories.TODAY
    assert view.stage_reached_on[Stage.CONTRACT] == date(2013, 9, 8)
    assert [m.actor for m in view.milestones] == ["claire.staff"] * 8


def test_an_abandoned_partnership_shows_its_reason_and_refuses_new_steps(
    app: PartnerLab, opened: UUID
) -> None:
    app.partnerships.abandon_partnership(
        STAFF, opened, reason="the company was taken over", occurred_on=date(2013, 6, 1)
    )

    view = app.partnerships.get_partnership(STAFF, opened)
    assert view.status == "abandoned"
    assert view.abandonment_reason == "the company was taken over"
    with pytest.raises(PartnershipAbandoned):
        app.partnerships.record_meeting(STAFF, opened, occurred_on=date(2013, 7, 1))
    assert app.partnerships.get_partnership(STAFF, opened).version == 2


def test_a_refused_command_records_nothing(app: PartnerLab, opened: UUID) -> None:
    with pytest.raises(StageSkipped):
        app.partnerships.record_evaluation(STAFF, opened, occurred_on=stories.EVALUATED_ON)

    assert app.partnerships.get_partnership(STAFF, opened).version == 1
    assert len(list(app.log.events.get(opened))) == 1


# ---------------------------------------------------------------------- versions


def test_an_earlier_version_shows_the_earlier_stage(app: PartnerLab, under_contract: UUID) -> None:
    # under_contract: 1 opening, 2 idea, 3 co-construction, 4 contract
    at_two = app.partnerships.get_partnership(STAFF, under_contract, version=2)
    now = app.partnerships.get_partnership(STAFF, under_contract)

    assert at_two.version == 2
    assert at_two.stage is Stage.IDEA
    assert at_two.contract is None
    assert now.stage is Stage.CONTRACT
    assert app.partnerships.get_partnership(STAFF, under_contract, version=4) == now


@pytest.mark.parametrize("version", [0, -1, 5, 99])
def test_a_version_that_was_never_recorded_is_not_found(
    app: PartnerLab, under_contract: UUID, version: int
) -> None:
    with pytest.raises(NotFound) as error:
        app.partnerships.get_partnership(STAFF, under_contract, version=version)

    assert error.value.field == "version"
    assert error.value.rule == "not-found"


def test_a_command_on_a_stale_version_is_refused_and_records_nothing(
    app: PartnerLab, opened: UUID
) -> None:
    app.partnerships.record_meeting(STAFF, opened, occurred_on=date(2013, 4, 2))

    with pytest.raises(VersionMismatch) as error:
        app.partnerships.record_meeting(
            STAFF, opened, occurred_on=date(2013, 4, 9), expected_version=1
        )

    assert error.value.current_version == 2
    assert app.partnerships.get_partnership(STAFF, opened).version == 2


# ---------------------------------------------------------------------- labs


def test_another_lab_cannot_see_or_touch_this_lab_s_records(
    app: PartnerLab, food_bank: UUID, opened: UUID
) -> None:
    with pytest.raises(NotFound):
        app.partnerships.get_partnership(ELSEWHERE, opened)
    with pytest.raises(NotFound):
        app.partnerships.get_partnership(ELSEWHERE, opened, version=1)
    with pytest.raises(NotFound):
        app.partnerships.record_meeting(ELSEWHERE, opened, occurred_on=date(2013, 4, 2))
    with pytest.raises(NotFound):
        app.partnerships.correct_milestone(
            ELSEWHERE, opened, target_version=1, changes={"note": "x"}, reason="mine"
        )
    with pytest.raises(NotFound):
        app.organizations.get_organization(ELSEWHERE, food_bank)
    with pytest.raises(NotFound):
        app.organizations.update_organization(ELSEWHERE, food_bank, name="Hijacked")
    with pytest.raises(NotFound):
        app.organizations.archive_organization(ELSEWHERE, food_bank)

    assert app.partnerships.get_partnership(STAFF, opened).version == 1
    assert app.organizations.get_organization(STAFF, food_bank).version == 1


def test_a_partnership_cannot_be_opened_with_another_lab_s_organisation(
    app: PartnerLab, food_bank: UUID
) -> None:
    their_company = register_ibm(app, ELSEWHERE)

    with pytest.raises(NotFound) as error:
        lab_stories.open_between(
            app, STAFF, food_bank, their_company, stories.SPEED_DATING_ON, OriginKind.SPONTANEOUS
        )

    assert error.value.field == "company_id"


def test_unknown_ids_and_ids_of_the_wrong_kind_are_not_found(
    app: PartnerLab, food_bank: UUID, opened: UUID
) -> None:
    with pytest.raises(NotFound):
        app.partnerships.get_partnership(STAFF, uuid4())
    with pytest.raises(NotFound):
        app.partnerships.get_partnership(STAFF, food_bank)
    with pytest.raises(NotFound):
        app.organizations.get_organization(STAFF, opened)


# ---------------------------------------------------------------------- stored events


def test_stored_events_read_back_with_their_python_types(
    app: PartnerLab, under_contract: UUID
) -> None:
    # Given a contract, an evaluation and a correction, all stored
    app.partnerships.record_evaluation(
        STAFF,
        under_contract,
        occurred_on=stories.EVALUATED_ON,
        beneficiaries=1200,
        volunteer_days=Decimal("35.5"),
        satisfaction=4,
    )
    app.partnerships.correct_milestone(
        AUDITOR,
        under_contract,
        target_version=4,
        changes={"skills_days": "45.5", "ends_on": "2014-12-31"},
        reason="amendment no. 1",
    )

    # When the events are read back from the store
    events = list(app.log.events.get(under_contract))

    # Then every value has its own type again
    opened, proposed, started, signed, evaluated, corrected = events
    assert isinstance(opened, Partnership.Opened)
    assert opened.origin == Origin(OriginKind.SPEED_DATING, "speed-dating-2013-03")
    assert type(opened.occurred_on) is date
    assert isinstance(proposed, Partnership.IdeaProposed)
    assert isinstance(proposed.idea_id, UUID)
    assert proposed.proposed_category is Category.PATRONAGE
    assert isinstance(started, Partnership.CoConstructionStarted)
    assert started.idea_id == proposed.idea_id
    assert isinstance(signed, Partnership.ContractSigned)
    assert signed.category is Category.PATRONAGE
    assert signed.sub_kind is SubKind.SKILLS
    assert (type(signed.starts_on), signed.starts_on) == (date, stories.STARTS_ON)
    assert signed.committed == CommittedValue(Decimal(0), Decimal("2500.00"), Decimal(40))
    assert isinstance(signed.committed.in_kind_eur, Decimal)
    assert isinstance(evaluated, Partnership.EvaluationRecorded)
    assert evaluated.volunteer_days == Decimal("35.5")
    assert isinstance(evaluated.volunteer_days, Decimal)
    assert evaluated.satisfaction == 4
    assert isinstance(corrected, Partnership.MilestoneCorrected)
    assert corrected.changes == {"skills_days": Decimal("45.5"), "ends_on": date(2014, 12, 31)}
    assert corrected.previous == {"skills_days": Decimal(40), "ends_on": stories.ENDS_ON}
    assert isinstance(corrected.changes["skills_days"], Decimal)


def test_stored_events_carry_stable_topics_and_named_transcodings(
    app: PartnerLab, under_contract: UUID
) -> None:
    stored = app.log.recorder.select_events(under_contract)

    assert [s.topic for s in stored] == [
        "partnerlab:Partnership.Opened",
        "partnerlab:Partnership.IdeaProposed",
        "partnerlab:Partnership.CoConstructionStarted",
        "partnerlab:Partnership.ContractSigned",
    ]
    contract = json.loads(stored[3].state)
    assert contract["starts_on"] == {"_type_": "date_iso", "_data_": "2013-10-01"}
    assert contract["category"] == {"_type_": "category", "_data_": "patronage"}
    assert contract["committed"]["_type_"] == "committed_value"
    assert contract["committed"]["_data_"]["skills_days"] == {
        "_type_": "decimal_str",
        "_data_": "40",
    }


def test_an_aggregate_saved_and_read_back_equals_the_live_one(app: PartnerLab) -> None:
    # Given the coffee roaster Sati and the integration workshop, recorded in the domain
    workshop = Organization.register(
        lab="alsace",
        kind=OrganizationKind.ASSOCIATION,
        name="Atelier d'insertion",
        territory="67",
        actor="claire.staff",
    )
    roaster = Organization.register(
        lab="alsace", kind=OrganizationKind.COMPANY, name="Cafés Sati", territory="67", actor="c"
    )
    live = Partnership.open(
        association=workshop,
        company=roaster,
        origin=Origin(OriginKind.THEMATIC_EVENT, "circular-economy-2014"),
        occurred_on=date(2014, 2, 6),
        actor="claire.staff",
        today=stories.TODAY,
    )
    idea = live.propose_idea(
        title="Bags made from defective coffee packs",
        proposed_category=Category.ECONOMIC_COOPERATION,
        occurred_on=date(2014, 3, 1),
        actor="claire.staff",
        today=stories.TODAY,
    )
    live.start_co_construction(
        idea_id=idea, occurred_on=date(2014, 4, 1), actor="claire.staff", today=stories.TODAY
    )
    live.sign_contract(
        category=Category.ECONOMIC_COOPERATION,
        sub_kind=SubKind.CIRCULAR_ECONOMY,
        starts_on=date(2014, 6, 1),
        ends_on=date(2015, 5, 31),
        committed=CommittedValue(financial_eur=Decimal("1234.56")),
        signed_on=date(2014, 5, 20),
        actor="claire.staff",
        today=stories.TODAY,
    )
    live.correct(
        target_version=4,
        changes={"note": "signed at the roastery"},
        reason="forgotten note",
        actor="hugo.auditor",
        today=stories.TODAY,
    )

    # When
    app.log.save(workshop, roaster, live)
    stored = app.log.repository.get(live.id)

    # Then
    assert stored is not live
    assert state(stored) == state(live)
    assert partnership_view(stored) == partnership_view(live)


def state(aggregate: Aggregate) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


# ---------------------------------------------------------------------- snapshots


def test_after_fifty_events_a_snapshot_is_taken_and_reads_back_the_same(
    app: PartnerLab, under_contract: UUID
) -> None:
    # Given an evaluation every month, long after the contract was signed (4 events so far)
    for month in range(52):
        year, index = divmod(month, 12)
        app.partnerships.record_evaluation(
            STAFF,
            under_contract,
            occurred_on=date(2014 + year, index + 1, 28),
            beneficiaries=100 + month,
            volunteer_days=Decimal(month) / 4,
            satisfaction=1 + month % 5,
        )
    app.partnerships.correct_milestone(
        AUDITOR, under_contract, target_version=4, changes={"skills_days": 45}, reason="amended"
    )

    # Then one snapshot, at version 50
    snapshots = list(app.log.snapshots.get(under_contract)) if app.log.snapshots else []
    assert [s.originator_version for s in snapshots] == [50]
    assert snapshots[0].topic == "partnerlab:Partnership"

    # And the partnership read through the snapshot equals the one replayed from every event
    events = list(app.log.events.get(under_contract))
    assert len(events) == 57
    replayed = functools.reduce(lambda agg, e: e.mutate(agg), events, None)
    assert isinstance(replayed, Partnership)
    read = app.log.repository.get(under_contract)
    assert state(read) == state(replayed)
    assert partnership_view(read) == partnership_view(replayed)
    assert read.total_committed.skills_days == Decimal(45)
    assert isinstance(read.milestones[-2], Milestone)
    assert isinstance(read.milestones[-2].details["volunteer_days"], Decimal)

    # And versions on either side of the snapshot read back correctly
    assert len(app.partnerships.get_partnership(STAFF, under_contract, version=49).milestones) == 49
    assert len(app.partnerships.get_partnership(STAFF, under_contract, version=51).milestones) == 51


# ---------------------------------------------------------------------- topics


def event_classes(aggregate: type[Aggregate]) -> list[type[Any]]:
    return [
        value
        for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, CanMutateAggregate)
    ]


def declared_topic(cls: type[Any]) -> str | None:
    """The TOPIC written on the class itself, not inherited from a parent event class.

    ``@event(MeetingHeld)`` swaps the declared class for a subclass with the same name and
    topic, so the declaration is looked for among classes of the same qualified name.
    """
    declaring = next(k for k in cls.__mro__ if "TOPIC" in k.__dict__)
    if declaring.__qualname__ != cls.__qualname__:
        return None
    topic: str = declaring.__dict__["TOPIC"]
    return topic


@pytest.mark.parametrize("aggregate", [Organization, Partnership], ids=lambda a: a.__name__)
def test_every_event_class_has_its_own_stable_topic(aggregate: type[Aggregate]) -> None:
    classes = event_classes(aggregate)
    assert len(classes) >= 4

    for cls in [aggregate, *classes]:
        explicit = declared_topic(cls)
        assert isinstance(explicit, str), f"{cls.__qualname__} has no explicit TOPIC"
        assert explicit.startswith("partnerlab:")
        assert explicit == f"partnerlab:{cls.__qualname__}"
        assert resolve_topic(explicit) is cls

    topics = [declared_topic(c) for c in classes]
    assert len(set(topics)) == len(topics)
