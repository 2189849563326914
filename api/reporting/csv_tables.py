"""Reports as CSV tables: one header row, then one row per figure line.

Each report has a main table; the funnel's abandonment reasons and the stalled partnerships
are tables of their own (``table=abandonments``, ``table=stalled``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from api.csv_cells import csv_text
from application.reporting.figures import CATEGORIES
from application.reporting.views import (
    Durations,
    FunnelReport,
    ImpactFigures,
    ImpactReport,
    PipelineReport,
    SignedReport,
    TimeInStageReport,
)

Table = tuple[Sequence[str], Iterable[Sequence[Any]]]

TABLES: dict[str, tuple[str, ...]] = {
    "signed": ("years",),
    "funnel": ("stages", "abandonments"),
    "time-in-stage": ("stages", "stalled"),
    "impact": ("rows",),
    "pipeline": ("stages",),
}


def render(table: Table) -> str:
    """The table as CSV, every text cell safe from spreadsheet formulas (``csv_cells``)."""
    header, rows = table
    return csv_text(header, rows)


def signed_table(report: SignedReport) -> Table:
    return (
        ("year", *CATEGORIES, "total"),
        [(y.year, *(y.by_category[c] for c in CATEGORIES), y.total) for y in report.years],
    )


def funnel_table(report: FunnelReport, table: str) -> Table:
    if table == "abandonments":
        return (
            ("stage", "reason", "count"),
            [(a.stage.value, a.reason, a.count) for a in report.abandonments],
        )
    return (
        ("stage", "reached", "reached_strict", "conversion", "conversion_strict", "abandoned"),
        [
            (
                s.stage.value,
                s.reached,
                s.reached_strict,
                s.conversion,
                s.conversion_strict,
                s.abandoned,
            )
            for s in report.stages
        ],
    )


def _durations(d: Durations) -> tuple[Any, ...]:
    return (d.count, d.median_days, d.p90_days)


def time_in_stage_table(report: TimeInStageReport, table: str) -> Table:
    if table == "stalled":
        return (
            (
                "partnership_id",
                "association",
                "company",
                "stage",
                "last_milestone_on",
                "days_without_milestone",
            ),
            [
                (
                    s.partnership_id,
                    s.association_name,
                    s.company_name,
                    s.stage.value,
                    s.last_milestone_on.isoformat(),
                    s.days_without_milestone,
                )
                for s in report.stalled
            ],
        )
    rows: list[tuple[Any, ...]] = [
        (s.stage.value, *_durations(s.in_stage), *_durations(s.to_reach)) for s in report.stages
    ]
    rows.append(("meeting_to_contract", None, None, None, *_durations(report.cycle_time)))
    return (
        (
            "stage",
            "left",
            "median_days_in_stage",
            "p90_days_in_stage",
            "reached",
            "median_days_to_reach",
            "p90_days_to_reach",
        ),
        rows,
    )


IMPACT_COLUMNS = (
    "contracts",
    "renewals",
    "financial_eur",
    "in_kind_eur",
    "skills_days",
    "evaluations",
    "beneficiaries",
    "jobs_created",
    "volunteer_days",
    "evaluated_skills_days",
    "evaluated_in_kind_eur",
    "satisfaction_answers",
    "satisfaction_average",
)


def _impact(figures: ImpactFigures) -> tuple[Any, ...]:
    return tuple(getattr(figures, c) for c in IMPACT_COLUMNS)


def impact_table(report: ImpactReport) -> Table:
    rows: list[tuple[Any, ...]] = [(r.category, r.year, *_impact(r.figures)) for r in report.rows]
    rows.append(("all", "all", *_impact(report.totals)))
    return (("category", "year", *IMPACT_COLUMNS), rows)


def pipeline_table(report: PipelineReport) -> Table:
    rows: list[tuple[Any, ...]] = [(s.stage.value, s.open) for s in report.stages]
    rows.append(("total", report.total_open))
    return (("stage", "open"), rows)
