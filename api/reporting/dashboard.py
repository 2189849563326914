"""``/dashboard``: the reports on one server-rendered page, with inline SVG charts.

Every figure on the page comes from the same report use cases as ``/api/v1/reports/*``, with
the same scope (``as_of``, ``known_at``, filters), and each figure's cell carries a
``data-figure`` name so that a test (or a person) can check it against the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import LabDep, ReportReaderDep
from api.reporting.charts import Bar, horizontal_bars, stacked_columns
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

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#1a202c}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin:1.6rem 0 .4rem}
.scope{color:#4a5568;margin:.2rem 0 1rem} form{display:flex;flex-wrap:wrap;gap:.6rem;
align-items:end;background:#f7fafc;padding:.8rem;border-radius:6px}
label{display:flex;flex-direction:column;font-size:.8rem;color:#4a5568}
input,select{font-size:.9rem;padding:.2rem}
table{border-collapse:collapse;margin:.4rem 0;font-size:.85rem}
th,td{border:1px solid #e2e8f0;padding:.2rem .5rem;text-align:right}
th:first-child,td:first-child,td.text{text-align:left} section{margin-bottom:1rem;min-width:0}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
"""


def _cell(name: str, value: Any) -> str:
    shown = "-" if value is None else str(value)
    return f"<td data-figure='{escape(name)}'>{escape(shown)}</td>"


