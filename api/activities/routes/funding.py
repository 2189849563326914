"""Funding: subsidies by funder and year, and every income line (subsidies, consulting
contributions, training fees). The split by source is ``GET /reports/funding``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from api.activities.responses import written
from api.activities.schemas.lab_activities import (
    FundingLinePublic,
    SubsidyCorrectionCreate,
    SubsidyCreate,
    SubsidyPublic,
    SubsidyWritten,
)
from api.commands import RecordRead, RecordWrite, add_record_writes
from api.deps import LabDep, ReaderDep
from api.problems import documented
from application.activities.funding import FundingService
from application.activities.views import FundingFilter
from domain.activities.values import FundingSource

router = APIRouter(prefix="/funding", tags=["funding"])

SubsidyId = Annotated[UUID, Path(description="The subsidy's id.")]
Year = Annotated[int | None, Query(ge=1900, le=2999)]


SUBSIDY_WRITTEN = written(lambda lab: lab.funding.get_subsidy, SubsidyWritten, "funding/subsidies")


@router.get("", response_model=list[FundingLinePublic], responses=documented(422))
def funding_lines(
    lab: LabDep,
    caller: ReaderDep,
    year_from: Year = None,
    year_to: Year = None,
    source: FundingSource | None = None,
) -> list[FundingLinePublic]:
    """Every income line by year: subsidies, consulting contributions, training fees."""
    lines = lab.funding.funding_lines(
        caller, FundingFilter(year_from=year_from, year_to=year_to, source=source)
    )
    return [FundingLinePublic.model_validate(line) for line in lines]


add_record_writes(
    router,
    (
        RecordWrite(
            "/subsidies",
            SubsidyCreate,
            FundingService.record_subsidy,
            "Record a subsidy: funder, the year it funds, amount, when it was granted.",
        ),
        RecordRead(
            "/subsidies/{subsidy_id}",
            FundingService.get_subsidy,
            SubsidyPublic,
            "Show a subsidy as it stands (after corrections); its ETag is its version.",
            problems=documented(404),
        ),
        RecordWrite(
            "/subsidies/{subsidy_id}/corrections",
            SubsidyCorrectionCreate,
            FundingService.correct_subsidy,
            "Correct a subsidy's amount, with a reason; the history keeps both amounts.",
        ),
    ),
    service=lambda lab: lab.funding,
    record_id=("subsidy_id", SubsidyId),
    response=SubsidyWritten,
    present=SUBSIDY_WRITTEN,
)
