"""Turning the activities' events into read-model changes (pure: no I/O)."""

from __future__ import annotations

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
from application.read_models import attributes
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


def _listed(event: Any, kind: str, status: str, **row: Any) -> list[ActivityChange]:
    """A new activity's row of ``kind`` in ``status``: ``row`` gives its title and day held,
    and its venue and company when it has them."""
    return [
        ActivityRow(
            id=event.originator_id,
            lab=event.lab,
            kind=kind,
            status=status,
            version=event.originator_version,
            **{"venue": None, "company_id": None, **row},
        )
    ]


def _income(event: Any, source: FundingSource, year: int, **payer: Any) -> FundingLineRow:
    """One income line of the lab: ``payer`` gives its ``lab`` (none: the activity's), its
    ``funder`` and its ``payer_id`` when they are known."""
    return FundingLineRow(
        aggregate_id=event.originator_id,
        line=event.originator_version,
        source=source,
        year=year,
        amount_eur=event.amount_eur,
        received_on=event.occurred_on,
        **{"lab": None, "funder": None, "payer_id": None, **payer},
    )


@activity_changes.register
def _(event: SpeedDatingSession.Planned) -> list[ActivityChange]:
    row = attributes(event, "title", "held_on", "venue")
    return _listed(event, SPEED_DATING, PLANNED, company_id=event.host_company_id, **row)


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
    row = attributes(event, "title", "held_on", "venue")
    return _listed(event, event.kind.value, PLANNED, **row)


@activity_changes.register(LabEvent.AttendanceRecorded)
@activity_changes.register(LabEvent.MeetingRecorded)
def _(event: LabEvent.Event) -> list[ActivityChange]:
    return [_moved(event, status=HELD)]


@activity_changes.register
def _(event: ConsultingEngagement.Opened) -> list[ActivityChange]:
    row = {"title": event.scope, "held_on": event.occurred_on, "company_id": event.company_id}
    return _listed(event, CONSULTING, OPEN, **row)


@activity_changes.register(ConsultingEngagement.AssociationsProposed)
@activity_changes.register(TrainingSession.ParticipantEnrolled)
def _(event: ConsultingEngagement.Event | TrainingSession.Event) -> list[ActivityChange]:
    return [_moved(event)]


@activity_changes.register
def _(event: ConsultingEngagement.ContributionPaid) -> list[ActivityChange]:
    return _paid(event, FundingSource.CONSULTING, payer_id=None)


@activity_changes.register
def _(event: TrainingSession.Planned) -> list[ActivityChange]:
    return _listed(event, TRAINING, PLANNED, **attributes(event, "title", "held_on"))


@activity_changes.register
def _(event: TrainingSession.FeePaid) -> list[ActivityChange]:
    return _paid(event, FundingSource.TRAINING, payer_id=event.organization_id)


@activity_changes.register
def _(event: Subsidy.Granted) -> list[ActivityChange]:
    return [_income(event, FundingSource.SUBSIDY, event.year, lab=event.lab, funder=event.funder)]


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
        _income(event, source, event.occurred_on.year, payer_id=payer_id),
    ]
