"""The reports' figures as tables a person reads, downloads as CSV for French Excel, or as XLSX.

One ``FigureTable`` per figure of the reports page: translated column headers, each column's
kind (text, whole number, decimal, euros, percentage, date) and the rows. The same table is
shown on the page, written as CSV and written as XLSX, so the three always agree.

- CSV, as French Excel opens it without an import dialog: UTF-8 with a byte-order mark, ``;``
  between cells, a decimal comma, dates as 15/12/2026, percentages as numbers (``42,5``), and
  every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  given a leading apostrophe (a spreadsheet would read it as a formula, CWE-1236).
- XLSX (openpyxl): numbers as numbers, dates as dates, percentages as fractions with a
  percentage format; text cells are always text (never formulas).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from api.console.labels import N_, category, stage
from application.activities.views import FundingReport, FundingYear
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
from domain.activities.values import FundingSource

Kind = Literal["text", "year", "int", "decimal", "euros", "percent", "date"]
Value = str | int | Decimal | date | None

PUBLIC_TARGET = Decimal("0.70")
"""The lab's funding target: 70 % public money (subsidies), 30 % its own income."""
OWN_TARGET = Decimal("0.30")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    """A message id (English); shown and downloaded in the person's language."""
    kind: Kind = "text"


@dataclass(frozen=True)
class FigureTable:
    name: str
    """The figure's name in download links (``signed``, ``funding``...)."""
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Value, ...]]


FIGURES = (
    "signed",
    "funnel",
    "abandonments",
    "time-in-stage",
    "stalled",
    "impact",
    "pipeline",
    "funding",
)


# ------------------------------------------------------------------------------ the tables


def signed_table(report: SignedReport, _: Callable[[str], str]) -> FigureTable:
    return FigureTable(
        "signed",
        N_("Contracts signed per year and category"),
        (
            Column(N_("Year"), "year"),
            *(Column(category[c], "int") for c in CATEGORIES),
            Column(N_("Total"), "int"),
        ),
        [(y.year, *(y.by_category[c] for c in CATEGORIES), y.total) for y in report.years],
    )


def funnel_table(report: FunnelReport, _: Callable[[str], str]) -> FigureTable:
    return FigureTable(
        "funnel",
        N_("Partnerships that reached each stage"),
        (
            Column(N_("Stage")),
            Column(N_("Reached"), "int"),
            Column(N_("Conversion from the previous stage"), "percent"),
            Column(N_("Reached without skipping a stage"), "int"),
            Column(N_("Strict conversion"), "percent"),
            Column(N_("Abandoned at this stage"), "int"),
        ),
        [
            (
                _(stage[s.stage.value]),
                s.reached,
                s.conversion,
                s.reached_strict,
                s.conversion_strict,
                s.abandoned,
            )
            for s in report.stages
        ],
    )


def abandonments_table(report: FunnelReport, _: Callable[[str], str]) -> FigureTable:
    return FigureTable(
        "abandonments",
        N_("Abandonments by stage and reason"),
        (Column(N_("Stage")), Column(N_("Reason")), Column(N_("Partnerships"), "int")),
        [(_(stage[a.stage.value]), a.reason, a.count) for a in report.abandonments],
    )


def _durations(d: Durations) -> tuple[Value, ...]:
    return (d.count, d.median_days, d.p90_days)


def time_in_stage_table(report: TimeInStageReport, _: Callable[[str], str]) -> FigureTable:
    rows: list[tuple[Value, ...]] = [
        (_(stage[s.stage.value]), *_durations(s.in_stage), *_durations(s.to_reach))
        for s in report.stages
    ]
    rows.append((_("From the first meeting to the contract"), None, None, None,
                 *_durations(report.cycle_time)))  # fmt: skip
    return FigureTable(
        "time-in-stage",
        N_("Days in each stage"),
        (
            Column(N_("Stage")),
            Column(N_("Left the stage"), "int"),
            Column(N_("Median days in the stage"), "decimal"),
            Column(N_("Days in the stage, 90th percentile"), "int"),
            Column(N_("Reached the stage"), "int"),
            Column(N_("Median days to reach it"), "decimal"),
            Column(N_("Days to reach it, 90th percentile"), "int"),
        ),
        rows,
    )


def stalled_table(report: TimeInStageReport, _: Callable[[str], str]) -> FigureTable:
    return FigureTable(
        "stalled",
        N_("Stalled partnerships"),
        (
            Column(N_("Association")),
            Column(N_("Company")),
            Column(N_("Stage")),
            Column(N_("Last milestone"), "date"),
            Column(N_("Days without a milestone"), "int"),
        ),
        [
            (
                s.association_name,
                s.company_name,
                _(stage[s.stage.value]),
                s.last_milestone_on,
                s.days_without_milestone,
            )
            for s in report.stalled
        ],
    )


