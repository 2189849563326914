"""The lifecycle's rules: each refusal has its own error type and stable ``rule`` name, and a
refused command records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import (
    AbandonmentAfterContract,
    CoConstructionAlreadyStarted,
    ContractAlreadySigned,
    ContractEndsBeforeStart,
    DateBeforeOpening,
    DateInFuture,
    DomainError,
    InvalidCategory,
    InvalidValue,
    LifecycleViolation,
    NegativeAmount,
    OrganizationArchived,
    PartnerKindMismatch,
    PartnershipAbandoned,
    RenewalMustExtend,
    RequiredValueMissing,
    SatisfactionOutOfRange,
    StageSkipped,
    UnknownIdea,
)
from domain.partnerships.partnership import Partnership
from domain.values import Category, CommittedValue, Origin, OriginKind, SubKind
from tests.unit import stories
from tests.unit.stories import (
    ENDS_ON,
    EVALUATED_ON,
    OTHER_LAB,
    RENEWED_ON,
    RENEWED_UNTIL,
    SIGNED_ON,
    SPEED_DATING_ON,
    STAFF,
    STARTS_ON,
    TODAY,
    TRACEABILITY_IDEA,
)

Command = Callable[[Partnership], object]

SOME_DAY = date(2014, 1, 15)
TOMORROW = TODAY + timedelta(days=1)
BOGUS_IDEA = UUID("00000000-0000-4000-8000-0000000000ff")


def refuse(
    partnership: Partnership, command: Command, error: type[DomainError], rule: str
) -> DomainError:
    """Run ``command``, expect it refused with ``error`` and ``rule``, and nothing recorded."""
    version = partnership.version
    milestones = list(partnership.milestones)
    with pytest.raises(error) as raised:
        command(partnership)
    assert raised.value.rule == rule
    assert partnership.version == version
    assert partnership.milestones == milestones
    assert partnership.collect_events() == []
    return raised.value


# ------------------------------------------------------------------ commands, as callables


def meeting(on: date = SOME_DAY) -> Command:
    return lambda p: p.record_meeting(occurred_on=on, actor=STAFF, today=TODAY)


def idea(on: date = SOME_DAY) -> Command:
    return lambda p: stories.propose_idea(p, "Theatre tickets in children's menus", on=on)


def co_construction(idea_id: UUID = TRACEABILITY_IDEA, on: date = SOME_DAY) -> Command:
    return lambda p: p.start_co_construction(
        idea_id=idea_id, occurred_on=on, actor=STAFF, today=TODAY
    )


def progress(on: date = SOME_DAY) -> Command:
    return lambda p: p.record_progress(
        progress="second workshop", occurred_on=on, actor=STAFF, today=TODAY
    )


def contract(*, on: date = SIGNED_ON, **terms: Any) -> Command:
    """Sign IBM's contract ``on`` that day (``terms``: what differs from it)."""
    return lambda p: stories.sign_contract(p, signed_on=on, **terms)


def evaluation(on: date = EVALUATED_ON, **impact: object) -> Command:
    return lambda p: p.record_evaluation(
        occurred_on=on,
        actor=STAFF,
        today=TODAY,
        **impact,  # type: ignore[arg-type]
    )


def renewal(ends_on: date = RENEWED_UNTIL, on: date = RENEWED_ON) -> Command:
    return lambda p: p.renew_contract(
        ends_on=ends_on, committed=CommittedValue(), occurred_on=on, actor=STAFF, today=TODAY
    )


def abandonment(on: date = SOME_DAY, reason: str = "the company was taken over") -> Command:
    return lambda p: p.abandon(reason=reason, occurred_on=on, actor=STAFF, today=TODAY)


# ---------------------------------------------------------------------- no skipped stage


def test_co_construction_needs_an_idea_first(freshly_opened: Partnership) -> None:
    refuse(freshly_opened, co_construction(), StageSkipped, "no-skipped-stage")


def test_progress_needs_a_co_construction_first(with_idea: Partnership) -> None:
    refuse(with_idea, progress(), StageSkipped, "no-skipped-stage")


