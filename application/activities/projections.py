"""Turning the activities' events into read-model changes (pure: no I/O)."""

from __future__ import annotations

from datetime import date
from functools import singledispatch
from typing import Any
from uuid import UUID

from application.activities.ports import (
    ActivityChange,
    ActivityRow,
    ActivityStatusChanged,
    FundingAmountCorrected,
    FundingLineRow,
)
from domain.activities.consulting import ConsultingEngagement
from domain.activities.funding import Subsidy
from domain.activities.lab_event import LabEvent
from domain.activities.speed_dating import CLOSED, PLANNED, SCHEDULED, UNDER_WAY, SpeedDatingSession
from domain.activities.training import TrainingSession
from domain.activities.values import FundingSource

SPEED_DATING = "speed_dating"
CONSULTING = "consulting"
TRAINING = "training"
OPEN = "open"
HELD = "held"


@singledispatch
def activity_changes(_event: object) -> list[ActivityChange]:
    """Events the activities' read model does not show change nothing."""
    return []


def _moved(event: Any, **status: object) -> ActivityChange:
    """The activity changed (its version), moving to ``status`` when given."""
    return ActivityStatusChanged(event.originator_id, event.originator_version, **status)  # type: ignore[arg-type]


def _listed(
    event: Any,
    kind: str,
    title: str,
    held_on: date,
    status: str,
    *,
    venue: str | None = None,
    company_id: UUID | None = None,
) -> list[ActivityChange]:
    """A new activity's row."""
    return [
        ActivityRow(
            id=event.originator_id,
            lab=event.lab,
            kind=kind,
            title=title,
            held_on=held_on,
            venue=venue,
            status=status,
            company_id=company_id,
            version=event.originator_version,
        )
    ]


def _income(
    event: Any,
    source: FundingSource,
    *,
    lab: str | None,
    year: int,
    funder: str | None = None,
    payer_id: UUID | None = None,
) -> FundingLineRow:
    """One income line of the lab (``lab=None``: the activity's lab)."""
    return FundingLineRow(
        aggregate_id=event.originator_id,
        line=event.originator_version,
        lab=lab,
        source=source,
        year=year,
        amount_eur=event.amount_eur,
        received_on=event.occurred_on,
        funder=funder,
        payer_id=payer_id,
    )


@activity_changes.register
def _(event: SpeedDatingSession.Planned) -> list[ActivityChange]:
    return _listed(
        event,
        SPEED_DATING,
        event.title,
        event.held_on,
        PLANNED,
        venue=event.venue,
        company_id=event.host_company_id,
    )


@activity_changes.register(SpeedDatingSession.ParticipantRegistered)
@activity_changes.register(SpeedDatingSession.ParticipantWithdrawn)
def _(event: SpeedDatingSession.Event) -> list[ActivityChange]:
    """A registration drops the schedule generated before it."""
    return [_moved(event, status=PLANNED, only_from=(SCHEDULED,))]


@activity_changes.register
def _(event: SpeedDatingSession.ScheduleGenerated) -> list[ActivityChange]:
    return [_moved(event, status=SCHEDULED, only_from=(PLANNED,))]


@activity_changes.register(SpeedDatingSession.ParticipantCheckedIn)
@activity_changes.register(SpeedDatingSession.NoShowRecorded)
@activity_changes.register(SpeedDatingSession.MeetingOutcomeRecorded)
@activity_changes.register(SpeedDatingSession.CatchUpScheduled)
def _(event: SpeedDatingSession.Event) -> list[ActivityChange]:
    return [_moved(event, status=UNDER_WAY, only_from=(PLANNED, SCHEDULED))]


@activity_changes.register
def _(event: SpeedDatingSession.Closed) -> list[ActivityChange]:
    return [_moved(event, status=CLOSED)]


@activity_changes.register
def _(event: LabEvent.Planned) -> list[ActivityChange]:
    return _listed(event, event.kind.value, event.title, event.held_on, PLANNED, venue=event.venue)


@activity_changes.register(LabEvent.AttendanceRecorded)
@activity_changes.register(LabEvent.MeetingRecorded)
def _(event: LabEvent.Event) -> list[ActivityChange]:
    return [_moved(event, status=HELD)]


@activity_changes.register
def _(event: ConsultingEngagement.Opened) -> list[ActivityChange]:
    return _listed(
        event, CONSULTING, event.scope, event.occurred_on, OPEN, company_id=event.company_id
    )


@activity_changes.register(ConsultingEngagement.AssociationsProposed)
@activity_changes.register(TrainingSession.ParticipantEnrolled)
def _(event: ConsultingEngagement.Event | TrainingSession.Event) -> list[ActivityChange]:
    return [_moved(event)]


@activity_changes.register
def _(event: ConsultingEngagement.ContributionPaid) -> list[ActivityChange]:
    return _paid(event, FundingSource.CONSULTING, payer_id=None)


@activity_changes.register
def _(event: TrainingSession.Planned) -> list[ActivityChange]:
    return _listed(event, TRAINING, event.title, event.held_on, PLANNED)


@activity_changes.register
def _(event: TrainingSession.FeePaid) -> list[ActivityChange]:
    return _paid(event, FundingSource.TRAINING, payer_id=event.organization_id)


@activity_changes.register
def _(event: Subsidy.Granted) -> list[ActivityChange]:
    return [
        _income(event, FundingSource.SUBSIDY, lab=event.lab, year=event.year, funder=event.funder)
    ]


@activity_changes.register
def _(event: Subsidy.AmountCorrected) -> list[ActivityChange]:
    return [FundingAmountCorrected(event.originator_id, event.amount_eur)]


def _paid(
    event: ConsultingEngagement.ContributionPaid | TrainingSession.FeePaid,
    source: FundingSource,
    *,
    payer_id: UUID | None,
) -> list[ActivityChange]:
    """A payment to the lab: the activity changed, and one income line (of the activity's
    lab)."""
    return [
        _moved(event),
        _income(event, source, lab=None, year=event.occurred_on.year, payer_id=payer_id),
    ]
