"""What needs doing, derived from one aggregate's current state (pure: no I/O, no clock).

Items that depend on today's date ("stalled for 90 days", "contract ending within 60 days")
are stored with the dates that bound them — ``visible_from`` (when it becomes something to do),
``due_on`` (when it should be done) and ``visible_until`` (after which it no longer applies) —
and the list filters by today when it is read: the read model never has to be rewritten
because a day passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from domain.activities.speed_dating import SpeedDatingSession
from domain.activities.training import TrainingSession
from domain.partnerships.partnership import Partnership
from domain.values import Stage

STALLED = "stalled"
CONTRACT_ENDING = "contract_ending"
EVALUATION_DUE = "evaluation_due"
OUTCOMES_MISSING = "outcomes_missing"
FEE_UNPAID = "fee_unpaid"
KINDS = (STALLED, CONTRACT_ENDING, EVALUATION_DUE, OUTCOMES_MISSING, FEE_UNPAID)

DEFAULT_STALLED_DAYS = 90
ENDING_WITHIN_DAYS = 60
EVALUATION_EVERY_DAYS = 365
OUTCOMES_WITHIN_DAYS = 7
FEE_WITHIN_DAYS = 30

STALLABLE = (Stage.MEETING, Stage.IDEA, Stage.CO_CONSTRUCTION)
"""Stages a partnership can stall in; once signed, the contract's end and its evaluations
say what is due."""


@dataclass(frozen=True)
class FollowUpPolicy:
    """How long a partnership may stay in a stage without a milestone (days, per stage)."""

    stalled_days: dict[Stage, int] = field(default_factory=dict)

    def stalled_after(self, stage: Stage) -> int:
        return self.stalled_days.get(stage, DEFAULT_STALLED_DAYS)


@dataclass(frozen=True)
class FollowUpItem:
    key: str
    """Unique in a lab: ``kind:subject[:detail]``; stable while the item stays unanswered."""
    lab: str
    kind: str
    subject_type: str
    subject_id: UUID
    owner: str | None
    title: str
    visible_from: date
    due_on: date
    visible_until: date | None = None

    def is_open_on(self, today: date) -> bool:
        return self.visible_from <= today and (
            self.visible_until is None or today <= self.visible_until
        )


def items_of(aggregate: Any, policy: FollowUpPolicy) -> list[FollowUpItem]:
    """Every item one aggregate calls for, whatever today is (the list filters by date)."""
    if isinstance(aggregate, Partnership):
        return partnership_items(aggregate, policy)
    if isinstance(aggregate, SpeedDatingSession):
        return session_items(aggregate)
    if isinstance(aggregate, TrainingSession):
        return training_items(aggregate)
    return []


def partnership_items(p: Partnership, policy: FollowUpPolicy) -> list[FollowUpItem]:
    if p.is_abandoned:
        return []
    owner = p.owner
    items: list[FollowUpItem] = []

    def item(
        kind: str, title: str, visible_from: date, due_on: date, until: date | None = None
    ) -> None:
        items.append(
            _about(
                p,
                kind,
                "partnership",
                owner=owner,
                title=title,
                visible_from=visible_from,
                due_on=due_on,
                visible_until=until,
            )
        )

    stage = p.stage
    if stage in STALLABLE:
        stalled_on = p.last_milestone_on + timedelta(days=policy.stalled_after(stage))
        item(
            STALLED,
            f"no milestone since {p.last_milestone_on.isoformat()} in stage {stage.value}",
            stalled_on,
            stalled_on,
        )
    ends_on = p.contract_ends_on
    if ends_on is None:
        return items
    item(
        CONTRACT_ENDING,
        f"contract ends on {ends_on.isoformat()}: decide on renewal",
        ends_on - timedelta(days=ENDING_WITHIN_DAYS),
        ends_on,
        ends_on,
    )
    evaluations = [m.occurred_on for m in p.evaluations]
    contract = p.contract_milestone
    assert contract is not None
    since: date = max(evaluations) if evaluations else contract.details["starts_on"]  # type: ignore[assignment]
    yearly = since + timedelta(days=EVALUATION_EVERY_DAYS)
    candidates = []
    if yearly < ends_on:
        candidates.append((yearly, "a year since the last evaluation"))
    if not any(day >= ends_on for day in evaluations):
        candidates.append((ends_on, f"contract ended on {ends_on.isoformat()}: evaluate it"))
    if candidates:
        due, why = min(candidates, key=lambda c: c[0])
        item(EVALUATION_DUE, why, due, due)
    return items


def session_items(session: SpeedDatingSession) -> list[FollowUpItem]:
    if session.closed_on is not None:
        return []
    missing = [p for p in session.scheduled_pairs if p.key not in session.outcomes]
    if not missing:
        return []
    return [
        _about(
            session,
            OUTCOMES_MISSING,
            "speed_dating",
            title=f"{len(missing)} meeting outcome(s) missing at {session.title!r}",
            visible_from=session.held_on,
            due_on=session.held_on + timedelta(days=OUTCOMES_WITHIN_DAYS),
        )
    ]


def training_items(training: TrainingSession) -> list[FollowUpItem]:
    items = []
    for enrolment in training.enrolments:
        unpaid = training.unpaid_eur(enrolment.organization_id)
        if unpaid <= 0:
            continue
        items.append(
            _about(
                training,
                FEE_UNPAID,
                "training",
                enrolment.organization_id,
                title=f"{unpaid} EUR of the fee for {training.title!r} not yet paid "
                f"(organisation {enrolment.organization_id})",
                visible_from=training.held_on,
                due_on=training.held_on + timedelta(days=FEE_WITHIN_DAYS),
            )
        )
    return items


def _about(record: Any, kind: str, subject_type: str, *detail: object, **item: Any) -> FollowUpItem:
    """The item of ``kind`` about ``record`` (its lab, its id as subject, keyed
    ``kind:id[:detail]``; no owner unless ``item`` names one)."""
    return FollowUpItem(
        key=":".join(str(part) for part in (kind, record.id, *detail)),
        lab=record.lab,
        kind=kind,
        subject_type=subject_type,
        subject_id=record.id,
        **{"owner": None, **item},
    )
