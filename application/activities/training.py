"""Use cases of training sessions: plan, enrol organisations (people, fee agreed), record
the fees they paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.activities.base import ActivityCore
from application.activities.presenters import training_view
from application.activities.projections import TRAINING
from application.activities.views import ActivitySummary, TrainingView
from application.context import Caller
from application.results import CommandResult, Page, PageRequest
from domain.activities.training import TrainingSession

LABEL = "training session"


class TrainingService:
    """Training sessions, participants and fees."""

    def __init__(self, core: ActivityCore) -> None:
        self._core = core

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
        training = self._training(caller, training_id, expected_version)
        training.enrol(organization, people=people, fee_eur=fee_eur, actor=caller.actor)
        return self._core.save(training, expected_version)

    def record_training_fee(
        self,
        caller: Caller,
        training_id: UUID,
        *,
        organization_id: UUID,
        amount_eur: Decimal,
        paid_on: date,
        note: str | None = None,
        donation: bool = False,
        expected_version: int | None = None,
    ) -> CommandResult:
        training = self._training(caller, training_id, expected_version)
        training.record_payment(
            organization_id=organization_id,
            amount_eur=amount_eur,
            paid_on=paid_on,
            actor=caller.actor,
            today=self._core.clock(),
            note=note,
            donation=donation,
        )
        return self._core.save(training, expected_version)

    def get_training(self, caller: Caller, training_id: UUID) -> TrainingView:
        training = self._training(caller, training_id)
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

    def _training(
        self, caller: Caller, training_id: UUID, expected_version: int | None = None
    ) -> TrainingSession:
        return self._core.activity(caller, TrainingSession, training_id, LABEL, expected_version)
