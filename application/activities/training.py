"""Use cases of training sessions: plan, enrol organisations (people, fee agreed), record
the fees they paid."""

from __future__ import annotations

from uuid import UUID

from application.activities.base import ActivityService, organization
from application.activities.presenters import training_view
from application.activities.projections import TRAINING
from application.activities.views import TrainingView
from application.context import Caller
from application.event_log import CreateCommand, RecordCommand
from domain.activities.training import TrainingSession

LABEL = "training session"


class TrainingService(ActivityService[TrainingSession]):
    """Training sessions, participants and fees."""

    kind = TrainingSession
    label = LABEL
    listed = (TRAINING,)

    plan_training = CreateCommand(TrainingSession.plan, dated=False, lab=True)
    enrol_in_training = RecordCommand(TrainingSession.enrol, dated=False, prepare=organization())
    record_training_fee = RecordCommand(TrainingSession.record_payment)

    def get_training(self, caller: Caller, training_id: UUID) -> TrainingView:
        training = self.load(caller, training_id)
        refs = self._core.refs(caller, [e.organization_id for e in training.enrolments])
        return training_view(training, refs)

    list_trainings = ActivityService.listing
