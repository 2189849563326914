"""Training sessions on building and running partnerships: participants and fees."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from api.activities.responses import HeldDep, activities_page, written
from api.activities.schemas.activities import ActivitiesPublic
from api.activities.schemas.lab_activities import (
    EnrolmentCreate,
    FeeCreate,
    TrainingCreate,
    TrainingPublic,
    TrainingWritten,
)
from api.commands import RecordRead, RecordWrite, Route, add_record_writes
from api.deps import LabDep, PageDep, ReaderDep
from api.problems import documented
from application.activities.training import TrainingService

router = APIRouter(prefix="/trainings", tags=["training"])

TrainingId = Annotated[UUID, Path(description="The training session's id.")]


TRAINING_WRITTEN = written(lambda lab: lab.trainings.get_training, TrainingWritten, "trainings")


def list_trainings(
    lab: LabDep, caller: ReaderDep, held: HeldDep, page: PageDep
) -> ActivitiesPublic:
    """List training sessions, latest first."""
    return activities_page(lab.trainings.list_trainings(caller, page, **held))


add_record_writes(
    router,
    (
        RecordWrite(
            "",
            TrainingCreate,
            TrainingService.plan_training,
            "Plan a training session (its date is a plan: it may be in the future).",
        ),
        Route("", list_trainings, ActivitiesPublic, documented(422)),
        RecordRead(
            "/{training_id}",
            TrainingService.get_training,
            TrainingPublic,
            "Show a training session: participants, fees agreed and paid.",
        ),
        RecordWrite(
            "/{training_id}/participants",
            EnrolmentCreate,
            TrainingService.enrol_in_training,
            "Enrol an organisation: how many of its people come and the fee agreed.",
            name="enrol",
        ),
        RecordWrite(
            "/{training_id}/payments",
            FeeCreate,
            TrainingService.record_training_fee,
            "Record a fee an enrolled organisation paid (amount and date).",
            name="record_fee",
        ),
    ),
    service=lambda lab: lab.trainings,
    record_id=("training_id", TrainingId),
    response=TrainingWritten,
    present=TRAINING_WRITTEN,
)
