"""Use cases of training sessions: plan, enrol organisations (people, fee agreed), record
the fees they paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.activities.base import ActivityService
from application.activities.presenters import training_view
from application.activities.projections import TRAINING
from application.activities.views import ActivitySummary, TrainingView
from application.context import Caller
from application.event_log import RecordCommand
from application.results import CommandResult, Page, PageRequest
from domain.activities.training import TrainingSession

LABEL = "training session"


class TrainingService(ActivityService[TrainingSession]):
    """Training sessions, participants and fees."""

    kind = TrainingSession
    label = LABEL

    def plan_training(
        self,
        caller: Caller,
        *,
        title: str,
        held_on: date,
        audience: str | None = None,
        note: str | None = None,
    ) -> CommandResult:
        training = TrainingSession.plan(
            lab=caller.lab,
            title=title,
            held_on=held_on,
            actor=caller.actor,
            audience=audience,
            note=note,
        )
        return self._core.save(training, None)

    def enrol_in_training(
        self,
        caller: Caller,
        training_id: UUID,
        *,
        organization_id: UUID,
        people: int = 1,
        fee_eur: Decimal = Decimal(0),
        expected_version: int | None = None,
    ) -> CommandResult:
        organization = self._core.organization(caller, organization_id, field="organization_id")
        return self.change(
            caller,
            training_id,
            expected_version,
            lambda t: t.enrol(organization, people=people, fee_eur=fee_eur, actor=caller.actor),
        )

    record_training_fee = RecordCommand(TrainingSession.record_payment)

    def get_training(self, caller: Caller, training_id: UUID) -> TrainingView:
        training = self._activity(caller, training_id)
        refs = self._core.refs(caller, [e.organization_id for e in training.enrolments])
        return training_view(training, refs)

    def list_trainings(
        self,
        caller: Caller,
        page: PageRequest,
        *,
        held_from: date | None = None,
        held_to: date | None = None,
    ) -> Page[ActivitySummary]:
        return self._core.list_activities(caller, (TRAINING,), page, held_from, held_to)
