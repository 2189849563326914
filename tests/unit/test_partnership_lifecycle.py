"""The happy paths: each command of the partnership lifecycle and the event it records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.partnerships import milestones as kinds
from domain.partnerships.partnership import Partnership
from domain.values import Category, CommittedValue, Origin, OriginKind, Stage, SubKind
from tests.unit import stories
from tests.unit.stories import LAB, STAFF, TODAY

# ---------------------------------------------------------------------- opening


def test_the_sati_coffee_roaster_and_the_integration_workshop_open_a_partnership() -> None:
    # Given
    workshop = stories.integration_workshop()
    roaster = stories.sati()

    # When
    partnership = Partnership.open(
        association=workshop,
        company=roaster,
        origin=Origin(OriginKind.THEMATIC_EVENT, "  circular-economy-2014 "),
        occurred_on=date(2014, 2, 6),
        actor=STAFF,
        today=TODAY,
        note="  defective coffee packs could become bags ",
    )

    # Then
    [opened] = partnership.collect_events()
    assert isinstance(opened, Partnership.Opened)
    assert opened.originator_version == 1
    assert opened.lab == LAB
    assert opened.association_id == workshop.id
    assert opened.company_id == roaster.id
    assert opened.origin == Origin(OriginKind.THEMATIC_EVENT, "circular-economy-2014")
    assert opened.occurred_on == date(2014, 2, 6)
    assert opened.actor == STAFF
    assert opened.note == "defective coffee packs could become bags"
    assert partnership.stage is Stage.MEETING
    assert partnership.opened_on == date(2014, 2, 6)
    assert partnership.is_abandoned is False
    assert [m.kind for m in partnership.milestones] == [kinds.OPENING]


def test_a_partnership_may_be_opened_on_the_day_it_is_recorded() -> None:
    partnership = Partnership.open(
        association=stories.parents_association(),
        company=stories.outdoor_games_maker(),
        origin=Origin(OriginKind.SPONTANEOUS),
        occurred_on=TODAY,
        actor=STAFF,
        today=TODAY,
    )

    assert partnership.opened_on == TODAY
    assert partnership.origin.reference_id is None


def test_a_freshly_opened_partnership_has_nothing_but_its_first_meeting(
    freshly_opened: Partnership,
) -> None:
    assert freshly_opened.stage is Stage.MEETING
    assert freshly_opened.ideas == {}
    assert freshly_opened.chosen_idea_id is None
    assert freshly_opened.contract_milestone is None
    assert freshly_opened.contract_ends_on is None
    assert freshly_opened.total_committed == CommittedValue()
    assert freshly_opened.evaluations == []
    assert freshly_opened.last_milestone_on == stories.SPEED_DATING_ON
    assert freshly_opened.stage_reached_on == {Stage.MEETING: stories.SPEED_DATING_ON}


# ---------------------------------------------------------------------- meetings and ideas


def test_a_second_meeting_is_recorded_without_moving_the_stage(
    freshly_opened: Partnership,
) -> None:
    # When
    freshly_opened.record_meeting(
        occurred_on=stories.SECOND_MEETING_ON,
        actor=STAFF,
        today=TODAY,
        note="visit of the warehouse",
    )

    # Then
    [held] = freshly_opened.collect_events()
    assert isinstance(held, Partnership.MeetingHeld)
    assert held.originator_version == 2
    assert held.occurred_on == stories.SECOND_MEETING_ON
    assert held.note == "visit of the warehouse"
    assert freshly_opened.stage is Stage.MEETING
    assert freshly_opened.milestones[-1].kind == kinds.MEETING
    assert freshly_opened.milestones[-1].version == 2
    assert freshly_opened.last_milestone_on == stories.SECOND_MEETING_ON


def test_proposing_an_idea_moves_the_partnership_to_the_idea_stage(
    freshly_opened: Partnership,
) -> None:
    # When
    idea_id = stories.propose_idea(
        freshly_opened,
        " Improve the traceability software ",
        description="IBM engineers rework the stock module",
    )

    # Then
    [proposed] = freshly_opened.collect_events()
    assert isinstance(proposed, Partnership.IdeaProposed)
    assert isinstance(idea_id, UUID)
    assert proposed.idea_id == idea_id
    assert proposed.title == "Improve the traceability software"
    assert proposed.description == "IBM engineers rework the stock module"
    assert proposed.proposed_category is Category.PATRONAGE
    assert freshly_opened.stage is Stage.IDEA
    assert freshly_opened.ideas[idea_id].details["title"] == "Improve the traceability software"
    assert freshly_opened.stage_reached_on[Stage.IDEA] == stories.IDEA_ON


def test_several_ideas_may_be_proposed(with_idea: Partnership) -> None:
    second = stories.propose_idea(
        with_idea, "Train the volunteers", idea_id=stories.VOLUNTEER_TRAINING_IDEA
    )

    assert second == stories.VOLUNTEER_TRAINING_IDEA
    assert set(with_idea.ideas) == {stories.TRACEABILITY_IDEA, stories.VOLUNTEER_TRAINING_IDEA}
    assert with_idea.chosen_idea_id is None


# ---------------------------------------------------------------------- co-construction


def test_choosing_an_idea_starts_the_co_construction(with_idea: Partnership) -> None:
    # When
    with_idea.start_co_construction(
        idea_id=stories.TRACEABILITY_IDEA,
        occurred_on=stories.CO_CONSTRUCTION_ON,
        actor=STAFF,
        today=TODAY,
    )

    # Then
    [started] = with_idea.collect_events()
    assert isinstance(started, Partnership.CoConstructionStarted)
    assert started.idea_id == stories.TRACEABILITY_IDEA
    assert started.occurred_on == stories.CO_CONSTRUCTION_ON
    assert with_idea.stage is Stage.CO_CONSTRUCTION
    assert with_idea.chosen_idea_id == stories.TRACEABILITY_IDEA


def test_co_construction_progress_is_noted(in_co_construction: Partnership) -> None:
    # When
    in_co_construction.record_progress(
        progress=" first workshop held with the volunteers ",
        occurred_on=date(2013, 6, 10),
        actor=STAFF,
        today=TODAY,
    )

    # Then
    [progressed] = in_co_construction.collect_events()
    assert isinstance(progressed, Partnership.CoConstructionProgressed)
    assert progressed.progress == "first workshop held with the volunteers"
    assert in_co_construction.stage is Stage.CO_CONSTRUCTION
    assert in_co_construction.milestones[-1].kind == kinds.PROGRESS


# ---------------------------------------------------------------------- contract


def test_signing_the_contract_records_its_dates_category_and_commitment(
    in_co_construction: Partnership,
) -> None:
    # When
    stories.sign_contract(in_co_construction)

    # Then
    [signed] = in_co_construction.collect_events()
    assert isinstance(signed, Partnership.ContractSigned)
    assert signed.category is Category.PATRONAGE
    assert signed.sub_kind is SubKind.SKILLS
    assert (signed.starts_on, signed.ends_on) == (stories.STARTS_ON, stories.ENDS_ON)
    assert signed.committed == stories.IBM_COMMITMENT
    assert signed.occurred_on == stories.SIGNED_ON
    assert in_co_construction.stage is Stage.CONTRACT
    assert in_co_construction.contract_milestone is not None
    assert in_co_construction.contract_milestone.kind == kinds.CONTRACT
    assert in_co_construction.contract_ends_on == stories.ENDS_ON
    assert in_co_construction.total_committed == stories.IBM_COMMITMENT


def test_la_poste_signs_a_responsible_practices_contract_lasting_a_single_day() -> None:
    # Given La Poste and the sheltered workshop that repairs its postmen's bikes
    partnership = stories.freshly_opened(stories.sheltered_workshop(), stories.la_poste())
    idea = stories.propose_idea(
        partnership, "Repair the postmen's bikes", category=Category.RESPONSIBLE_PRACTICES
    )
    partnership.start_co_construction(
        idea_id=idea,
        occurred_on=stories.CO_CONSTRUCTION_ON,
        actor=STAFF,
        today=TODAY,
    )

    # When
    stories.sign_contract(
        partnership,
        category=Category.RESPONSIBLE_PRACTICES,
        sub_kind=SubKind.INCLUSION,
        starts_on=stories.SIGNED_ON,
        ends_on=stories.SIGNED_ON,
        committed=CommittedValue(financial_eur=Decimal("18000.00")),
    )

    # Then
    event_names = [type(e).__name__ for e in partnership.collect_events()]
    assert event_names == ["IdeaProposed", "CoConstructionStarted", "ContractSigned"]
    assert partnership.contract_ends_on == stories.SIGNED_ON
    assert partnership.total_committed.financial_eur == Decimal(18000)


# ---------------------------------------------------------------------- evaluation, renewal


def test_an_evaluation_records_the_impact(under_contract: Partnership) -> None:
    # When
    under_contract.record_evaluation(
        occurred_on=stories.EVALUATED_ON,
        actor=STAFF,
        today=TODAY,
        beneficiaries=1200,
        jobs_created=1,
        volunteer_days=Decimal("35.5"),
        skills_days=Decimal(38),
        in_kind_eur=Decimal(2500),
        satisfaction=4,
        findings=" stock traced from donor to family ",
    )

    # Then
    [recorded] = under_contract.collect_events()
    assert isinstance(recorded, Partnership.EvaluationRecorded)
    assert recorded.beneficiaries == 1200
    assert recorded.jobs_created == 1
    assert recorded.volunteer_days == Decimal("35.5")
    assert recorded.skills_days == Decimal(38)
    assert recorded.in_kind_eur == Decimal(2500)
    assert recorded.satisfaction == 4
    assert recorded.findings == "stock traced from donor to family"
    assert under_contract.stage is Stage.EVALUATION
    assert [m.kind for m in under_contract.evaluations] == [kinds.EVALUATION]


def test_an_evaluation_may_leave_satisfaction_unknown(under_contract: Partnership) -> None:
    under_contract.record_evaluation(occurred_on=stories.EVALUATED_ON, actor=STAFF, today=TODAY)

    [recorded] = under_contract.collect_events()
    assert recorded.satisfaction is None
    assert recorded.beneficiaries == 0


def test_impact_may_be_evaluated_more_than_once(evaluated: Partnership) -> None:
    evaluated.record_evaluation(
        occurred_on=date(2015, 10, 1), actor=STAFF, today=TODAY, beneficiaries=1500
    )

    assert len(evaluated.evaluations) == 2
    assert evaluated.stage is Stage.EVALUATION


def test_renewing_extends_the_contract_and_adds_to_the_commitment(
    under_contract: Partnership,
) -> None:
    # When
    under_contract.renew_contract(
        ends_on=stories.RENEWED_UNTIL,
        committed=CommittedValue(skills_days=Decimal(20)),
        occurred_on=stories.RENEWED_ON,
        actor=STAFF,
        today=TODAY,
    )

    # Then
    [renewed] = under_contract.collect_events()
    assert isinstance(renewed, Partnership.ContractRenewed)
    assert renewed.ends_on == stories.RENEWED_UNTIL
    assert renewed.committed == CommittedValue(skills_days=Decimal(20))
    assert under_contract.contract_ends_on == stories.RENEWED_UNTIL
    assert under_contract.total_committed == CommittedValue(
        financial_eur=Decimal(0), in_kind_eur=Decimal(2500), skills_days=Decimal(60)
    )
    assert [m.kind for m in under_contract.renewals] == [kinds.RENEWAL]
    assert under_contract.stage is Stage.CONTRACT


def test_an_evaluated_partnership_can_still_be_renewed(evaluated: Partnership) -> None:
    evaluated.renew_contract(
        ends_on=stories.RENEWED_UNTIL,
        committed=CommittedValue(),
        occurred_on=stories.EVALUATED_ON,
        actor=STAFF,
        today=TODAY,
    )

    assert evaluated.stage is Stage.EVALUATION
    assert evaluated.contract_ends_on == stories.RENEWED_UNTIL


def test_a_meeting_after_the_contract_never_moves_the_stage_back(
    under_contract: Partnership,
) -> None:
    under_contract.record_meeting(occurred_on=date(2014, 1, 8), actor=STAFF, today=TODAY)

    assert under_contract.stage is Stage.CONTRACT


# ---------------------------------------------------------------------- abandonment


def test_abandoning_records_the_reason(with_idea: Partnership) -> None:
    # When
    with_idea.abandon(
        reason=" the board chose an off-the-shelf software ",
        occurred_on=date(2013, 7, 1),
        actor=STAFF,
        today=TODAY,
    )

    # Then
    [abandoned] = with_idea.collect_events()
    assert isinstance(abandoned, Partnership.Abandoned)
    assert abandoned.reason == "the board chose an off-the-shelf software"
    assert with_idea.is_abandoned is True
    assert with_idea.abandonment is not None
    assert with_idea.abandonment.kind == kinds.ABANDONMENT
    assert with_idea.stage is Stage.IDEA


# ---------------------------------------------------------------------- the whole story


def test_the_whole_story_has_one_milestone_per_event_in_version_order(
    evaluated: Partnership,
) -> None:
    assert [m.kind for m in evaluated.milestones] == [
        kinds.OPENING,
        kinds.IDEA,
        kinds.CO_CONSTRUCTION,
        kinds.CONTRACT,
        kinds.EVALUATION,
    ]
    assert [m.version for m in evaluated.milestones] == [1, 2, 3, 4, 5]
    assert evaluated.version == 5
    assert all(m.actor == STAFF for m in evaluated.milestones)
    assert evaluated.stage_reached_on == {
        Stage.MEETING: stories.SPEED_DATING_ON,
        Stage.IDEA: stories.IDEA_ON,
        Stage.CO_CONSTRUCTION: stories.CO_CONSTRUCTION_ON,
        Stage.CONTRACT: stories.SIGNED_ON,
        Stage.EVALUATION: stories.EVALUATED_ON,
    }
    assert evaluated.last_milestone_on == stories.EVALUATED_ON
