"""Turning the activities' events into read-model changes (pure: no I/O)."""

from __future__ import annotations

from functools import singledispatch
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


def _moved(event: SpeedDatingSession.Event | LabEvent.Event, **status: object) -> ActivityChange:
    return ActivityStatusChanged(event.originator_id, event.originator_version, **status)  # type: ignore[arg-type]


@activity_changes.register
def _(event: SpeedDatingSession.Planned) -> list[ActivityChange]:
    return [
        ActivityRow(
            id=event.originator_id,
            lab=event.lab,
            kind=SPEED_DATING,
            title=event.title,
            held_on=event.held_on,
            venue=event.venue,
            status=PLANNED,
            company_id=event.host_company_id,
            version=event.originator_version,
        )
    ]


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
    return [
        ActivityRow(
            id=event.originator_id,
            lab=event.lab,
            kind=event.kind.value,
            title=event.title,
            held_on=event.held_on,
            venue=event.venue,
            status=PLANNED,
            company_id=None,
            version=event.originator_version,
        )
    ]


@activity_changes.register(LabEvent.AttendanceRecorded)
@activity_changes.register(LabEvent.MeetingRecorded)
def _(event: LabEvent.Event) -> list[ActivityChange]:
    return [_moved(event, status=HELD)]


@activity_changes.register
def _(event: ConsultingEngagement.Opened) -> list[ActivityChange]:
    return [
        ActivityRow(
            id=event.originator_id,
            lab=event.lab,
            kind=CONSULTING,
            title=event.scope,
            held_on=event.occurred_on,
            venue=None,
            status=OPEN,
            company_id=event.company_id,
            version=event.originator_version,
        )
    ]


@activity_changes.register
def _(event: ConsultingEngagement.AssociationsProposed) -> list[ActivityChange]:
    return [ActivityStatusChanged(event.originator_id, event.originator_version)]


@activity_changes.register
def _(event: ConsultingEngagement.ContributionPaid) -> list[ActivityChange]:
    return _paid(event, FundingSource.CONSULTING, payer_id=None)


@activity_changes.register
def _(event: TrainingSession.Planned) -> list[ActivityChange]:
    return [
        ActivityRow(
            id=event.originator_id,
            lab=event.lab,
            kind=TRAINING,
            title=event.title,
            held_on=event.held_on,
            venue=None,
            status=PLANNED,
            company_id=None,
            version=event.originator_version,
        )
    ]


@activity_changes.register
def _(event: TrainingSession.ParticipantEnrolled) -> list[ActivityChange]:
    return [ActivityStatusChanged(event.originator_id, event.originator_version)]


@activity_changes.register
def _(event: TrainingSession.FeePaid) -> list[ActivityChange]:
    return _paid(event, FundingSource.TRAINING, payer_id=event.organization_id)


@activity_changes.register
def _(event: Subsidy.Granted) -> list[ActivityChange]:
    return [
        FundingLineRow(
            aggregate_id=event.originator_id,
            line=event.originator_version,
            lab=event.lab,
            source=FundingSource.SUBSIDY,
            year=event.year,
            amount_eur=event.amount_eur,
            received_on=event.occurred_on,
            funder=event.funder,
            payer_id=None,
        )
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
    """A payment to the lab: the activity changed, and one income line (``lab=None``: the
    activity's lab)."""
    return [
        ActivityStatusChanged(event.originator_id, event.originator_version),
        FundingLineRow(
            aggregate_id=event.originator_id,
            line=event.originator_version,
            lab=None,
            source=source,
            year=event.occurred_on.year,
            amount_eur=event.amount_eur,
            received_on=event.occurred_on,
            funder=None,
            payer_id=payer_id,
        ),
    ]
