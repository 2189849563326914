"""Reports on the lab's activities, under ``/reports`` beside the partnership reports: the
funding split by source and year, and the cohort of a speed-dating session or an event."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from api.activities.schemas.activity_reports import CohortReportPublic, FundingReportPublic
from api.deps import LabDep, ReportReaderDep
from api.problems import documented
from application.activities.views import FundingFilter

router = APIRouter(prefix="/reports", tags=["reports"])

Year = Annotated[int | None, Query(ge=1900, le=2999)]


@router.get("/funding", response_model=FundingReportPublic, responses=documented(422))
def funding_report(
    lab: LabDep, caller: ReportReaderDep, year_from: Year = None, year_to: Year = None
) -> FundingReportPublic:
    """Income by year and source (subsidies, consulting, training), each with its share."""
    report = lab.funding.funding_report(caller, FundingFilter(year_from=year_from, year_to=year_to))
    return FundingReportPublic.model_validate(report)


@router.get(
    "/cohorts/{activity_id}", response_model=CohortReportPublic, responses=documented(404, 422)
)
def cohort_report(
    activity_id: Annotated[UUID, Path(description="A speed-dating session or an event.")],
    lab: LabDep,
    caller: ReportReaderDep,
) -> CohortReportPublic:
    """Meetings held, interest, partnerships opened, and how many reached co-construction
    and a contract within 6 and 12 months."""
    return CohortReportPublic.model_validate(
        lab.activity_outcomes.cohort_report(caller, activity_id)
    )
