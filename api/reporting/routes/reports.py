"""Partnership reports under ``/reports``: signed contracts, funnel, time in stage, impact,
pipeline. Each takes ``as_of``, ``known_at``, filters and ``position``; JSON by default, CSV
with ``Accept: text/csv`` or ``format=csv``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from api.deps import LabDep, ReportReaderDep
from api.problems import ApiError, documented
from api.reporting.csv_tables import (
    Table,
    funnel_table,
    impact_table,
    pipeline_table,
    render,
    signed_table,
    time_in_stage_table,
)
from api.reporting.params import Format, ReadPosition, ScopeDep, wants_csv
from api.reporting.schemas.reports import (
    FunnelReportPublic,
    ImpactReportPublic,
    PipelineReportPublic,
    SignedReportPublic,
    TimeInStageReportPublic,
)

router = APIRouter(prefix="/reports", tags=["reports"])

PROBLEMS = {**documented(422, 503), 200: {"content": {"text/csv": {}}}}


def respond(
    request: Request, format: str | None, name: str, body: BaseModel, table: Table
) -> Response:
    """The report as JSON, or as a CSV table if asked for."""
    if wants_csv(request, format):
        return Response(
            render(table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(body.model_dump_json(by_alias=True), media_type="application/json")


def _table_for(format: str | None, request: Request, table: str | None) -> None:
    if table is not None and not wants_csv(request, format):
        raise ApiError(422, "table-needs-csv", "table= chooses a CSV table", field="table")


@router.get("/signed", response_model=SignedReportPublic, responses=PROBLEMS)
def signed(
    request: Request,
    lab: LabDep,
    caller: ReportReaderDep,
    scope: ScopeDep,
    position: ReadPosition = None,
    format: Format = None,
) -> Response:
    """Contracts per year of signature (dated by signed_on) and category."""
    report = lab.reports.signed_report(caller, scope, position=position)
    body = SignedReportPublic.model_validate(report)
    return respond(request, format, "signed", body, signed_table(report))


@router.get("/funnel", response_model=FunnelReportPublic, responses=PROBLEMS)
def funnel(
    request: Request,
    lab: LabDep,
    caller: ReportReaderDep,
    scope: ScopeDep,
    position: ReadPosition = None,
    format: Format = None,
    table: Annotated[
        Literal["stages", "abandonments"] | None, Query(description="The CSV table.")
    ] = None,
) -> Response:
    """How many reached each stage, conversions (any-stage and strict), abandonments with
    their reasons."""
    _table_for(format, request, table)
    report = lab.reports.funnel_report(caller, scope, position=position)
    body = FunnelReportPublic.model_validate(report)
    return respond(request, format, "funnel", body, funnel_table(report, table or "stages"))


@router.get("/time-in-stage", response_model=TimeInStageReportPublic, responses=PROBLEMS)
def time_in_stage(
    request: Request,
    lab: LabDep,
    caller: ReportReaderDep,
    scope: ScopeDep,
    stalled_after_days: Annotated[
        int, Query(ge=1, le=36_500, description="No milestone for this many days: stalled.")
    ] = 90,
    position: ReadPosition = None,
    format: Format = None,
    table: Annotated[
        Literal["stages", "stalled"] | None, Query(description="The CSV table.")
    ] = None,
) -> Response:
    """Median and 90th percentile days per stage, meeting-to-contract cycle time, stalled
    partnerships."""
    _table_for(format, request, table)
    report = lab.reports.time_in_stage_report(
        caller, scope, stalled_after_days=stalled_after_days, position=position
    )
    body = TimeInStageReportPublic.model_validate(report)
    return respond(
        request, format, "time-in-stage", body, time_in_stage_table(report, table or "stages")
    )


@router.get("/impact", response_model=ImpactReportPublic, responses=PROBLEMS)
def impact(
    request: Request,
    lab: LabDep,
    caller: ReportReaderDep,
    scope: ScopeDep,
    position: ReadPosition = None,
    format: Format = None,
) -> Response:
    """Committed values (EUR, in-kind EUR, skills days) and evaluation indicators by category
    and year."""
    report = lab.reports.impact_report(caller, scope, position=position)
    body = ImpactReportPublic.model_validate(report)
    return respond(request, format, "impact", body, impact_table(report))


@router.get("/pipeline", response_model=PipelineReportPublic, responses=PROBLEMS)
def pipeline(
    request: Request,
    lab: LabDep,
    caller: ReportReaderDep,
    scope: ScopeDep,
    position: ReadPosition = None,
    format: Format = None,
) -> Response:
    """Open (not abandoned) partnerships per stage reached."""
    report = lab.reports.pipeline_report(caller, scope, position=position)
    body = PipelineReportPublic.model_validate(report)
    return respond(request, format, "pipeline", body, pipeline_table(report))
