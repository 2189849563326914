"""Corrections: mistakes are fixed by a new event that says what changed, from what, and why."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import (
    ContractEndsBeforeStart,
    DateBeforeOpening,
    DateInFuture,
    DomainError,
    FieldNotCorrectable,
    InvalidCategory,
    InvalidValue,
    NegativeAmount,
    NothingToCorrect,
    RequiredValueMissing,
    SatisfactionOutOfRange,
    UnknownMilestone,
)
from domain.partnerships.milestones import CONTRACT, IDEA, OPENING
from domain.partnerships.partnership import Partnership
from domain.values import Category, CommittedValue, Correction, Stage, SubKind
from tests.unit.stories import (
    ABANDONED_ON,
    ENDS_ON,
    IDEA_ON,
    SIGNED_ON,
    SPEED_DATING_ON,
    STAFF,
    STARTS_ON,
    TODAY,
)

AUDITOR = "hugo.auditor"

# Versions of the IBM / food bank story's milestones.
OPENING_V, IDEA_V, CO_CONSTRUCTION_V, CONTRACT_V, EVALUATION_V = 1, 2, 3, 4, 5


def correct(
    partnership: Partnership,
    target_version: int,
    reason: str = "typo in the paper file",
    **changes: Any,
) -> None:
    by_the_auditor(partnership, target_version, changes, reason)


def by_the_auditor(
    partnership: Partnership, target_version: int, changes: dict[str, Any], reason: str
) -> None:
    fix = {"target_version": target_version, "changes": changes, "reason": reason}
    partnership.correct(**fix, actor=AUDITOR, today=TODAY)


def refuse(
    partnership: Partnership,
    target_version: int,
    changes: dict[str, Any],
    error: type[DomainError],
    reason: str = "typo",
) -> DomainError:
    version = partnership.version
    milestones = list(partnership.milestones)
    with pytest.raises(error) as raised:
        by_the_auditor(partnership, target_version, changes, reason)
    assert partnership.version == version
    assert partnership.milestones == milestones
    assert partnership.corrections == []
    assert partnership.collect_events() == []
    return raised.value


# ---------------------------------------------------------------------- what is recorded


def test_a_correction_records_the_new_and_the_previous_values_and_why(
    under_contract: Partnership,
) -> None:
    # When the auditor finds the contract was signed a week later than entered
    correct(
        under_contract,
        CONTRACT_V,
        reason="the signed copy is dated 8 September",
        occurred_on=date(2013, 9, 8),
        note="signed at the food bank's warehouse",
    )

    # Then
    [corrected] = under_contract.collect_events()
    assert isinstance(corrected, Partnership.MilestoneCorrected)
    assert corrected.target_version == CONTRACT_V
    assert corrected.changes == {
        "occurred_on": date(2013, 9, 8),
        "note": "signed at the food bank's warehouse",
    }
    assert corrected.previous == {"occurred_on": SIGNED_ON, "note": None}
    assert corrected.reason == "the signed copy is dated 8 September"
    assert corrected.actor == AUDITOR
    assert corrected.occurred_on == TODAY
    assert under_contract.corrections == [
        Correction(
            version=5,
            target_version=CONTRACT_V,
            previous={"occurred_on": SIGNED_ON, "note": None},
            changes={
                "occurred_on": date(2013, 9, 8),
                "note": "signed at the food bank's warehouse",
            },
            reason="the signed copy is dated 8 September",
            occurred_on=TODAY,
            actor=AUDITOR,
        )
    ]


def test_the_corrected_milestone_keeps_its_version_and_kind(under_contract: Partnership) -> None:
    correct(under_contract, CONTRACT_V, occurred_on=date(2013, 9, 8))

    contract = under_contract.milestone(CONTRACT_V)
    assert contract is not None
    assert contract.kind == CONTRACT
    assert contract.occurred_on == date(2013, 9, 8)
    assert contract.actor == STAFF
    assert under_contract.version == 5
    assert under_contract.stage_reached_on[Stage.CONTRACT] == date(2013, 9, 8)


def test_only_the_fields_that_change_are_recorded(under_contract: Partnership) -> None:
    correct(under_contract, CONTRACT_V, sub_kind=SubKind.SKILLS, ends_on=date(2014, 12, 31))

    [corrected] = under_contract.collect_events()
    assert corrected.changes == {"ends_on": date(2014, 12, 31)}
    assert corrected.previous == {"ends_on": ENDS_ON}
    assert under_contract.contract_ends_on == date(2014, 12, 31)


def test_plain_values_from_outside_are_read_as_the_field_s_type(
    under_contract: Partnership,
) -> None:
    correct(
        under_contract,
        CONTRACT_V,
        category="economic_cooperation",
        sub_kind="circular_economy",
        starts_on="2013-09-15",
        financial_eur="1500.50",
    )

    contract = under_contract.contract_milestone
    assert contract is not None
    assert contract.details["category"] is Category.ECONOMIC_COOPERATION
    assert contract.details["sub_kind"] is SubKind.CIRCULAR_ECONOMY
    assert contract.details["starts_on"] == date(2013, 9, 15)
    assert contract.details["financial_eur"] == Decimal("1500.50")


def test_correcting_the_contract_s_skills_days_changes_the_total_committed(
    under_contract: Partnership,
) -> None:
    # Given IBM committed 40 skills days, then a renewal added 20
    under_contract.renew_contract(
        ends_on=date(2015, 9, 30),
        committed=CommittedValue(skills_days=Decimal(20)),
        occurred_on=date(2014, 9, 1),
        actor=STAFF,
        today=TODAY,
    )

    # When the contract really said 45 days
    correct(under_contract, CONTRACT_V, skills_days=45)

    # Then
    assert under_contract.total_committed == CommittedValue(
        financial_eur=Decimal(0), in_kind_eur=Decimal(2500), skills_days=Decimal(65)
    )


def test_an_idea_s_title_and_category_can_be_corrected(with_idea: Partnership) -> None:
    correct(with_idea, IDEA_V, title="Rebuild the stock module", proposed_category="patronage")

    [corrected] = with_idea.collect_events()
    assert corrected.changes == {"title": "Rebuild the stock module"}
    idea = with_idea.milestone(IDEA_V)
    assert idea is not None
    assert idea.kind == IDEA
    assert idea.details["title"] == "Rebuild the stock module"


def test_the_opening_can_be_moved_earlier(under_contract: Partnership) -> None:
    correct(under_contract, OPENING_V, occurred_on=date(2012, 11, 20))

    assert under_contract.opened_on == date(2012, 11, 20)
    assert under_contract.milestones[0].kind == OPENING


def test_an_evaluation_s_impact_can_be_corrected(evaluated: Partnership) -> None:
    correct(evaluated, EVALUATION_V, beneficiaries=1350, satisfaction=None, findings="  ")

    evaluation = evaluated.evaluations[0]
    assert evaluation.details["beneficiaries"] == 1350
    assert evaluation.details["satisfaction"] is None
    assert evaluation.details["findings"] is None


def test_corrections_are_allowed_after_abandonment(abandoned: Partnership) -> None:
    # When the real reason is found in the minutes of the board
    abandoned.correct(
        target_version=abandoned.version,
        changes={"reason": "no volunteer could maintain the software", "occurred_on": IDEA_ON},
        reason="minutes of the board, July 2013",
        actor=AUDITOR,
        today=TODAY,
    )

    # Then
    assert abandoned.is_abandoned
    assert abandoned.abandonment is not None
    assert abandoned.abandonment.details["reason"] == "no volunteer could maintain the software"
    assert abandoned.abandonment.occurred_on == IDEA_ON
    assert abandoned.corrections[0].previous == {
        "reason": "the board chose an off-the-shelf software",
        "occurred_on": ABANDONED_ON,
    }


def test_successive_corrections_of_one_milestone_each_keep_their_previous_value(
    under_contract: Partnership,
) -> None:
    correct(under_contract, CONTRACT_V, skills_days=45)
    correct(under_contract, CONTRACT_V, skills_days=50)

    assert [c.previous for c in under_contract.corrections] == [
        {"skills_days": Decimal(40)},
        {"skills_days": Decimal(45)},
    ]
    assert [c.version for c in under_contract.corrections] == [5, 6]


# ---------------------------------------------------------------------- what is refused


def test_a_correction_needs_a_reason(under_contract: Partnership) -> None:
    error = refuse(
        under_contract, CONTRACT_V, {"skills_days": 45}, RequiredValueMissing, reason=" "
    )
    assert error.rule == "value-required"
    assert error.field == "reason"


@pytest.mark.parametrize("target_version", [0, 5, 99, -1])
def test_only_a_recorded_milestone_can_be_corrected(
    under_contract: Partnership, target_version: int
) -> None:
    error = refuse(under_contract, target_version, {"note": "x"}, UnknownMilestone)
    assert error.rule == "corrected-milestone-exists"
    assert error.field == "target_version"


def test_a_correction_cannot_target_another_correction(under_contract: Partnership) -> None:
    correct(under_contract, CONTRACT_V, skills_days=45)
    under_contract.collect_events()

    with pytest.raises(UnknownMilestone):
        correct(under_contract, 5, note="x")


@pytest.mark.parametrize(
    ("target_version", "field"),
    [
        (CO_CONSTRUCTION_V, "idea_id"),
        (OPENING_V, "title"),
        (CONTRACT_V, "actor"),
        (CONTRACT_V, "satisfaction"),
        (IDEA_V, "idea_id"),
    ],
)
def test_a_field_that_is_not_correctable_is_refused(
    under_contract: Partnership, target_version: int, field: str
) -> None:
    error = refuse(under_contract, target_version, {field: "anything"}, FieldNotCorrectable)
    assert error.rule == "field-correctable"
    assert error.field == f"changes.{field}"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="no field"),
        pytest.param({"occurred_on": SIGNED_ON}, id="same date"),
        pytest.param({"skills_days": "40.00"}, id="same amount written differently"),
        pytest.param({"category": "patronage", "note": "  "}, id="same category, blank note"),
    ],
)
def test_a_correction_that_changes_nothing_is_refused(
    under_contract: Partnership, changes: dict[str, Any]
) -> None:
    error = refuse(under_contract, CONTRACT_V, changes, NothingToCorrect)
    assert error.rule == "correction-changes-something"


def test_a_correction_cannot_put_a_milestone_before_the_opening(
    under_contract: Partnership,
) -> None:
    changes = {"occurred_on": SPEED_DATING_ON - timedelta(days=1)}

    error = refuse(under_contract, CONTRACT_V, changes, DateBeforeOpening)
    assert error.rule == "date-not-before-opening"


def test_the_opening_cannot_be_moved_after_a_later_milestone(
    under_contract: Partnership,
) -> None:
    refuse(
        under_contract, OPENING_V, {"occurred_on": IDEA_ON + timedelta(days=1)}, DateBeforeOpening
    )


def test_a_correction_cannot_date_a_milestone_in_the_future(under_contract: Partnership) -> None:
    error = refuse(
        under_contract, CONTRACT_V, {"occurred_on": TODAY + timedelta(days=1)}, DateInFuture
    )
    assert error.rule == "date-not-in-future"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"ends_on": STARTS_ON - timedelta(days=1)}, id="end moved before start"),
        pytest.param({"starts_on": ENDS_ON + timedelta(days=1)}, id="start moved after end"),
    ],
)
def test_a_correction_cannot_end_a_contract_before_its_start(
    under_contract: Partnership, changes: dict[str, Any]
) -> None:
    error = refuse(under_contract, CONTRACT_V, changes, ContractEndsBeforeStart)
    assert error.rule == "contract-end-not-before-start"


def test_a_correction_keeps_the_sub_kind_within_the_category(
    under_contract: Partnership,
) -> None:
    refuse(under_contract, CONTRACT_V, {"category": "social_innovation"}, InvalidCategory)


@pytest.mark.parametrize(
    ("target_version", "changes"),
    [
        (CONTRACT_V, {"skills_days": -1}),
        (CONTRACT_V, {"financial_eur": "-0.01"}),
        (EVALUATION_V, {"beneficiaries": -3}),
        (EVALUATION_V, {"volunteer_days": "-2"}),
    ],
)
def test_a_correction_cannot_make_an_amount_negative(
    evaluated: Partnership, target_version: int, changes: dict[str, Any]
) -> None:
    error = refuse(evaluated, target_version, changes, NegativeAmount)
    assert error.rule == "amount-not-negative"


def test_a_correction_keeps_satisfaction_between_1_and_5(evaluated: Partnership) -> None:
    refuse(evaluated, EVALUATION_V, {"satisfaction": 7}, SatisfactionOutOfRange)


@pytest.mark.parametrize(
    ("target_version", "changes", "field"),
    [
        (CONTRACT_V, {"occurred_on": "soon"}, "changes.occurred_on"),
        (CONTRACT_V, {"skills_days": "forty"}, "changes.skills_days"),
        (CONTRACT_V, {"skills_days": "NaN"}, "changes.skills_days"),
        (CONTRACT_V, {"category": "charity"}, "changes.category"),
        (EVALUATION_V, {"beneficiaries": 12.5}, "changes.beneficiaries"),
        (EVALUATION_V, {"jobs_created": True}, "changes.jobs_created"),
        (EVALUATION_V, {"beneficiaries": Decimal("12.7")}, "changes.beneficiaries"),
        (EVALUATION_V, {"beneficiaries": Decimal("Infinity")}, "changes.beneficiaries"),
        (EVALUATION_V, {"satisfaction": Decimal("4.5")}, "changes.satisfaction"),
        (CONTRACT_V, {"occurred_on": datetime(2013, 9, 8, 10, 30)}, "changes.occurred_on"),
        (IDEA_V, {"title": "   "}, "changes.title"),
    ],
)
def test_a_value_that_cannot_be_read_is_refused_naming_its_field(
    evaluated: Partnership, target_version: int, changes: dict[str, Any], field: str
) -> None:
    error = refuse(evaluated, target_version, changes, InvalidValue)
    assert error.field == field


def test_a_whole_decimal_count_is_read_as_a_count(evaluated: Partnership) -> None:
    correct(evaluated, EVALUATION_V, beneficiaries=Decimal(1300))

    assert evaluated.evaluations[0].details["beneficiaries"] == 1300


def test_a_date_and_time_never_replaces_a_renewal_s_end_date(under_contract: Partnership) -> None:
    # Given a renewal (version 5)
    under_contract.renew_contract(
        ends_on=date(2015, 9, 30),
        committed=CommittedValue(),
        occurred_on=date(2014, 9, 1),
        actor=STAFF,
        today=TODAY,
    )
    under_contract.collect_events()

    # When / Then: refused, so the partnership's end date can still be worked out
    error = refuse_after_renewal(under_contract, {"ends_on": datetime(2016, 1, 1, 9, 0)})
    assert error.field == "changes.ends_on"
    assert under_contract.contract_ends_on == date(2015, 9, 30)


def refuse_after_renewal(partnership: Partnership, changes: dict[str, Any]) -> DomainError:
    version = partnership.version
    with pytest.raises(InvalidValue) as raised:
        partnership.correct(
            target_version=version, changes=changes, reason="typo", actor=AUDITOR, today=TODAY
        )
    assert partnership.version == version
    assert partnership.collect_events() == []
    return raised.value