def test_a_contract_needs_a_co_construction_first(with_idea: Partnership) -> None:
    refuse(with_idea, contract(), StageSkipped, "no-skipped-stage")


def test_a_contract_cannot_be_signed_at_the_first_meeting(freshly_opened: Partnership) -> None:
    refuse(freshly_opened, contract(), StageSkipped, "no-skipped-stage")


def test_an_evaluation_needs_a_signed_contract(in_co_construction: Partnership) -> None:
    refuse(in_co_construction, evaluation(), StageSkipped, "no-skipped-stage")


def test_a_renewal_needs_a_signed_contract(in_co_construction: Partnership) -> None:
    refuse(in_co_construction, renewal(), StageSkipped, "no-skipped-stage")


# ---------------------------------------------------------------------- one of each


def test_only_one_idea_is_co_constructed(in_co_construction: Partnership) -> None:
    stories.propose_idea(
        in_co_construction, "Train the volunteers", on=SOME_DAY, idea_id=BOGUS_IDEA
    )
    in_co_construction.collect_events()

    refuse(
        in_co_construction,
        co_construction(BOGUS_IDEA),
        CoConstructionAlreadyStarted,
        "one-co-construction",
    )


def test_co_construction_starts_on_a_proposed_idea_only(with_idea: Partnership) -> None:
    error = refuse(with_idea, co_construction(BOGUS_IDEA), UnknownIdea, "idea-exists")
    assert error.field == "idea_id"


def test_a_second_contract_is_refused_renew_the_first_instead(
    under_contract: Partnership,
) -> None:
    refuse(under_contract, contract(), ContractAlreadySigned, "one-contract-renewals-extend-it")


@pytest.mark.parametrize(
    "ends_on",
    [pytest.param(ENDS_ON, id="same end"), pytest.param(date(2014, 6, 30), id="earlier end")],
)
def test_a_renewal_must_extend_the_contract(under_contract: Partnership, ends_on: date) -> None:
    error = refuse(under_contract, renewal(ends_on), RenewalMustExtend, "renewal-extends-contract")
    assert error.field == "ends_on"


def test_a_second_renewal_must_extend_the_first_one(under_contract: Partnership) -> None:
    renewal()(under_contract)
    under_contract.collect_events()

    refuse(
        under_contract,
        renewal(RENEWED_UNTIL - timedelta(days=1)),
        RenewalMustExtend,
        "renewal-extends-contract",
    )


# ---------------------------------------------------------------------- abandonment


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(meeting(), id="meeting"),
        pytest.param(idea(), id="idea"),
        pytest.param(co_construction(), id="co-construction"),
        pytest.param(progress(), id="progress"),
        pytest.param(contract(), id="contract"),
        pytest.param(evaluation(), id="evaluation"),
        pytest.param(renewal(), id="renewal"),
        pytest.param(abandonment(), id="second abandonment"),
    ],
)
def test_nothing_is_recorded_after_abandonment(abandoned: Partnership, command: Command) -> None:
    refuse(abandoned, command, PartnershipAbandoned, "nothing-after-abandonment")


def test_a_signed_partnership_cannot_be_abandoned(under_contract: Partnership) -> None:
    refuse(under_contract, abandonment(), AbandonmentAfterContract, "abandonment-before-contract")


def test_an_abandonment_needs_a_reason(with_idea: Partnership) -> None:
    error = refuse(with_idea, abandonment(reason="  "), RequiredValueMissing, "value-required")
    assert error.field == "reason"


# ---------------------------------------------------------------------- dates


BEFORE_OPENING = SPEED_DATING_ON - timedelta(days=1)


def dated(day: date, co_construction_id: str = "co-construction") -> list[Any]:
    """Each milestone dated ``day``, on the stage that allows it, with the field naming the date."""
    return [
        pytest.param("freshly_opened", meeting(day), "occurred_on", id="meeting"),
        pytest.param("freshly_opened", idea(day), "occurred_on", id="idea"),
        pytest.param("with_idea", co_construction(on=day), "occurred_on", id=co_construction_id),
        pytest.param("in_co_construction", progress(day), "occurred_on", id="progress"),
        pytest.param("in_co_construction", contract(on=day), "signed_on", id="contract"),
        pytest.param("under_contract", evaluation(day), "occurred_on", id="evaluation"),
        pytest.param("under_contract", renewal(on=day), "occurred_on", id="renewal"),
        pytest.param("with_idea", abandonment(day), "occurred_on", id="abandonment"),
    ]


