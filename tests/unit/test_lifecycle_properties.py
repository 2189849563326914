"""Random command sequences against one partnership: whatever staff type, the record stays sound.

Every command may be refused (a ``DomainError``); a refused command must leave the aggregate
exactly as it was. Between steps the invariants below must hold, and replaying every event
recorded so far must rebuild the very same partnership.
"""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from application.lab import PartnerLab
from application.partnerships.presenters import partnership_view
from domain.errors import DomainError
from domain.partnerships import milestones as kind_of
from domain.partnerships.corrections import CORRECTABLE
from domain.partnerships.partnership import Partnership, date_order_breaks
from domain.values import (
    SUB_KINDS,
    Category,
    CommittedValue,
    Origin,
    OriginKind,
    Stage,
    SubKind,
)
from tests.unit import stories

TODAY = stories.TODAY
STAFF = stories.STAFF


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Draw from ``good`` seven times out of eight, so that runs get deep into the lifecycle."""
    return st.integers(min_value=0, max_value=7).flatmap(lambda i: bad if i == 7 else good)


# Openings happen before 2021, so a date after that is always plausible; sometimes staff type
# a date before the opening or in the future.
opening_day = st.dates(min_value=date(2008, 1, 1), max_value=date(2020, 12, 31))
any_day = st.dates(min_value=date(2007, 6, 1), max_value=date(2027, 6, 30))
plausible_day = st.dates(min_value=date(2021, 1, 1), max_value=TODAY)
day = mostly(plausible_day, any_day)
amount = mostly(
    st.decimals(min_value=Decimal(0), max_value=Decimal(100_000), places=2),
    st.decimals(min_value=Decimal(-50), max_value=Decimal(100_000), places=2),
)
count = mostly(st.integers(min_value=0, max_value=5_000), st.integers(min_value=-3, max_value=5))
satisfaction_score = mostly(
    st.none() | st.integers(min_value=1, max_value=5), st.integers(min_value=-1, max_value=7)
)
note = st.none() | st.text(max_size=12)
some_text = mostly(
    st.sampled_from(["workshop held", "Sati's bags", "jeux adaptés"]), st.text(max_size=8)
)
idea_pick = mostly(st.integers(min_value=0, max_value=2), st.uuids())
category_and_sub_kind = st.sampled_from(Category).flatmap(
    lambda c: st.tuples(
        st.just(c), mostly(st.sampled_from(sorted(SUB_KINDS[c], key=str)), st.sampled_from(SubKind))
    )
)
contract_days = st.integers(min_value=-400, max_value=1_500)  # about one in five negative

EVALUATION_COUNTS = (
    "beneficiaries",
    "jobs_created",
    "volunteer_days",
    "skills_days",
    "in_kind_eur",
)
ALL_FIELDS = sorted({name for fields in CORRECTABLE.values() for name in fields} | {"idea_id"})


def field_value(field: str) -> st.SearchStrategy[Any]:
    """Values for a corrected field: of the right type, or text as an API would send it."""
    typed: dict[str, st.SearchStrategy[Any]] = {
        "occurred_on": day,
        "starts_on": day,
        "ends_on": day,
        "category": st.sampled_from(Category),
        "proposed_category": st.sampled_from(Category),
        "sub_kind": st.sampled_from(SubKind),
        "financial_eur": amount,
        "in_kind_eur": amount,
        "skills_days": amount,
        "volunteer_days": amount,
        "beneficiaries": count,
        "jobs_created": count,
        "satisfaction": satisfaction_score,
    }
    return mostly(typed.get(field, some_text), some_text | any_day.map(date.isoformat))


# Values of the wrong Python type, as a script or an importer might pass them.
odd_value = (
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats()
    | st.datetimes(min_value=datetime(2007, 1, 1), max_value=datetime(2027, 12, 31))
    | st.booleans()
    | st.integers()
    | st.sampled_from(SubKind)
)


COMMON_FIELDS = ["note", "occurred_on", "skills_days", "ends_on", "title", "beneficiaries"]
change = mostly(st.sampled_from(COMMON_FIELDS), st.sampled_from(ALL_FIELDS)).flatmap(
    lambda field: st.tuples(st.just(field), field_value(field))
)
changes = mostly(st.lists(change, min_size=1, max_size=2), st.lists(change, max_size=3)).map(dict)


# The stage each kind of milestone marks, written out here as the specification.
STAGE_MARKED_BY = {
    kind_of.OPENING: Stage.MEETING,
    kind_of.MEETING: Stage.MEETING,
    kind_of.IDEA: Stage.IDEA,
    kind_of.CO_CONSTRUCTION: Stage.CO_CONSTRUCTION,
    kind_of.PROGRESS: Stage.CO_CONSTRUCTION,
    kind_of.CONTRACT: Stage.CONTRACT,
    kind_of.RENEWAL: Stage.CONTRACT,
    kind_of.EVALUATION: Stage.EVALUATION,
}
STAGE_ORDER = [Stage.MEETING, Stage.IDEA, Stage.CO_CONSTRUCTION, Stage.CONTRACT, Stage.EVALUATION]


def rank(stage: Stage) -> int:
    return STAGE_ORDER.index(stage)


def state_of(partnership: Partnership) -> dict[str, Any]:
    """Everything the aggregate holds, except the events waiting to be collected."""
    return copy.deepcopy({k: v for k, v in vars(partnership).items() if k != "_pending_events"})


class PartnershipLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.partnership: Partnership
        self.events: list[Any] = []
        self.highest_rank = 0

    # ------------------------------------------------------------------ helpers

    def attempt(self, command: Any, *, is_correction: bool = False) -> None:
        partnership = self.partnership
        before = state_of(partnership)
        was_abandoned = partnership.is_abandoned
        try:
            command()
        except DomainError:
            assert state_of(partnership) == before, "a refused command changed the partnership"
            assert partnership.collect_events() == [], "a refused command recorded an event"
            return
        new_events = partnership.collect_events()
        assert len(new_events) == 1
        assert not (was_abandoned and not is_correction), "recorded after abandonment"
        self.events.extend(new_events)

    def idea_id(self, pick: int | UUID) -> UUID:
        ideas = list(self.partnership.ideas)
        if isinstance(pick, int) and pick < len(ideas):
            return ideas[pick]
        return pick if isinstance(pick, UUID) else UUID(int=pick)

    # ------------------------------------------------------------------ opening

    @initialize(
        opened_on=opening_day,
        origin=st.sampled_from(OriginKind),
        head_start=st.integers(min_value=0, max_value=3),
    )
    def open(self, opened_on: date, origin: OriginKind, head_start: int) -> None:
        """Open, then take up to three valid steps (idea, co-construction, contract) so that
        runs reach the later stages as often as the early ones."""
        p = Partnership.open(
            association=stories.food_bank(),
            company=stories.ibm(),
            origin=Origin(origin),
            occurred_on=opened_on,
            actor=STAFF,
            today=TODAY,
        )
        self.partnership = p
        steps_on = opened_on + timedelta(days=30)
        if head_start >= 1:
            stories.propose_idea(
                p,
                "Bags from defective coffee packs",
                category=Category.ECONOMIC_COOPERATION,
                on=steps_on,
            )
        if head_start >= 2:
            p.start_co_construction(
                idea_id=next(iter(p.ideas)), occurred_on=steps_on, actor=STAFF, today=TODAY
            )
        if head_start >= 3:
            stories.sign_contract(
                p,
                signed_on=steps_on,
                category=Category.ECONOMIC_COOPERATION,
                sub_kind=SubKind.CIRCULAR_ECONOMY,
                starts_on=steps_on,
                ends_on=steps_on + timedelta(days=365),
                committed=CommittedValue(in_kind_eur=Decimal(800)),
            )
        self.events = p.collect_events()
        self.highest_rank = rank(p.stage)

    # ------------------------------------------------------------------ commands

    @rule(on=day, text=note)
    def meeting(self, on: date, text: str | None) -> None:
        self.attempt(
            lambda: self.partnership.record_meeting(
                occurred_on=on, actor=STAFF, today=TODAY, note=text
            )
        )

    @rule(on=day, title=some_text, category=st.sampled_from(Category))
    def idea(self, on: date, title: str, category: Category) -> None:
        self.attempt(
            lambda: self.partnership.propose_idea(
                title=title, proposed_category=category, occurred_on=on, actor=STAFF, today=TODAY
            )
        )

    @rule(on=day, pick=idea_pick)
    def co_construction(self, on: date, pick: int | UUID) -> None:
        idea_id = self.idea_id(pick)
        self.attempt(
            lambda: self.partnership.start_co_construction(
                idea_id=idea_id, occurred_on=on, actor=STAFF, today=TODAY
            )
        )

    @rule(on=day, text=some_text)
    def progress(self, on: date, text: str) -> None:
        self.attempt(
            lambda: self.partnership.record_progress(
                progress=text, occurred_on=on, actor=STAFF, today=TODAY
            )
        )

    @rule(
        on=day,
        kind=category_and_sub_kind,
        starts_on=any_day,
        lasting=contract_days,
        amounts=st.tuples(amount, amount, amount),
    )
    def contract(
        self,
        on: date,
        kind: tuple[Category, SubKind],
        starts_on: date,
        lasting: int,
        amounts: tuple[Decimal, Decimal, Decimal],
    ) -> None:
        category, sub_kind = kind

        def sign() -> None:
            stories.sign_contract(
                self.partnership,
                signed_on=on,
                category=category,
                sub_kind=sub_kind,
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=lasting),
                committed=CommittedValue(*amounts),
            )

        self.attempt(sign)

    @rule(
        on=day,
        beneficiaries=count,
        jobs=count,
        days=amount,
        skills=amount,
        in_kind=amount,
        satisfaction=satisfaction_score,
    )
    def evaluation(
        self,
        on: date,
        beneficiaries: int,
        jobs: int,
        days: Decimal,
        skills: Decimal,
        in_kind: Decimal,
        satisfaction: int | None,
    ) -> None:
        self.attempt(
            lambda: self.partnership.record_evaluation(
                occurred_on=on,
                actor=STAFF,
                today=TODAY,
                beneficiaries=beneficiaries,
                jobs_created=jobs,
                volunteer_days=days,
                skills_days=skills,
                in_kind_eur=in_kind,
                satisfaction=satisfaction,
            )
        )

    @rule(on=day, extension=contract_days, amounts=st.tuples(amount, amount, amount))
    def renewal(self, on: date, extension: int, amounts: tuple[Decimal, Decimal, Decimal]) -> None:
        current_end = self.partnership.contract_ends_on or on
        self.attempt(
            lambda: self.partnership.renew_contract(
                ends_on=current_end + timedelta(days=extension),
                committed=CommittedValue(*amounts),
                occurred_on=on,
                actor=STAFF,
                today=TODAY,
            )
        )

    @rule(on=day, reason=some_text, really=st.integers(min_value=0, max_value=3))
    def abandonment(self, on: date, reason: str, really: int) -> None:
        # Abandoning ends most of the story: try it a quarter as often as the other commands.
        if really != 3:
            return
        self.attempt(
            lambda: self.partnership.abandon(
                reason=reason, occurred_on=on, actor=STAFF, today=TODAY
            )
        )

    @rule(
        aim=mostly(
            st.tuples(st.just("milestone"), st.integers(min_value=0, max_value=30)),
            st.tuples(st.just("version"), st.integers(min_value=-1, max_value=40)),
        ),
        changes=changes,
        reason=some_text,
    )
    def correction(self, aim: tuple[str, int], changes: dict[str, Any], reason: str) -> None:
        self.correct(aim, changes, reason)

    @rule(
        aim=st.tuples(st.just("milestone"), st.integers(min_value=0, max_value=30)),
        field=st.sampled_from(ALL_FIELDS),
        value=odd_value,
    )
    def odd_correction(self, aim: tuple[str, int], field: str, value: Any) -> None:
        """Whatever the value's type, a correction is either recorded or refused by a rule."""
        self.correct(aim, {field: value}, "typed by a script")

    def correct(self, aim: tuple[str, int], changes: dict[str, Any], reason: str) -> None:
        # Mostly a recorded milestone; sometimes any version (a correction's, or none at all).
        how, number = aim
        milestones = self.partnership.milestones
        target_version = (
            milestones[number % len(milestones)].version if how == "milestone" else number
        )
        self.attempt(
            lambda: self.partnership.correct(
                target_version=target_version,
                changes=changes,
                reason=reason,
                actor=STAFF,
                today=TODAY,
            ),
            is_correction=True,
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def stage_never_goes_backwards(self) -> None:
        reached = rank(self.partnership.stage)
        assert reached >= self.highest_rank
        self.highest_rank = reached

    @invariant()
    def stage_is_consistent_with_milestones(self) -> None:
        p = self.partnership
        kinds = {m.kind for m in p.milestones}
        if kinds & {kind_of.CONTRACT, kind_of.RENEWAL, kind_of.EVALUATION}:
            assert kind_of.CONTRACT in kinds
        if kinds & {kind_of.CO_CONSTRUCTION, kind_of.PROGRESS, kind_of.CONTRACT}:
            assert kind_of.CO_CONSTRUCTION in kinds
            assert p.chosen_idea_id in p.ideas
        if kind_of.CO_CONSTRUCTION in kinds:
            assert kind_of.IDEA in kinds
        assert len([m for m in p.milestones if m.kind == kind_of.CONTRACT]) <= 1
        assert len([m for m in p.milestones if m.kind == kind_of.CO_CONSTRUCTION]) <= 1
        assert not (kind_of.ABANDONMENT in kinds and kind_of.CONTRACT in kinds)
        expected = max((STAGE_MARKED_BY[k] for k in kinds if k in STAGE_MARKED_BY), key=rank)
        assert p.stage is expected

    @invariant()
    def nothing_but_corrections_after_abandonment(self) -> None:
        kinds = [type(e).__name__ for e in self.events]
        if "Abandoned" in kinds:
            after = kinds[kinds.index("Abandoned") + 1 :]
            assert set(after) <= {"MilestoneCorrected"}
        assert kinds.count("Abandoned") <= 1

    @invariant()
    def milestones_are_dated_between_opening_and_today(self) -> None:
        p = self.partnership
        assert p.milestones[0].kind == kind_of.OPENING
        for m in p.milestones:
            assert p.opened_on <= m.occurred_on <= TODAY

    @invariant()
    def milestones_never_precede_the_milestone_they_follow(self) -> None:
        """Co-construction not before its idea, contract not before co-construction,
        evaluation and renewal not before the signature: whatever was typed or corrected."""
        assert date_order_breaks(self.partnership.milestones) == []

    @invariant()
    def contracts_end_after_they_start(self) -> None:
        p = self.partnership
        contract = p.contract_milestone
        if contract is not None:
            assert contract.details["starts_on"] <= contract.details["ends_on"]  # type: ignore[operator]
            assert p.contract_ends_on is not None
            assert p.contract_ends_on >= contract.details["ends_on"]  # type: ignore[operator]

    @invariant()
    def totals_are_never_negative(self) -> None:
        p = self.partnership
        total = p.total_committed
        assert min(total.financial_eur, total.in_kind_eur, total.skills_days) >= 0
        for m in p.evaluations:
            for name in EVALUATION_COUNTS:
                assert m.details[name] >= 0  # type: ignore[operator]
            satisfaction = m.details["satisfaction"]
            assert satisfaction is None or 1 <= satisfaction <= 5  # type: ignore[operator]

    @invariant()
    def versions_are_contiguous(self) -> None:
        p = self.partnership
        versions = [e.originator_version for e in self.events]
        assert versions == list(range(1, p.version + 1))
        milestone_and_correction_versions = sorted(
            [m.version for m in p.milestones] + [c.version for c in p.corrections]
        )
        assert milestone_and_correction_versions == versions

    @invariant()
    def replaying_the_events_rebuilds_the_same_partnership(self) -> None:
        replayed = functools.reduce(lambda agg, e: e.mutate(agg), self.events, None)
        assert isinstance(replayed, Partnership)
        assert state_of(replayed) == state_of(self.partnership)
        assert partnership_view(replayed) == partnership_view(self.partnership)

    def teardown(self) -> None:
        # The stored round trip: serialised through the transcoder and read back.
        if not self.events:
            return
        app = PartnerLab(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: TODAY)
        try:
            app.log.save(*self.events)
            stored = app.log.repository.get(self.partnership.id)
            assert partnership_view(stored) == partnership_view(self.partnership)
        finally:
            app.close()


PartnershipLifecycle.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_partnership_lifecycle = PartnershipLifecycle.TestCase