def _table(header: Iterable[str], rows: Iterable[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _options(current: str | None, values: Iterable[str]) -> str:
    options = ["<option value=''>all</option>"]
    for value in values:
        selected = " selected" if value == current else ""
        options.append(f"<option value='{escape(value)}'{selected}>{escape(value)}</option>")
    return "".join(options)


def _form(scope: ReportScope) -> str:
    def date_input(name: str, label: str, value: Any) -> str:
        shown = value.isoformat() if value is not None else ""
        return f"<label>{label}<input type='date' name='{name}' value='{escape(shown)}'></label>"

    known = scope.known_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if scope.known_at else ""
    return (
        "<form method='get' action='/dashboard'>"
        + date_input("as_of", "as of (business date)", scope.as_of)
        + f"<label>known at (UTC)<input name='known_at' value='{escape(known)}'"
        " placeholder='2025-01-31T18:00:00Z'></label>"
        + "<label>origin<select name='origin_kind'>"
        + _options(
            scope.origin_kind.value if scope.origin_kind else None, [o.value for o in OriginKind]
        )
        + "</select></label><label>category<select name='category'>"
        + _options(scope.category.value if scope.category else None, [c.value for c in Category])
        + "</select></label>"
        + "<label>territory<input name='territory' size='3'"
        + f" value='{escape(scope.territory or '')}'></label>"
        + "<label>session or event<input name='origin_reference_id'"
        + f" value='{escape(scope.origin_reference_id or '')}'></label>"
        + date_input("from", "from", scope.period_from)
        + date_input("to", "to", scope.period_to)
        + "<button type='submit'>Show</button></form>"
    )


def _describe(scope: ReportScope) -> str:
    moment = f"as of {scope.as_of.isoformat()}" if scope.as_of else "now"
    if scope.known_at is not None:
        moment += f", as known at {scope.known_at.astimezone(UTC).isoformat()}"
    filters = [
        f"{name} {value}"
        for name, value in (
            ("origin", scope.origin_kind.value if scope.origin_kind else None),
            ("session/event", scope.origin_reference_id),
            ("category", scope.category.value if scope.category else None),
            ("territory", scope.territory),
            ("from", scope.period_from.isoformat() if scope.period_from else None),
            ("to", scope.period_to.isoformat() if scope.period_to else None),
        )
        if value
    ]
    return f"<p class='scope' id='scope'>Figures {escape(moment)}" + (
        f"; {escape(', '.join(filters))}</p>" if filters else "; all partnerships</p>"
    )


def _signed(report: SignedReport) -> str:
    chart = stacked_columns(
        "Contracts signed per year, by category",
        CATEGORIES,
        [(str(y.year), [y.by_category[c] for c in CATEGORIES]) for y in report.years],
    )
    rows = [
        f"<tr><td>{y.year}</td>"
        + "".join(_cell(f"signed.{y.year}.{c}", y.by_category[c]) for c in CATEGORIES)
        + _cell(f"signed.{y.year}.total", y.total)
        + "</tr>"
        for y in report.years
    ]
    rows.append(
        "<tr><td>total</td>"
        + "".join(_cell(f"signed.total.{c}", report.by_category[c]) for c in CATEGORIES)
        + _cell("signed.total", report.total)
        + "</tr>"
    )
    return (
        "<section id='signed'><h2>Contracts signed per year</h2>"
        + chart
        + _table(["year", *CATEGORIES, "total"], rows)
        + "</section>"
    )


def _funnel(report: FunnelReport) -> str:
    bars = [
        Bar(
            s.stage.value,
            s.reached,
            f"(strict {s.reached_strict}"
            + (
                f", {float(s.conversion) * 100:.0f}% of previous)"
                if s.conversion is not None
                else ")"
            ),
        )
        for s in report.stages
    ]
    rows = [
        f"<tr><td>{escape(s.stage.value)}</td>"
        + _cell(f"funnel.{s.stage.value}.reached", s.reached)
        + _cell(f"funnel.{s.stage.value}.reached_strict", s.reached_strict)
        + _cell(f"funnel.{s.stage.value}.conversion", s.conversion)
        + _cell(f"funnel.{s.stage.value}.conversion_strict", s.conversion_strict)
        + _cell(f"funnel.{s.stage.value}.abandoned", s.abandoned)
        + "</tr>"
        for s in report.stages
    ]
    reasons = [
        f"<tr><td>{escape(a.stage.value)}</td><td class='text'>{escape(a.reason)}</td>"
        + _cell(f"funnel.abandoned.{a.stage.value}.{a.reason}", a.count)
        + "</tr>"
        for a in report.abandonments
    ]
    return (
        "<section id='funnel'><h2>Funnel</h2>"
        + horizontal_bars("Partnerships that reached each stage", bars)
        + _table(
            ["stage", "reached", "strict", "conversion", "strict conversion", "abandoned"], rows
        )
        + "<h3>Abandonments</h3>"
        + _table(["stage", "reason", "count"], reasons)
        + "</section>"
    )


def _time(report: TimeInStageReport) -> str:
    bars = [
        Bar(s.stage.value, float(s.in_stage.median_days or 0), f"(n={s.in_stage.count})")
        for s in report.stages[:-1]
    ]
    markers = [s.in_stage.p90_days for s in report.stages[:-1]]
    rows = [
        f"<tr><td>{escape(s.stage.value)}</td>"
        + _cell(f"time.{s.stage.value}.count", s.in_stage.count)
        + _cell(f"time.{s.stage.value}.median", s.in_stage.median_days)
        + _cell(f"time.{s.stage.value}.p90", s.in_stage.p90_days)
        + _cell(f"time.{s.stage.value}.to_reach_median", s.to_reach.median_days)
        + "</tr>"
        for s in report.stages
    ]
    cycle = report.cycle_time
    stalled = [
        f"<tr><td>{escape(s.association_name or '')} / {escape(s.company_name or '')}</td>"
        f"<td class='text'>{escape(s.stage.value)}</td><td>{s.last_milestone_on.isoformat()}</td>"
        f"<td>{s.days_without_milestone}</td></tr>"
        for s in report.stalled[:15]
    ]
    return (
        "<section id='time'><h2>Time in stage (days)</h2>"
        + horizontal_bars(
            "Median days in each stage (tick: 90th percentile)", bars, markers=markers, unit=" d"
        )
        + _table(["stage", "left it", "median", "p90", "median to reach"], rows)
        + "<p>Meeting to contract: <table><tr><td>median days</td>"
        + _cell("time.cycle.median", cycle.median_days)
        + "<td>p90</td>"
        + _cell("time.cycle.p90", cycle.p90_days)
        + "<td>contracts</td>"
        + _cell("time.cycle.count", cycle.count)
        + "</tr></table></p>"
        + f"<h3>Stalled (no milestone for {report.stalled_after_days} days or more on"
        f" {report.reference_date.isoformat()})</h3><table><tr><td>stalled</td>"
        + _cell("time.stalled", report.stalled_count)
        + "</tr></table>"
        + _table(["partners", "stage", "last milestone", "days"], stalled)
        + "</section>"
    )


def _pipeline(report: PipelineReport) -> str:
    bars = [Bar(s.stage.value, s.open) for s in report.stages]
    rows = [
        f"<tr><td>{escape(s.stage.value)}</td>"
        + _cell(f"pipeline.{s.stage.value}", s.open)
        + "</tr>"
        for s in report.stages
    ]
    rows.append("<tr><td>total</td>" + _cell("pipeline.total", report.total_open) + "</tr>")
    return (
        "<section id='pipeline'><h2>Pipeline: open partnerships per stage</h2>"
        + horizontal_bars("Open partnerships per stage", bars)
        + _table(["stage", "open"], rows)
        + "</section>"
    )


def _impact(report: ImpactReport) -> str:
    totals = report.totals
    names = (
        ("contracts", totals.contracts),
        ("renewals", totals.renewals),
        ("financial_eur", totals.financial_eur),
        ("in_kind_eur", totals.in_kind_eur),
        ("skills_days", totals.skills_days),
        ("evaluations", totals.evaluations),
        ("beneficiaries", totals.beneficiaries),
        ("jobs_created", totals.jobs_created),
        ("volunteer_days", totals.volunteer_days),
        ("satisfaction_average", totals.satisfaction_average),
    )
    rows = [f"<tr><td>{escape(n)}</td>" + _cell(f"impact.{n}", v) + "</tr>" for n, v in names]
    return (
        "<section id='impact'><h2>Impact: committed values and evaluations</h2>"
        + _table(["figure", "total"], rows)
        + "</section>"
    )


def render_dashboard(
    scope: ReportScope,
    signed: SignedReport,
    funnel: FunnelReport,
    time: TimeInStageReport,
    pipeline: PipelineReport,
    impact: ImpactReport,
) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Partnerlab dashboard</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>Partnership lab dashboard</h1>"
        + _describe(scope)
        + _form(scope)
        + _signed(signed)
        + "<div class='grid'>"
        + _funnel(funnel)
        + _pipeline(pipeline)
        + "</div>"
        + _time(time)
        + _impact(impact)
        + "</body></html>"
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    lab: LabDep, caller: ReportReaderDep, scope: ScopeDep, position: ReadPosition = None
) -> HTMLResponse:
    """The reports on one page with charts, for the scope given (as the JSON reports)."""
    signed = lab.reports.signed_report(caller, scope, position=position)
    resolved = signed.scope
    return HTMLResponse(
        render_dashboard(
            resolved,
            signed,
            lab.reports.funnel_report(caller, scope),
            lab.reports.time_in_stage_report(caller, scope),
            lab.reports.pipeline_report(caller, scope),
            lab.reports.impact_report(caller, scope),
        )
    )