@pytest.mark.parametrize(("stage", "command", "field"), dated(BEFORE_OPENING))
def test_no_milestone_is_dated_before_the_opening_meeting(
    stage: str, command: Command, field: str, request: pytest.FixtureRequest
) -> None:
    partnership: Partnership = request.getfixturevalue(stage)

    error = refuse(partnership, command, DateBeforeOpening, "date-not-before-opening")
    assert error.field == field


@pytest.mark.parametrize(
    ("stage", "command", "field"), dated(TOMORROW, co_construction_id="co-constr.")
)
def test_no_milestone_is_dated_in_the_future(
    stage: str, command: Command, field: str, request: pytest.FixtureRequest
) -> None:
    partnership: Partnership = request.getfixturevalue(stage)

    error = refuse(partnership, command, DateInFuture, "date-not-in-future")
    assert error.field == field


def test_a_partnership_cannot_be_opened_tomorrow() -> None:
    with pytest.raises(DateInFuture) as error:
        stories.freshly_opened(occurred_on=TOMORROW)
    assert error.value.rule == "date-not-in-future"


def test_a_milestone_may_be_dated_today_or_on_the_opening_day(
    freshly_opened: Partnership,
) -> None:
    meeting(SPEED_DATING_ON)(freshly_opened)
    meeting(TODAY)(freshly_opened)

    assert len(freshly_opened.collect_events()) == 2


def test_a_contract_cannot_end_before_it_starts(in_co_construction: Partnership) -> None:
    command = contract(starts_on=STARTS_ON, ends_on=STARTS_ON - timedelta(days=1))

    error = refuse(
        in_co_construction, command, ContractEndsBeforeStart, "contract-end-not-before-start"
    )
    assert error.field == "ends_on"


def test_a_contract_may_start_before_it_is_signed_when_records_are_loaded_late(
    in_co_construction: Partnership,
) -> None:
    contract(on=SIGNED_ON, starts_on=date(2013, 1, 1), ends_on=ENDS_ON)(in_co_construction)

    assert in_co_construction.contract_ends_on == ENDS_ON


# ---------------------------------------------------------------------- amounts, categories


@pytest.mark.parametrize("field", ["financial_eur", "in_kind_eur", "skills_days"])
def test_a_committed_value_is_never_negative(field: str) -> None:
    with pytest.raises(NegativeAmount) as error:
        CommittedValue(**{field: Decimal("-0.01")})

    assert error.value.rule == "amount-not-negative"
    assert error.value.field == field


@pytest.mark.parametrize(
    ("field", "amount"),
    [
        ("beneficiaries", -1),
        ("jobs_created", -2),
        ("volunteer_days", Decimal("-0.5")),
        ("skills_days", Decimal(-1)),
        ("in_kind_eur", Decimal(-100)),
    ],
)
def test_evaluation_counts_are_never_negative(
    under_contract: Partnership, field: str, amount: object
) -> None:
    error = refuse(
        under_contract, evaluation(**{field: amount}), NegativeAmount, "amount-not-negative"
    )
    assert error.field == field


@pytest.mark.parametrize(
    ("category", "sub_kind"),
    [
        (Category.PATRONAGE, SubKind.INCLUSION),
        (Category.RESPONSIBLE_PRACTICES, SubKind.SKILLS),
        (Category.ECONOMIC_COOPERATION, SubKind.NEW_PRODUCT),
        (Category.SOCIAL_INNOVATION, SubKind.CIRCULAR_ECONOMY),
    ],
)
def test_the_sub_kind_must_belong_to_the_category(
    in_co_construction: Partnership, category: Category, sub_kind: SubKind
) -> None:
    command = contract(category=category, sub_kind=sub_kind)

    error = refuse(in_co_construction, command, InvalidCategory, "category-valid")
    assert error.field == "sub_kind"


