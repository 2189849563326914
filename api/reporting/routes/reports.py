"""Partnership reports under ``/reports``: signed contracts, funnel, time in stage, impact,
pipeline. Each takes ``as_of``, ``known_at``, filters and ``position``; JSON by default, CSV
with ``Accept: text/csv`` or ``format=csv``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from api.commands import add_named_route
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
from application.context import Caller
from application.lab import PartnerLab

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


@dataclass(frozen=True)
class Report:
    """``GET /reports/<name>``: ``read(lab)(caller, scope, position=..., **more)`` as
    ``schema``, or as the CSV ``table(report, choice)`` (the file is named after the report).
    ``tables`` are the CSV tables ``table=`` chooses from (the first by default); ``more`` the
    report's own query parameters, passed to it by name."""

    name: str
    schema: type[BaseModel]
    read: Callable[[PartnerLab], Callable[..., Any]]
    table: Callable[[Any, str], Table]
    description: str
    tables: Any = None
    more: tuple[inspect.Parameter, ...] = ()


REPORTS = (
    Report(
        "signed",
        SignedReportPublic,
        lambda lab: lab.reports.signed_report,
        lambda report, _: signed_table(report),
        "Contracts per year of signature (dated by signed_on) and category.",
    ),
    Report(
        "funnel",
        FunnelReportPublic,
        lambda lab: lab.reports.funnel_report,
        funnel_table,
        "How many reached each stage, conversions (any-stage and strict), abandonments with\n"
        "their reasons.",
        tables=Literal["stages", "abandonments"],
    ),
    Report(
        "time-in-stage",
        TimeInStageReportPublic,
        lambda lab: lab.reports.time_in_stage_report,
        time_in_stage_table,
        "Median and 90th percentile days per stage, meeting-to-contract cycle time, stalled\n"
        "partnerships.",
        tables=Literal["stages", "stalled"],
        more=(
            inspect.Parameter(
                "stalled_after_days",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    int,
                    Query(ge=1, le=36_500, description="No milestone for this many days: stalled."),
                ],
                default=90,
            ),
        ),
    ),
    Report(
        "impact",
        ImpactReportPublic,
        lambda lab: lab.reports.impact_report,
        lambda report, _: impact_table(report),
        "Committed values (EUR, in-kind EUR, skills days) and evaluation indicators by category\n"
        "and year.",
    ),
    Report(
        "pipeline",
        PipelineReportPublic,
        lambda lab: lab.reports.pipeline_report,
        lambda report, _: pipeline_table(report),
        "Open (not abandoned) partnerships per stage reached.",
    ),
)


def _endpoint(row: Report) -> Callable[..., Response]:
    def endpoint(
        *,
        request: Request,
        lab: PartnerLab,
        caller: Caller,
        scope: Any,
        position: int | None = None,
        format: str | None = None,
        table: str | None = None,
        **more: Any,
    ) -> Response:
        if row.tables is not None:
            _table_for(format, request, table)
        report = row.read(lab)(caller, scope, **more, position=position)
        body = row.schema.model_validate(report)
        choice = table or (get_args(row.tables)[0] if row.tables is not None else "")
        return respond(request, format, row.name, body, row.table(report, choice))

    keyword = inspect.Parameter.KEYWORD_ONLY
    tables = (
        [
            inspect.Parameter(
                "table",
                keyword,
                annotation=Annotated[row.tables | None, Query(description="The CSV table.")],
                default=None,
            )
        ]
        if row.tables is not None
        else []
    )
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", keyword, annotation=Request),
            inspect.Parameter("lab", keyword, annotation=LabDep),
            inspect.Parameter("caller", keyword, annotation=ReportReaderDep),
            inspect.Parameter("scope", keyword, annotation=ScopeDep),
            *row.more,
            inspect.Parameter("position", keyword, annotation=ReadPosition, default=None),
            inspect.Parameter("format", keyword, annotation=Format, default=None),
            *tables,
        ],
        return_annotation=Response,
    )
    return endpoint


for _report in REPORTS:
    add_named_route(
        router,
        f"/{_report.name}",
        _endpoint(_report),
        _report.name.replace("-", "_"),
        _report.description,
        _report.schema,
        responses=PROBLEMS,
    )
