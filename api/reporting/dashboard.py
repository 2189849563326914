"""``/dashboard``: the reports on one page (``reporting/templates/dashboard.html``), charts
in SVG.

Every figure on the page comes from the same report use cases as ``/api/v1/reports/*``, with
the same scope (``as_of``, ``known_at``, filters), and each figure's cell carries a
``data-figure`` name so that a test (or a person) can check it against the JSON.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.console.labels import N_, category, stage
from api.console.locales import request_locale, translator
from api.console.templating import page
from api.deps import LabDep, ReportReaderDep
from api.reporting.charts import Bar, Chart, horizontal_bars, stacked_columns
from api.reporting.params import ReadPosition, ScopeDep
from application.reporting.figures import CATEGORIES
from application.reporting.ports import ReportScope
from application.reporting.views import (
    FunnelReport,
    ImpactReport,
    PipelineReport,
    SignedReport,
    TimeInStageReport,
)
from domain.values import Category, OriginKind

router = APIRouter(tags=["dashboard"])

IMPACT_FIGURES = (
    ("contracts", N_("contracts signed")),
    ("renewals", N_("renewals")),
    ("financial_eur", N_("financial patronage")),
    ("in_kind_eur", N_("in-kind value")),
    ("skills_days", N_("skills days")),
    ("evaluations", N_("evaluations")),
    ("beneficiaries", N_("beneficiaries")),
    ("jobs_created", N_("jobs created")),
    ("volunteer_days", N_("volunteer days")),
    ("satisfaction_average", N_("average satisfaction")),
)


def shown(value: Any) -> str:
    """A figure as the JSON reports give it (``-`` for none), so that it can be checked."""
    return "-" if value is None else str(value)


def charts(
    locale: str,
    signed: SignedReport,
    funnel: FunnelReport,
    time: TimeInStageReport,
    pipeline: PipelineReport,
) -> dict[str, Chart]:
    """The dashboard's four charts, their words in the reader's language."""
    _ = translator(locale)

    def stage_word(code: str) -> str:
        return _(stage[code])

    conversion = _("of previous")
    return {
        "signed": stacked_columns(
            _("Contracts signed per year, by category"),
            [_(category[c]) for c in CATEGORIES],
            [(str(y.year), [y.by_category[c] for c in CATEGORIES]) for y in signed.years],
        ),
        "funnel": horizontal_bars(
            _("Partnerships that reached each stage"),
            [
                Bar(
                    stage_word(s.stage.value),
                    s.reached,
                    f"({_('strict')} {s.reached_strict}"
                    + (
                        f", {float(s.conversion) * 100:.0f} % {conversion})"
                        if s.conversion is not None
                        else ")"
                    ),
                )
                for s in funnel.stages
            ],
        ),
        "time": horizontal_bars(
            _("Median days in each stage (tick: 90th percentile)"),
            [
                Bar(
                    stage_word(s.stage.value),
                    float(s.in_stage.median_days or 0),
                    f"(n={s.in_stage.count})",
                )
                for s in time.stages[:-1]
            ],
            markers=[
                float(s.in_stage.p90_days) if s.in_stage.p90_days is not None else None
                for s in time.stages[:-1]
            ],
            marker_label=_("90th percentile"),
            unit=" " + _("d"),
        ),
        "pipeline": horizontal_bars(
            _("Open partnerships per stage"),
            [Bar(stage_word(s.stage.value), s.open) for s in pipeline.stages],
        ),
    }


def render_dashboard(
    scope: ReportScope,
    signed: SignedReport,
    funnel: FunnelReport,
    time: TimeInStageReport,
    pipeline: PipelineReport,
    impact: ImpactReport,
    locale: str = "en",
    here: str = "/dashboard",
) -> HTMLResponse:
    known = scope.known_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if scope.known_at else ""
    return page(
        "reporting/dashboard.html",
        locale,
        scope=scope,
        known_at=known,
        origins=[o.value for o in OriginKind],
        categories=[c.value for c in Category],
        category_codes=CATEGORIES,
        signed=signed,
        funnel=funnel,
        time=time,
        pipeline=pipeline,
        impact=impact,
        impact_figures=[
            (name, label, getattr(impact.totals, name)) for name, label in IMPACT_FIGURES
        ],
        charts=charts(locale, signed, funnel, time, pipeline),
        shown=shown,
        here=here,
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    lab: LabDep,
    caller: ReportReaderDep,
    scope: ScopeDep,
    position: ReadPosition = None,
) -> HTMLResponse:
    """The reports on one page with charts, for the scope given (as the JSON reports)."""
    signed = lab.reports.signed_report(caller, scope, position=position)
    resolved = signed.scope
    return render_dashboard(
        resolved,
        signed,
        lab.reports.funnel_report(caller, scope),
        lab.reports.time_in_stage_report(caller, scope),
        lab.reports.pipeline_report(caller, scope),
        lab.reports.impact_report(caller, scope),
        request_locale(request),
        str(request.url.replace(scheme="", netloc="")),
    )