IMPACT_COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    ("contracts", N_("Contracts"), "int"),
    ("renewals", N_("Renewals"), "int"),
    ("financial_eur", N_("Financial patronage (€)"), "euros"),
    ("in_kind_eur", N_("In-kind value (€)"), "euros"),
    ("skills_days", N_("Skills days"), "decimal"),
    ("evaluations", N_("Evaluations"), "int"),
    ("beneficiaries", N_("Beneficiaries"), "int"),
    ("jobs_created", N_("Jobs created"), "int"),
    ("volunteer_days", N_("Volunteer days"), "decimal"),
    ("satisfaction_average", N_("Average satisfaction"), "decimal"),
)


def _impact(figures: ImpactFigures) -> tuple[Value, ...]:
    return tuple(getattr(figures, name) for name, _label, _kind in IMPACT_COLUMNS)


def impact_table(report: ImpactReport, _: Callable[[str], str]) -> FigureTable:
    rows: list[tuple[Value, ...]] = [
        (_(category.get(r.category, r.category)), r.year, *_impact(r.figures)) for r in report.rows
    ]
    rows.append((_("All categories"), None, *_impact(report.totals)))
    return FigureTable(
        "impact",
        N_("Impact per category and year"),
        (
            Column(N_("Category")),
            Column(N_("Year"), "year"),
            *(Column(label, kind) for _name, label, kind in IMPACT_COLUMNS),
        ),
        rows,
    )


def pipeline_table(report: PipelineReport, _: Callable[[str], str]) -> FigureTable:
    rows: list[tuple[Value, ...]] = [(_(stage[s.stage.value]), s.open) for s in report.stages]
    rows.append((_("Total"), report.total_open))
    return FigureTable(
        "pipeline",
        N_("Open partnerships per stage"),
        (Column(N_("Stage")), Column(N_("Open partnerships"), "int")),
        rows,
    )


def _source(year: FundingYear, source: FundingSource) -> Decimal:
    return next((s.amount_eur for s in year.sources if s.name == source.value), Decimal(0))


def funding_split(year: FundingYear) -> tuple[Value, ...]:
    """One year's public money (subsidies) and own income (consulting, trainings), each with
    its share, against the 70 % / 30 % target (the gap in percentage points, as a fraction)."""
    public = year.total_eur - year.earned_eur
    public_share = (public / year.total_eur).quantize(Decimal("0.0001")) if year.total_eur else None
    own_share = (
        (year.earned_eur / year.total_eur).quantize(Decimal("0.0001")) if year.total_eur else None
    )
    gap = None if public_share is None else public_share - PUBLIC_TARGET
    return (
        _source(year, FundingSource.SUBSIDY),
        _source(year, FundingSource.CONSULTING),
        _source(year, FundingSource.TRAINING),
        year.total_eur,
        public_share,
        own_share,
        PUBLIC_TARGET,
        gap,
    )


def funding_table(report: FundingReport, _: Callable[[str], str]) -> FigureTable:
    rows: list[tuple[Value, ...]] = [(y.year, *funding_split(y)) for y in report.years]
    if report.years:
        rows.append((_("All years"), *funding_split(report.total)))
    return FigureTable(
        "funding",
        N_("Funding: public money and own income against the target (70 public, 30 own income)"),
        (
            Column(N_("Year"), "year"),
            Column(N_("Subsidies (€)"), "euros"),
            Column(N_("Consulting (€)"), "euros"),
            Column(N_("Trainings (€)"), "euros"),
            Column(N_("Total income (€)"), "euros"),
            Column(N_("Public share"), "percent"),
            Column(N_("Own income share"), "percent"),
            Column(N_("Public share target"), "percent"),
            Column(N_("Gap to the public target"), "percent"),
        ),
        rows,
    )


# ------------------------------------------------------------------------------ downloads


def neutralised(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Value, kind: Kind) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = (Decimal(value) * 100).quantize(Decimal("0.01")) if kind == "percent" else value
        return str(number).replace(".", ",")
    return neutralised(str(value))


def to_csv(table: FigureTable, _: Callable[[str], str]) -> bytes:
    """The table as French Excel opens it: BOM, ``;``, decimal comma, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [neutralised(_(c.header) + (" (%)" if c.kind == "percent" else "")) for c in table.columns]
    )
    for row in table.rows:
        writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NUMBER_FORMATS: dict[Kind, str] = {
    "percent": "0.00%",
    "euros": "#,##0.00",
    "decimal": "0.##",
    "date": "DD/MM/YYYY",
    "year": "0",
}


def to_xlsx(table: FigureTable, _: Callable[[str], str]) -> bytes:
    """The table as a workbook of one sheet: numbers as numbers, text never a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.name[:31]
    sheet.append([_(c.header) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    for index, column in enumerate(table.columns, start=1):
        number_format = NUMBER_FORMATS.get(column.kind)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            _fix_cell(cell, number_format)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(_(column.header)) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fix_cell(cell: XlsxCell | MergedCell, number_format: str | None) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl would take a text starting with "=" for a formula
    elif number_format and cell.value is not None:
        cell.number_format = number_format
