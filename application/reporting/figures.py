"""From metric rows to reports (pure). Whichever path the rows come from (the maintained
aggregates, the summary table or the bitemporal milestones), the same arithmetic runs here."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from application.reporting.ports import (
    ABANDONED,
    COMMIT,
    EVALUATED,
    OPEN,
    REACH,
    REACHED,
    SIGNED,
    STAY,
    MetricRow,
    ReportScope,
    StalledPage,
)
from application.reporting.views import (
    Abandonment,
    Durations,
    FunnelReport,
    FunnelStage,
    ImpactFigures,
    ImpactReport,
    ImpactRow,
    PipelineReport,
    PipelineStage,
    SignedReport,
    SignedYear,
    StageTime,
    StalledPartnership,
    TimeInStageReport,
)
from domain.values import Category, OriginKind, Stage

STAGES = list(Stage)
CATEGORIES = [c.value for c in Category]
ORIGINS = [o.value for o in OriginKind]
CONVERSION_PLACES = Decimal("0.0001")
CONTRACT_RANK = Stage.CONTRACT.rank


def _of(rows: Iterable[MetricRow], metric: str) -> list[MetricRow]:
    return [r for r in rows if r.metric == metric]


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """A conversion rate to four decimals (half to even); none when nothing could convert."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        CONVERSION_PLACES, rounding=ROUND_HALF_EVEN
    )


def cents(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2)


# ---------------------------------------------------------------------------- signed


def signed_report(scope: ReportScope, rows: Sequence[MetricRow]) -> SignedReport:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0))
    for r in _of(rows, SIGNED):
        counts[r.k1][r.t] = counts[r.k1].get(r.t, 0) + r.n
    years = range(min(counts), max(counts) + 1) if counts else range(0)
    signed_years = [
        SignedYear(year=y, by_category=dict(counts[y]), total=sum(counts[y].values()))
        for y in years
    ]
    by_category = {c: sum(y.by_category.get(c, 0) for y in signed_years) for c in CATEGORIES}
    return SignedReport(
        scope=scope,
        years=signed_years,
        by_category=by_category,
        total=sum(y.total for y in signed_years),
    )


# ---------------------------------------------------------------------------- funnel


def _reached_all(mask: int, rank: int) -> bool:
    wanted = (1 << (rank + 1)) - 1
    return mask & wanted == wanted


def funnel_report(scope: ReportScope, rows: Sequence[MetricRow]) -> FunnelReport:
    masks = [(r.k1, r.n) for r in _of(rows, REACHED)]
    abandoned_rows = _of(rows, ABANDONED)
    reached = [sum(n for m, n in masks if m >> s.rank & 1) for s in STAGES]
    strict = [sum(n for m, n in masks if _reached_all(m, s.rank)) for s in STAGES]
    abandoned_at = [sum(r.n for r in abandoned_rows if r.k1 == s.rank) for s in STAGES]
    stages = [
        FunnelStage(
            stage=s,
            reached=reached[s.rank],
            reached_strict=strict[s.rank],
            conversion=None if s.rank == 0 else ratio(reached[s.rank], reached[s.rank - 1]),
            conversion_strict=None if s.rank == 0 else ratio(strict[s.rank], strict[s.rank - 1]),
            abandoned=abandoned_at[s.rank],
        )
        for s in STAGES
    ]
    reasons: dict[tuple[int, str], int] = defaultdict(int)
    by_origin = dict.fromkeys(ORIGINS, 0)
    for r in abandoned_rows:
        reasons[(r.k1, r.t)] += r.n
        by_origin[ORIGINS[r.k2]] += r.n
    abandonments = [
        Abandonment(stage=STAGES[rank], reason=reason, count=n)
        for (rank, reason), n in sorted(
            reasons.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])
        )
    ]
    return FunnelReport(
        scope=scope,
        partnerships=sum(n for _, n in masks),
        stages=stages,
        abandonments=abandonments,
        abandoned_by_origin=by_origin,
        abandoned=sum(abandoned_at),
    )


# ---------------------------------------------------------------------------- time in stage


def _value_at(histogram: Sequence[tuple[int, int]], rank: int) -> int:
    """The ``rank``-th smallest value (1-based) of a sorted histogram of (value, count)."""
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    raise ValueError("rank beyond the histogram")


