"""The funding and cohort computations, checked against sums done by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from application.activities.reports import (
    add_months,
    funding_report,
    interest_counts,
    percent,
    stages_reached,
)
from application.activities.views import CohortPartnership, FundingLine
from domain.activities.values import FundingSource, Interest, MeetingOutcome

SUBSIDY, CONSULTING, TRAINING = (
    FundingSource.SUBSIDY,
    FundingSource.CONSULTING,
    FundingSource.TRAINING,
)


def line(source: FundingSource, year: int, amount: str, payer: str = "Direccte") -> FundingLine:
    return FundingLine(
        source=source,
        year=year,
        amount_eur=Decimal(amount),
        received_on=date(year, 6, 1),
        activity_id=uuid4(),
        payer=payer,
    )


def test_the_budget_of_the_source_splits_seventy_thirty() -> None:
    lines = [
        line(SUBSIDY, 2014, "30000", "Direccte"),
        line(SUBSIDY, 2014, "25000", "Région Alsace"),
        line(SUBSIDY, 2014, "15000", "Communauté urbaine de Strasbourg"),
        line(CONSULTING, 2014, "12000", "IBM France"),
        line(CONSULTING, 2014, "10500", "Cafés Sati"),
        line(TRAINING, 2014, "7500", "La Poste"),
    ]

    (year,) = funding_report(lines).years

    assert year.total_eur == Decimal("100000.00")
    assert [(s.name, s.amount_eur, s.share_percent) for s in year.sources] == [
        ("subsidy", Decimal("70000.00"), Decimal("70.00")),
        ("consulting", Decimal("22500.00"), Decimal("22.50")),
        ("training", Decimal("7500.00"), Decimal("7.50")),
    ]
    assert (year.earned_eur, year.earned_share_percent) == (Decimal("30000.00"), Decimal("30.00"))
    assert [(f.name, f.share_percent) for f in year.subsidies_by_funder] == [
        ("Communauté urbaine de Strasbourg", Decimal("15.00")),
        ("Direccte", Decimal("30.00")),
        ("Région Alsace", Decimal("25.00")),
    ]


def test_shares_are_rounded_half_up_to_a_hundredth_of_a_percent() -> None:
    assert percent(Decimal("1"), Decimal("3")) == Decimal("33.33")
    assert percent(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert percent(Decimal("1"), Decimal("8")) == Decimal("12.50")
    assert percent(Decimal("1"), Decimal("0")) == Decimal("0.00")


def test_years_are_reported_apart_and_in_total() -> None:
    report = funding_report(
        [line(SUBSIDY, 2015, "50000"), line(TRAINING, 2014, "500"), line(CONSULTING, 2015, "2000")]
    )

    assert [y.year for y in report.years] == [2014, 2015]
    assert report.years[0].sources[2].share_percent == Decimal("100.00")
    assert report.total.year is None
    assert report.total.total_eur == Decimal("52500.00")


AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("200000"), places=2)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(FundingSource)), AMOUNTS), min_size=1))
def test_sources_add_up_to_the_total_and_shares_to_about_a_hundred(
    amounts: list[tuple[FundingSource, Decimal]],
) -> None:
    (year,) = funding_report([line(s, 2014, str(a)) for s, a in amounts]).years

    assert sum(s.amount_eur for s in year.sources) == year.total_eur == sum(a for _, a in amounts)
    shares = sum((s.share_percent for s in year.sources), Decimal(0))
    assert abs(shares - 100) <= Decimal("0.02")
    subsidies = sum((a for s, a in amounts if s is SUBSIDY), Decimal(0))
    assert year.total_eur - year.earned_eur == subsidies


def test_months_are_added_to_the_same_day_or_the_end_of_a_shorter_month() -> None:
    assert add_months(date(2014, 3, 12), 6) == date(2014, 9, 12)
    assert add_months(date(2014, 3, 12), 12) == date(2015, 3, 12)
    assert add_months(date(2013, 8, 31), 6) == date(2014, 2, 28)
    assert add_months(date(2015, 8, 31), 6) == date(2016, 2, 29)
    assert add_months(date(2014, 12, 15), 1) == date(2015, 1, 15)


def outcome(held: bool, association: Interest, company: Interest) -> MeetingOutcome:
    return MeetingOutcome(uuid4(), uuid4(), held, association, company)


def test_held_meetings_are_counted_once_by_what_the_two_sides_wanted() -> None:
    follow, info, none = Interest.FOLLOW_UP, Interest.INFORMATIVE, Interest.NONE
    outcomes = [
        outcome(True, follow, follow),
        outcome(True, follow, info),
        outcome(True, none, follow),
        outcome(True, info, none),
        outcome(True, none, none),
        outcome(False, none, none),
    ]

    counts = interest_counts(outcomes)

    assert (counts.mutual_follow_up, counts.one_sided_follow_up) == (1, 2)
    assert (counts.informative, counts.none) == (1, 1)


def cohort(opened: date, co: date | None, contract: date | None) -> CohortPartnership:
    return CohortPartnership(uuid4(), "a", "c", opened, "open", co, contract)


def test_stages_reached_within_six_and_twelve_months_count_the_last_day() -> None:
    held_on = date(2014, 3, 12)
    partnerships = [
        cohort(held_on, date(2014, 6, 1), date(2014, 9, 12)),
        cohort(held_on, date(2014, 9, 13), date(2015, 3, 12)),
        cohort(held_on, date(2015, 3, 13), None),
        cohort(held_on, None, None),
    ]

    co_construction, contract = stages_reached(held_on, partnerships)

    assert (co_construction.within_6_months, co_construction.within_12_months) == (1, 2)
    assert co_construction.so_far == 3
    assert (contract.within_6_months, contract.within_12_months, contract.so_far) == (1, 2, 2)
