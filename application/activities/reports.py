"""The funding and cohort reports, computed from plain data (pure: easy to check by hand).

* Funding: income by year and source (subsidies, consulting, training), each with its share of
  the year's income; subsidies also by funder; earned income (consulting and training) apart.
  A subsidy counts in the year it funds; a contribution or a fee in the year it was paid.
* Cohort: for one speed-dating session or event, the meetings held, the interest they raised,
  the partnerships opened there and how many reached co-construction and a contract within 6
  and 12 months of the activity (by the business dates of those milestones).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from application.activities.views import (
    CohortPartnership,
    FundingLine,
    FundingReport,
    FundingYear,
    InterestCounts,
    Share,
    StageReached,
)
from domain.activities.values import FundingSource, Interest, MeetingOutcome

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, rounded half up to 2 decimals (0 of nothing)."""
    if whole == 0:
        return ZERO
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def _shares(amounts: dict[str, Decimal], whole: Decimal) -> list[Share]:
    return [
        Share(name=name, amount_eur=amount.quantize(CENT), share_percent=percent(amount, whole))
        for name, amount in amounts.items()
    ]


def funding_year(year: int | None, lines: Iterable[FundingLine]) -> FundingYear:
    by_source: dict[str, Decimal] = {source.value: Decimal(0) for source in FundingSource}
    by_funder: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_source[line.source.value] += line.amount_eur
        if line.source is FundingSource.SUBSIDY:
            by_funder[line.payer] += line.amount_eur
    total = sum(by_source.values(), Decimal(0))
    earned = sum((by_source[s.value] for s in FundingSource if s.earned), Decimal(0))
    return FundingYear(
        year=year,
        total_eur=total.quantize(CENT),
        sources=_shares(by_source, total),
        subsidies_by_funder=_shares(dict(sorted(by_funder.items())), total),
        earned_eur=earned.quantize(CENT),
        earned_share_percent=percent(earned, total),
    )


def funding_report(lines: Sequence[FundingLine]) -> FundingReport:
    years: dict[int, list[FundingLine]] = defaultdict(list)
    for line in lines:
        years[line.year].append(line)
    return FundingReport(
        years=[funding_year(year, years[year]) for year in sorted(years)],
        total=funding_year(None, lines),
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 August + 6 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def interest_counts(outcomes: Iterable[MeetingOutcome]) -> InterestCounts:
    held = [o for o in outcomes if o.held]
    informative = [
        o
        for o in held
        if not o.mutual_follow_up
        and not o.one_sided_follow_up
        and Interest.INFORMATIVE in (o.association_interest, o.company_interest)
    ]
    mutual = sum(o.mutual_follow_up for o in held)
    one_sided = sum(o.one_sided_follow_up for o in held)
    return InterestCounts(
        mutual_follow_up=mutual,
        one_sided_follow_up=one_sided,
        informative=len(informative),
        none=len(held) - mutual - one_sided - len(informative),
    )


def stages_reached(held_on: date, partnerships: Sequence[CohortPartnership]) -> list[StageReached]:
    """Reached by the day 6 (12) months after the activity, inclusive; abandoned ones count
    for the stages they did reach."""
    six, twelve = add_months(held_on, 6), add_months(held_on, 12)

    def reached(stage: str, dates: list[date | None]) -> StageReached:
        known = [d for d in dates if d is not None]
        return StageReached(
            stage=stage,
            within_6_months=sum(d <= six for d in known),
            within_12_months=sum(d <= twelve for d in known),
            so_far=len(known),
        )

    return [
        reached("co_construction", [p.co_construction_on for p in partnerships]),
        reached("contract", [p.contract_on for p in partnerships]),
    ]