def durations(histogram: Iterable[tuple[int, int]]) -> Durations:
    """Median (the middle value, or the mean of the two middle values) and 90th percentile
    (nearest rank: the smallest value that at least 90 % of the values do not exceed)."""
    sorted_histogram = sorted((v, n) for v, n in histogram if n > 0)
    count = sum(n for _, n in sorted_histogram)
    if count == 0:
        return Durations(count=0, median_days=None, p90_days=None)
    low = _value_at(sorted_histogram, (count + 1) // 2)
    high = _value_at(sorted_histogram, count // 2 + 1)
    median = (Decimal(low + high) / 2).quantize(Decimal("0.1"))
    p90 = _value_at(sorted_histogram, math.ceil(count * 9 / 10))
    return Durations(count=count, median_days=median, p90_days=p90)


def _histograms(rows: Iterable[MetricRow]) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """(metric, stage rank) -> [(days, count)], in one pass over the rows."""
    histograms: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for r in rows:
        if r.metric in (STAY, REACH):
            histograms[(r.metric, r.k1)].append((r.k2, r.n))
    return histograms


def time_in_stage_report(
    scope: ReportScope,
    rows: Sequence[MetricRow],
    *,
    reference_date: date,
    stalled_after_days: int,
    stalled: StalledPage,
) -> TimeInStageReport:
    histograms = _histograms(rows)
    stages = [
        StageTime(
            stage=s,
            in_stage=durations(histograms.get((STAY, s.rank), [])),
            to_reach=durations(histograms.get((REACH, s.rank), [])),
        )
        for s in STAGES
    ]
    return TimeInStageReport(
        scope=scope,
        reference_date=reference_date,
        stalled_after_days=stalled_after_days,
        stages=stages,
        cycle_time=stages[CONTRACT_RANK].to_reach,
        stalled_count=stalled.count,
        stalled=[
            StalledPartnership(
                partnership_id=s.partnership_id,
                association_name=s.association_name,
                company_name=s.company_name,
                stage=STAGES[s.stage_rank],
                last_milestone_on=s.last_milestone_on,
                days_without_milestone=(reference_date - s.last_milestone_on).days,
            )
            for s in stalled.rows
        ],
    )


# ---------------------------------------------------------------------------- impact

_ZERO = (0, 0, 0, 0, 0, 0, 0)


def _figures(
    contracts: MetricRow | None, renewals: MetricRow | None, evaluated: MetricRow | None
) -> ImpactFigures:
    c = contracts.sums if contracts else _ZERO
    r = renewals.sums if renewals else _ZERO
    e = evaluated.sums if evaluated else _ZERO
    answers = e[6]
    return ImpactFigures(
        contracts=contracts.n if contracts else 0,
        renewals=renewals.n if renewals else 0,
        financial_eur=cents(c[0] + r[0]),
        in_kind_eur=cents(c[1] + r[1]),
        skills_days=cents(c[2] + r[2]),
        evaluations=evaluated.n if evaluated else 0,
        beneficiaries=e[0],
        jobs_created=e[1],
        volunteer_days=cents(e[2]),
        evaluated_skills_days=cents(e[3]),
        evaluated_in_kind_eur=cents(e[4]),
        satisfaction_answers=answers,
        satisfaction_average=(
            (Decimal(e[5]) / answers).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
            if answers
            else None
        ),
    )


def _category_order(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def _summed(rows: Iterable[MetricRow], metric: str, k2: int = 0) -> MetricRow | None:
    chosen = [r for r in rows if r.metric == metric and r.k2 == k2]
    if not chosen:
        return None
    sums = tuple(sum(r.sums[i] for r in chosen) for i in range(7))
    return MetricRow(metric, 0, k2, "", sum(r.n for r in chosen), sums)  # type: ignore[arg-type]


def impact_report(scope: ReportScope, rows: Sequence[MetricRow]) -> ImpactReport:
    relevant = [r for r in rows if r.metric in (COMMIT, EVALUATED)]
    by_key: dict[tuple[str, int], list[MetricRow]] = defaultdict(list)
    for r in relevant:
        by_key[(r.t, r.k1)].append(r)
    keys = sorted(by_key, key=lambda k: (k[1], _category_order(k[0])))
    table = [
        ImpactRow(
            category=category,
            year=year,
            figures=_figures(
                _summed(by_key[(category, year)], COMMIT, 0),
                _summed(by_key[(category, year)], COMMIT, 1),
                _summed(by_key[(category, year)], EVALUATED),
            ),
        )
        for category, year in keys
    ]
    totals = _figures(
        _summed(relevant, COMMIT, 0), _summed(relevant, COMMIT, 1), _summed(relevant, EVALUATED)
    )
    return ImpactReport(scope=scope, rows=table, totals=totals)


# ---------------------------------------------------------------------------- pipeline


def pipeline_report(scope: ReportScope, rows: Sequence[MetricRow]) -> PipelineReport:
    open_rows = _of(rows, OPEN)
    stages = [
        PipelineStage(stage=s, open=sum(r.n for r in open_rows if r.k1 == s.rank)) for s in STAGES
    ]
    return PipelineReport(scope=scope, stages=stages, total_open=sum(s.open for s in stages))
