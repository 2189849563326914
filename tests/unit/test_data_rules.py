"""Rules found missing (issue 14): milestone dates never run backwards, corrections included;
a training fee is not overpaid unless the extra is a donation. Replay never re-checks."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activities.errors import Overpayment
from domain.activities.training import TrainingSession
from domain.errors import MilestoneBeforePredecessor
from domain.partnerships.milestones import CO_CONSTRUCTION, CONTRACT, EVALUATION, IDEA
from domain.partnerships.partnership import Partnership, date_order_breaks
from domain.values import CommittedValue, OrganizationKind
from tests.unit import stories
from tests.unit.activity_stories import LAB, STAFF, TODAY, organization, payment
from tests.unit.stories import (
    CO_CONSTRUCTION_ON,
    ENDS_ON,
    IDEA_ON,
    SIGNED_ON,
    TRACEABILITY_IDEA,
)


def sign(p: Partnership, signed_on: date) -> None:
    stories.sign_contract(p, signed_on=signed_on)


def test_co_construction_cannot_precede_the_chosen_idea() -> None:
    p = stories.with_idea()
    with pytest.raises(MilestoneBeforePredecessor) as refused:
        p.start_co_construction(
            idea_id=TRACEABILITY_IDEA,
            occurred_on=IDEA_ON - timedelta(days=1),
            actor=STAFF,
            today=TODAY,
        )
    assert refused.value.rule == "milestone-not-before-predecessor"
    assert refused.value.field == "occurred_on"
    assert p.collect_events() == []
    p.start_co_construction(
        idea_id=TRACEABILITY_IDEA, occurred_on=IDEA_ON, actor=STAFF, today=TODAY
    )


def test_contract_cannot_precede_co_construction_nor_evaluation_or_renewal_the_signature() -> None:
    p = stories.in_co_construction()
    with pytest.raises(MilestoneBeforePredecessor) as refused:
        sign(p, CO_CONSTRUCTION_ON - timedelta(days=1))
    assert refused.value.field == "signed_on"
    sign(p, SIGNED_ON)
    p.collect_events()
    with pytest.raises(MilestoneBeforePredecessor):
        p.record_evaluation(occurred_on=SIGNED_ON - timedelta(days=1), actor=STAFF, today=TODAY)
    with pytest.raises(MilestoneBeforePredecessor):
        p.renew_contract(
            ends_on=ENDS_ON + timedelta(days=365),
            committed=CommittedValue(Decimal(1), Decimal(0), Decimal(0)),
            occurred_on=SIGNED_ON - timedelta(days=1),
            actor=STAFF,
            today=TODAY,
        )
    assert p.collect_events() == []


def test_a_correction_is_checked_with_the_corrected_value_in_place() -> None:
    p = stories.under_contract()
    idea = next(m for m in p.milestones if m.kind == IDEA)
    contract = next(m for m in p.milestones if m.kind == CONTRACT)
    # the idea moved after its co-construction: refused
    with pytest.raises(MilestoneBeforePredecessor) as refused:
        p.correct(
            target_version=idea.version,
            changes={"occurred_on": CO_CONSTRUCTION_ON + timedelta(days=1)},
            reason="typo",
            actor=STAFF,
            today=TODAY,
        )
    assert refused.value.field == "changes.occurred_on"
    # the contract moved before its co-construction: refused (by its alias too)
    with pytest.raises(MilestoneBeforePredecessor):
        p.correct(
            target_version=contract.version,
            changes={"signed_on": CO_CONSTRUCTION_ON - timedelta(days=1)},
            reason="typo",
            actor=STAFF,
            today=TODAY,
        )
    assert p.collect_events() == []
    p.correct(
        target_version=contract.version,
        changes={"signed_on": CO_CONSTRUCTION_ON},
        reason="signed the day co-construction started",
        actor=STAFF,
        today=TODAY,
    )
    assert len(p.collect_events()) == 1


def test_histories_recorded_before_the_rule_replay_without_checks() -> None:
    """Events recorded out of order (before the rule) still load; ``date_order_breaks`` finds
    them for ``partnerlab check``."""
    p = stories.with_idea()
    replayed = copy.deepcopy(p)
    # bypass the public command as an old history would have it
    p._start_co_construction(
        idea_id=TRACEABILITY_IDEA, occurred_on=IDEA_ON - timedelta(days=5), actor=STAFF, note=None
    )
    events = p.collect_events()
    assert len(events) == 1
    events[0].mutate(replayed)
    breaks = date_order_breaks(replayed.milestones)
    assert [(m.kind, before.kind) for m, before in breaks] == [(CO_CONSTRUCTION, IDEA)]


@given(
    gaps=st.lists(st.integers(min_value=-400, max_value=400), min_size=3, max_size=3),
)
def test_a_chain_of_milestones_is_recorded_only_when_its_dates_never_go_back(
    gaps: list[int],
) -> None:
    """Idea -> co-construction -> contract -> evaluation with random day gaps: each step is
    accepted exactly when it is not before the step it follows."""
    p = stories.with_idea()
    day = IDEA_ON
    steps = [
        lambda d: p.start_co_construction(
            idea_id=TRACEABILITY_IDEA, occurred_on=d, actor=STAFF, today=TODAY
        ),
        lambda d: sign(p, d),
        lambda d: p.record_evaluation(occurred_on=d, actor=STAFF, today=TODAY),
    ]
    for gap, step in zip(gaps, steps, strict=True):
        when = day + timedelta(days=gap)
        if when < p.opened_on:
            return  # another rule (date-not-before-opening) answers
        if gap < 0:
            with pytest.raises(MilestoneBeforePredecessor):
                step(when)
            return
        step(when)
        day = when
    assert date_order_breaks(p.milestones) == []
    assert p.milestones[-1].kind == EVALUATION


# -- training fees ---------------------------------------------------------------------------------


def test_a_payment_above_the_fee_is_refused_unless_it_is_a_donation() -> None:
    course = TrainingSession.plan(
        lab=LAB, title="Build a partnership", held_on=date(2014, 10, 7), actor=STAFF
    )
    company = organization("La Poste", OrganizationKind.COMPANY)
    course.enrol(company, people=1, fee_eur=Decimal(150), actor=STAFF)
    course.collect_events()

    with pytest.raises(Overpayment) as refused:
        payment(course, company, Decimal(1000))
    assert refused.value.rule == "payment-not-above-fee"
    assert refused.value.field == "amount_eur"
    assert course.collect_events() == []

    payment(course, company, Decimal(100))
    assert course.unpaid_eur(company.id) == Decimal(50)
    with pytest.raises(Overpayment):  # the total counts, not just this payment
        payment(course, company, Decimal(51))
    payment(course, company, Decimal(1000), date(2014, 10, 2), donation=True)
    paid = course.collect_events()
    assert [e.donation for e in paid] == [False, True]
    assert course.unpaid_eur(company.id) == Decimal(0)