@pytest.mark.parametrize("satisfaction", [0, 6, -1, 10])
def test_satisfaction_is_between_1_and_5(under_contract: Partnership, satisfaction: int) -> None:
    error = refuse(
        under_contract,
        evaluation(satisfaction=satisfaction),
        SatisfactionOutOfRange,
        "satisfaction-between-1-and-5",
    )
    assert error.field == "satisfaction"


@pytest.mark.parametrize("satisfaction", [1, 5])
def test_satisfaction_bounds_are_accepted(under_contract: Partnership, satisfaction: int) -> None:
    evaluation(satisfaction=satisfaction)(under_contract)

    assert under_contract.evaluations[-1].details["satisfaction"] == satisfaction


def test_an_idea_needs_a_title(freshly_opened: Partnership) -> None:
    def untitled(p: Partnership) -> object:
        return stories.propose_idea(p, "", on=SOME_DAY)

    error = refuse(freshly_opened, untitled, RequiredValueMissing, "value-required")
    assert error.field == "title"


# ---------------------------------------------------------------------- partners


def open_between(association: object, company: object) -> Partnership:
    return Partnership.open(
        association=association,  # type: ignore[arg-type]
        company=company,  # type: ignore[arg-type]
        origin=Origin(OriginKind.SPEED_DATING),
        occurred_on=SPEED_DATING_ON,
        actor=STAFF,
        today=TODAY,
    )


def test_two_associations_cannot_be_partners() -> None:
    with pytest.raises(PartnerKindMismatch) as error:
        open_between(stories.food_bank(), stories.parents_association())

    assert error.value.rule == "partners-are-one-association-and-one-company"
    assert error.value.field == "company_id"


def test_a_company_cannot_stand_as_the_association() -> None:
    with pytest.raises(PartnerKindMismatch) as error:
        open_between(stories.sati(), stories.ibm())

    assert error.value.field == "association_id"


def test_partners_of_different_labs_cannot_meet_in_one_partnership() -> None:
    with pytest.raises(PartnerKindMismatch):
        open_between(stories.food_bank(), stories.ibm(lab=OTHER_LAB))


@pytest.mark.parametrize(
    ("association_archived", "company_archived", "field"),
    [(True, False, "association_id"), (False, True, "company_id")],
)
def test_an_archived_organisation_enters_no_new_partnership(
    association_archived: bool, company_archived: bool, field: str
) -> None:
    with pytest.raises(OrganizationArchived) as error:
        open_between(
            stories.food_bank(archived=association_archived),
            stories.ibm(archived=company_archived),
        )

    assert error.value.rule == "organization-not-archived"
    assert error.value.field == field


# ---------------------------------------------------------------------- error families


@pytest.mark.parametrize(
    ("error", "family"),
    [
        (DateInFuture, InvalidValue),
        (DateBeforeOpening, InvalidValue),
        (ContractEndsBeforeStart, InvalidValue),
        (NegativeAmount, InvalidValue),
        (InvalidCategory, InvalidValue),
        (SatisfactionOutOfRange, InvalidValue),
        (RenewalMustExtend, InvalidValue),
        (RequiredValueMissing, InvalidValue),
        (StageSkipped, LifecycleViolation),
        (PartnershipAbandoned, LifecycleViolation),
        (AbandonmentAfterContract, LifecycleViolation),
        (ContractAlreadySigned, LifecycleViolation),
        (CoConstructionAlreadyStarted, LifecycleViolation),
        (UnknownIdea, LifecycleViolation),
        (PartnerKindMismatch, LifecycleViolation),
        (OrganizationArchived, LifecycleViolation),
    ],
)
def test_bad_input_and_illegal_moves_are_told_apart(
    error: type[DomainError], family: type[DomainError]
) -> None:
    assert issubclass(error, family)


def test_every_rule_name_is_unique() -> None:
    def subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    rules = [cls.rule for cls in subclasses(DomainError)]
    assert len(rules) == len(set(rules))
