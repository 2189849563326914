"""The arithmetic of the reports, from metric rows (no database)."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from application.reporting.figures import (
    durations,
    funnel_report,
    impact_report,
    ratio,
    signed_report,
)
from application.reporting.ports import (
    ABANDONED,
    COMMIT,
    EVALUATED,
    REACHED,
    SIGNED,
    MetricRow,
    ReportScope,
)
from application.reporting.projection import hundredths, microseconds
from domain.values import Stage

ZERO = (0, 0, 0, 0, 0, 0, 0)


def row(
    metric: str, k1: int, n: int, k2: int = 0, t: str = "", sums: tuple[int, ...] = ZERO
) -> MetricRow:
    return MetricRow(metric, k1, k2, t, n, sums)  # type: ignore[arg-type]


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    assert durations([(19, 1), (21, 1), (28, 1), (81, 1)]).median_days == Decimal("24.5")
    assert durations([(19, 1), (21, 1), (28, 1), (81, 1)]).p90_days == 81
    assert durations([]).median_days is None


@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=200))
def test_median_and_90th_percentile_match_the_sorted_values(values: list[int]) -> None:
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    result = durations(histogram.items())
    ordered = sorted(values)
    n = len(ordered)
    middle = (Decimal(ordered[(n - 1) // 2]) + Decimal(ordered[n // 2])) / 2
    assert result.count == n
    assert result.median_days == middle.quantize(Decimal("0.1"))
    assert result.p90_days == ordered[math.ceil(n * 0.9) - 1]
    assert sum(1 for v in values if v <= (result.p90_days or 0)) >= 0.9 * n


def test_strict_reach_needs_every_earlier_stage() -> None:
    # 3 reached meeting only; 2 went through every stage to a contract; 1 has a contract and a
    # co-construction but no idea recorded by then (a backdated co-construction).
    rows = [row(REACHED, 0b00001, 3), row(REACHED, 0b01111, 2), row(REACHED, 0b01101, 1)]
    report = funnel_report(ReportScope(), rows)
    stages = {s.stage: s for s in report.stages}
    assert report.partnerships == 6
    assert (stages[Stage.IDEA].reached, stages[Stage.IDEA].reached_strict) == (2, 2)
    assert (stages[Stage.CONTRACT].reached, stages[Stage.CONTRACT].reached_strict) == (3, 2)
    assert stages[Stage.CO_CONSTRUCTION].conversion == Decimal("1.5000")
    assert stages[Stage.CO_CONSTRUCTION].conversion_strict == Decimal("1.0000")


def test_abandonments_are_listed_by_stage_then_most_frequent_reason() -> None:
    rows = [
        row(REACHED, 1, 4),
        row(ABANDONED, 0, 1, k2=4, t="contact lost"),
        row(ABANDONED, 0, 2, k2=0, t="no budget"),
        row(ABANDONED, 1, 1, k2=0, t="contact lost"),
    ]
    report = funnel_report(ReportScope(), rows)
    assert [(a.stage, a.reason, a.count) for a in report.abandonments] == [
        (Stage.MEETING, "no budget", 2),
        (Stage.MEETING, "contact lost", 1),
        (Stage.IDEA, "contact lost", 1),
    ]
    assert report.abandoned_by_origin["speed_dating"] == 3
    assert report.abandoned_by_origin["spontaneous"] == 1


def test_years_without_contracts_show_as_zero() -> None:
    report = signed_report(
        ReportScope(), [row(SIGNED, 2012, 2, t="patronage"), row(SIGNED, 2014, 1, t="patronage")]
    )
    assert [(y.year, y.total) for y in report.years] == [(2012, 2), (2013, 0), (2014, 1)]


def test_amounts_are_exact_hundredths() -> None:
    assert hundredths(Decimal("12.5")) == 1250
    assert hundredths("0.005") == 0  # half to even
    assert hundredths("0.015") == 2
    report = impact_report(
        ReportScope(),
        [
            row(COMMIT, 2014, 1, sums=(1, 250000, 1250, 0, 0, 0, 0), t="patronage"),
            row(EVALUATED, 2015, 2, sums=(10, 1, 400, 0, 0, 9, 2), t="patronage"),
        ],
    )
    assert report.totals.financial_eur == Decimal("0.01")
    assert report.totals.in_kind_eur == Decimal("2500.00")
    assert report.totals.satisfaction_average == Decimal("4.50")


def test_conversions_are_rounded_half_to_even_and_none_without_a_denominator() -> None:
    assert ratio(2, 3) == Decimal("0.6667")
    assert ratio(1, 0) is None


def test_recording_times_are_whole_microseconds_since_1970() -> None:
    from datetime import UTC, datetime

    assert microseconds(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == 1_000_005
    assert microseconds(datetime(1970, 1, 1, 0, 0, 1)) == 1_000_000
