"""``/console/reports``: the reports' figures for a signed-in person, each with a download as
CSV (for French Excel) and as XLSX, and the funding split against the lab's 70 % / 30 %
target year on year.

Every figure comes from the reporting use cases (``lab.reports``, ``lab.funding``) with the
scope the filter form sets (period, category, territory, origin); the page, the CSV and the
XLSX are written from the same ``FigureTable`` (``api/reporting/figure_tables.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.console.labels import Labels
from api.console.locales import request_locale, translator
from api.console.messages import explain
from api.console.parsing import FormValueError, day
from api.console.session import UserDep, context, lab_of
from api.console.templating import page
from api.reporting.figure_tables import (
    FIGURES,
    FigureTable,
    abandonments_table,
    funding_table,
    funnel_table,
    impact_table,
    pipeline_table,
    signed_table,
    stalled_table,
    time_in_stage_table,
    to_csv,
    to_xlsx,
)
from application import followers
from application.access.accounts import ConsoleUser
from application.activities.views import FundingFilter
from application.errors import ApplicationError
from application.lab import PartnerLab
from application.reporting.ports import ReportScope
from domain.errors import DomainError
from domain.values import Category, OriginKind

router = APIRouter(include_in_schema=False)
REPORTS = "/console/reports"
NO_STORE = {"Cache-Control": "no-store"}
PARALLEL_READS = 3
Text = Annotated[str, Query(max_length=40)]
FigureName = Literal[
    "signed", "funnel", "abandonments", "time-in-stage", "stalled", "impact", "pipeline", "funding"
]


def _scope(values: dict[str, str], locale: str) -> tuple[ReportScope, dict[str, str]]:
    """The report scope the filter form asks for, and a message by field it could not read."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        try:
            dates[name] = day(values[name], name) if values.get(name) else None
        except FormValueError as error:
            errors[name] = explain(error.rule, error.rule, locale)
            dates[name] = None
    categories = {c.value: c for c in Category}
    origins = {o.value: o for o in OriginKind}
    scope = ReportScope(
        period_from=dates["from"],
        period_to=dates["to"],
        category=categories.get(values.get("category", "")),
        origin_kind=origins.get(values.get("origin_kind", "")),
        territory=values.get("territory") or None,
    )
    return scope, errors


def figure_tables(
    lab: PartnerLab,
    user: ConsoleUser,
    scope: ReportScope,
    _: Callable[[str], str],
    only: str | None = None,
) -> dict[str, FigureTable]:
    """The page's figures (or ``only`` one of them), from the reporting use cases.

    The use cases are independent reads: the page waits once for their read models (not
    once per use case), then runs them side by side (each in a thread of its own, with its
    own database connection), so that it answers in about the time of the slowest one
    rather than in their sum."""
    caller = user.caller
    year_from = scope.period_from.year if scope.period_from else None
    year_to = scope.period_to.year if scope.period_to else None
    reads: dict[str, Callable[[], Any]] = {
        "signed": lambda: lab.reports.signed_report(caller, scope),
        "funnel": lambda: lab.reports.funnel_report(caller, scope),
        "time": lambda: lab.reports.time_in_stage_report(caller, scope),
        "impact": lambda: lab.reports.impact_report(caller, scope),
        "pipeline": lambda: lab.reports.pipeline_report(caller, scope),
        "funding": lambda: lab.funding.funding_report(caller, FundingFilter(year_from, year_to)),
    }
    tables: dict[str, tuple[str, Callable[[Any], FigureTable]]] = {
        "signed": ("signed", lambda r: signed_table(r, _)),
        "funnel": ("funnel", lambda r: funnel_table(r, _)),
        "abandonments": ("funnel", lambda r: abandonments_table(r, _)),
        "time-in-stage": ("time", lambda r: time_in_stage_table(r, _)),
        "stalled": ("time", lambda r: stalled_table(r, _)),
        "impact": ("impact", lambda r: impact_table(r, _)),
        "pipeline": ("pipeline", lambda r: pipeline_table(r, _)),
        "funding": ("funding", lambda r: funding_table(r, _)),
    }
    wanted = [only] if only else list(tables)
    needed = sorted({tables[name][0] for name in wanted})
    if len(needed) == 1:
        results = {needed[0]: reads[needed[0]]()}
    else:
        with (
            lab.read_models.caught_up(followers.REPORTS + followers.ACTIVITIES, caller.lab),
            ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool,
        ):
            futures = {read: pool.submit(copy_context().run, reads[read]) for read in needed}
            results = {read: future.result() for read, future in futures.items()}
    return {name: tables[name][1](results[tables[name][0]]) for name in wanted}


def _filters(
    period_from: str, period_to: str, category: str, territory: str, origin_kind: str
) -> dict[str, str]:
    return {
        "from": period_from.strip(),
        "to": period_to.strip(),
        "category": category,
        "territory": territory.strip(),
        "origin_kind": origin_kind,
    }


@router.get(REPORTS, response_class=HTMLResponse)
def reports(
    request: Request,
    user: UserDep,
    period_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    period_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    category: Text = "",
    territory: Annotated[str, Query(max_length=3)] = "",
    origin_kind: Text = "",
) -> HTMLResponse:
    locale = request_locale(request)
    _ = translator(locale)
    values = _filters(period_from, period_to, category, territory, origin_kind)
    scope, errors = _scope(values, locale)
    tables: dict[str, FigureTable] = {}
    status = 200
    if not errors:
        try:
            tables = figure_tables(lab_of(request), user, scope, _)
        except (ApplicationError, DomainError) as error:
            field = {"period_to": "to", "period_from": "from"}.get(error.field or "", error.field)
            errors[field or "from"] = explain(error.rule, error.message, locale)
    if errors:
        status = 422
    query = urlencode({k: v for k, v in values.items() if v})
    return page(
        "reporting/reports.html",
        locale,
        status_code=status,
        headers=NO_STORE,
        **context(
            request,
            user,
            tables=tables,
            values=values,
            errors=errors,
            query=f"?{query}" if query else "",
            category_options=[(c, _(w)) for c, w in Labels.category.items()],
            origin_options=[(c, _(w)) for c, w in Labels.origin.items()],
        ),
    )


@router.get(REPORTS + "/{figure}.{extension}")
def download(
    request: Request,
    user: UserDep,
    figure: FigureName,
    extension: Literal["csv", "xlsx"],
    period_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    period_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    category: Text = "",
    territory: Annotated[str, Query(max_length=3)] = "",
    origin_kind: Text = "",
) -> Response:
    locale = request_locale(request)
    _ = translator(locale)
    values = _filters(period_from, period_to, category, territory, origin_kind)
    scope, errors = _scope(values, locale)
    if errors:
        return reports(request, user, period_from, period_to, category, territory, origin_kind)
    try:
        table = figure_tables(lab_of(request), user, scope, _, only=figure)[figure]
    except (ApplicationError, DomainError):
        return reports(request, user, period_from, period_to, category, territory, origin_kind)
    stamp = lab_of(request).reports.clock().isoformat()
    name = f"partnerlab-{figure}-{stamp}.{extension}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE}
    if extension == "csv":
        return Response(to_csv(table, _), media_type="text/csv; charset=utf-8",
                        headers=disposition)  # fmt: skip
    return Response(
        to_xlsx(table, _),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )


assert set(FIGURES) == set(FigureName.__args__)  # type: ignore[attr-defined]
