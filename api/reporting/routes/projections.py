"""Projection status: how far each read model has got behind the event log."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LabDep, ReaderDep
from api.problems import documented
from api.reporting.params import ReadPosition
from api.reporting.schemas.reports import ProjectionsPublic

router = APIRouter(prefix="/projections", tags=["projections"])


@router.get("", response_model=ProjectionsPublic, responses=documented(422, 503))
def projections(lab: LabDep, caller: ReaderDep, position: ReadPosition = None) -> ProjectionsPublic:
    """Each projection's position, the log's head, the lag, the last error and the events it
    could not apply for the caller's lab (it holds that lab's events from there on until an
    operator runs `partnerlab project --retry NAME`)."""
    return ProjectionsPublic.model_validate(lab.reports.projection_status(position, lab=caller.lab))
