"""Each report against figures worked out by hand (``report_stories``), on both databases:
backdated entries, corrections and abandonments included; ``as_of`` and ``known_at``
checked against each other; the maintained aggregate against the exact bitemporal path."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from application.context import Caller
from application.reporting.ports import METRICS, ReportScope
from domain.values import Category, OriginKind, Stage
from infrastructure.reporting.sql import COLLAPSED
from partnerlab.bootstrap import Runtime
from tests.integration.report_stories import Lab, record_the_lab

NOW = ReportScope()


@pytest.fixture
def lab(runtime: Runtime, staff: Caller) -> Lab:
    recorded = record_the_lab(runtime.app, staff)
    assert runtime.app.read_models.wait_for_projections(recorded.last_position, timeout=30)
    return recorded


def signed(runtime: Runtime, staff: Caller, scope: ReportScope) -> dict[int, dict[str, int]]:
    report = runtime.app.reports.signed_report(staff, scope)
    return {y.year: {c: n for c, n in y.by_category.items() if n} for y in report.years}


def test_contracts_are_counted_by_their_corrected_signing_year(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    report = runtime.app.reports.signed_report(staff, NOW)
    assert signed(runtime, staff, NOW) == {
        2013: {"responsible_practices": 1},
        2014: {"patronage": 1},
    }
    assert report.total == 2
    assert report.by_category["patronage"] == 1


def test_the_funnel_counts_each_stage_reached_and_every_loss_with_its_reason(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    report = runtime.app.reports.funnel_report(staff, NOW)
    assert report.partnerships == 6
    assert [(s.stage, s.reached, s.reached_strict) for s in report.stages] == [
        (Stage.MEETING, 6, 6),
        (Stage.IDEA, 4, 4),
        (Stage.CO_CONSTRUCTION, 2, 2),
        (Stage.CONTRACT, 2, 2),
        (Stage.EVALUATION, 1, 1),
    ]
    assert [s.conversion for s in report.stages] == [
        None,
        Decimal("0.6667"),
        Decimal("0.5000"),
        Decimal("1.0000"),
        Decimal("0.5000"),
    ]
    assert [(s.stage, s.abandoned) for s in report.stages if s.abandoned] == [
        (Stage.MEETING, 1),
        (Stage.IDEA, 1),
    ]
    assert [(a.stage, a.reason, a.count) for a in report.abandonments] == [
        (Stage.MEETING, "the association merged", 1),
        (Stage.IDEA, "no budget", 1),
    ]
    assert {k: v for k, v in report.abandoned_by_origin.items() if v} == {
        "consulting": 1,
        "spontaneous": 1,
    }


def test_time_in_stage_takes_medians_and_90th_percentiles_of_whole_days(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    report = runtime.app.reports.time_in_stage_report(staff, NOW)
    in_stage = {s.stage: s.in_stage for s in report.stages}
    # meeting: C 19, A 21, B 28, E 81; idea: A 48, B 63; co-construction: B 109 (corrected
    # contract), A 118; contract: A 288 (to its evaluation).
    assert (in_stage[Stage.MEETING].count, in_stage[Stage.MEETING].median_days) == (
        4,
        Decimal("24.5"),
    )
    assert in_stage[Stage.MEETING].p90_days == 81
    assert (in_stage[Stage.IDEA].median_days, in_stage[Stage.IDEA].p90_days) == (
        Decimal("55.5"),
        63,
    )
    assert (
        in_stage[Stage.CO_CONSTRUCTION].median_days,
        in_stage[Stage.CO_CONSTRUCTION].p90_days,
    ) == (Decimal("113.5"), 118)
    assert (in_stage[Stage.CONTRACT].count, in_stage[Stage.CONTRACT].p90_days) == (1, 288)
    assert in_stage[Stage.EVALUATION].count == 0
    # first meeting to contract: A 187 days, B 200 days.
    assert (report.cycle_time.count, report.cycle_time.median_days, report.cycle_time.p90_days) == (
        2,
        Decimal("193.5"),
        200,
    )
    assert report.reference_date == date(2026, 11, 26)
    assert report.stalled_count == 1
    assert [(s.partnership_id, s.stage, s.days_without_milestone) for s in report.stalled] == [
        (lab.e, Stage.IDEA, 4561)
    ]
    assert report.stalled[0].association_name == "Banque alimentaire du Bas-Rhin"
    assert report.stalled[0].company_name == "La Poste"
    assert (
        runtime.app.reports.time_in_stage_report(staff, ReportScope(territory="75")).stalled_count
        == 1
    )
    assert (
        runtime.app.reports.time_in_stage_report(staff, ReportScope(territory="68")).stalled_count
        == 0
    )
    past = runtime.app.reports.time_in_stage_report(staff, ReportScope(as_of=date(2014, 12, 31)))
    assert past.reference_date == date(2014, 12, 31)
    assert [(s.partnership_id, s.days_without_milestone) for s in past.stalled] == [(lab.e, 213)]
    assert past.stalled_count == 1


def test_impact_sums_commitments_and_evaluations_per_category_and_year(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    report = runtime.app.reports.impact_report(staff, NOW)
    rows = {(r.category, r.year): r.figures for r in report.rows}
    assert list(rows) == [
        ("responsible_practices", 2013),
        ("patronage", 2014),
        ("patronage", 2015),
    ]
    assert rows[("responsible_practices", 2013)].financial_eur == Decimal("10000.00")
    assert rows[("patronage", 2014)].in_kind_eur == Decimal("2500.00")
    assert rows[("patronage", 2014)].skills_days == Decimal("12.50")
    renewal_year = rows[("patronage", 2015)]
    assert (renewal_year.contracts, renewal_year.renewals, renewal_year.evaluations) == (0, 1, 1)
    assert renewal_year.financial_eur == Decimal("1000.00")
    assert (renewal_year.beneficiaries, renewal_year.jobs_created) == (120, 1)
    assert renewal_year.evaluated_skills_days == Decimal("10.00")
    assert renewal_year.evaluated_in_kind_eur == Decimal("500.00")
    assert renewal_year.satisfaction_average == Decimal("5.00")
    assert report.totals.financial_eur == Decimal("11000.00")
    assert report.totals.skills_days == Decimal("17.50")


def test_the_pipeline_counts_partnerships_not_abandoned_per_stage(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    report = runtime.app.reports.pipeline_report(staff, NOW)
    assert [(s.stage, s.open) for s in report.stages] == [
        (Stage.MEETING, 1),
        (Stage.IDEA, 1),
        (Stage.CO_CONSTRUCTION, 0),
        (Stage.CONTRACT, 1),
        (Stage.EVALUATION, 1),
    ]
    assert report.total_open == 4


def test_filters_select_partnerships_by_origin_category_territory_and_period(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    app = runtime.app

    def partnerships(**filters: object) -> int:
        return app.reports.funnel_report(staff, ReportScope(**filters)).partnerships  # type: ignore[arg-type]

    assert partnerships(origin_reference_id="sd-2014-03") == 2
    assert partnerships(origin_kind=OriginKind.SPEED_DATING) == 2
    assert partnerships(territory="75") == 2  # La Poste's
    assert partnerships(territory="68") == 1
    assert partnerships(category=Category.PATRONAGE) == 1
    assert partnerships(category=Category.SOCIAL_INNOVATION) == 1  # E's idea, no contract
    assert partnerships(period_from=date(2014, 1, 1), period_to=date(2014, 12, 31)) == 2
    assert signed(runtime, staff, ReportScope(period_from=date(2014, 1, 1))) == {
        2014: {"patronage": 1}
    }


def test_as_of_a_past_date_leaves_out_what_happened_later(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    end_of_2013 = ReportScope(as_of=date(2013, 12, 31))
    assert signed(runtime, staff, end_of_2013) == {2013: {"responsible_practices": 1}}
    funnel = runtime.app.reports.funnel_report(staff, end_of_2013)
    assert [s.reached for s in funnel.stages] == [1, 1, 1, 1, 0]
    pipeline = runtime.app.reports.pipeline_report(staff, ReportScope(as_of=date(2015, 3, 31)))
    # A evaluated? not yet (2015-06-30): A at contract, B at contract, C at idea, E at idea.
    assert [s.open for s in pipeline.stages] == [0, 2, 0, 2, 0]


def test_known_at_leaves_out_later_entries_and_corrections(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    then = ReportScope(known_at=lab.before_late_entries)
    # B's contract was still dated 2014-01-15, D's reason still "contact lost", E unknown.
    assert signed(runtime, staff, then) == {2014: {"patronage": 1, "responsible_practices": 1}}
    funnel = runtime.app.reports.funnel_report(staff, then)
    assert funnel.partnerships == 5
    assert [(a.stage, a.reason) for a in funnel.abandonments] == [
        (Stage.MEETING, "contact lost"),
        (Stage.IDEA, "no budget"),
    ]
    both = ReportScope(as_of=date(2013, 12, 31), known_at=lab.before_late_entries)
    assert signed(runtime, staff, both) == {}
    assert [s.reached for s in runtime.app.reports.funnel_report(staff, both).stages] == [
        1,
        1,
        1,
        0,
        0,
    ]
    as_known_now = ReportScope(as_of=date(2014, 12, 31))
    known_then = replace(as_known_now, known_at=lab.before_late_entries)
    assert runtime.app.reports.funnel_report(staff, as_known_now).partnerships == 3  # A, B, E
    assert (
        runtime.app.reports.funnel_report(staff, known_then).partnerships == 2
    )  # E not entered yet


def test_known_at_alone_reports_the_state_on_that_day(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    scope = runtime.app.reports.signed_report(
        staff, ReportScope(known_at=lab.before_late_entries)
    ).scope
    assert scope.as_of == lab.before_late_entries.astimezone(ZoneInfo("Europe/Paris")).date()
    assert scope.known_at == lab.before_late_entries


@pytest.mark.parametrize(
    "scope",
    [
        ReportScope(),
        ReportScope(origin_kind=OriginKind.SPEED_DATING),
        ReportScope(category=Category.PATRONAGE),
    ],
    ids=["all", "speed-dating", "patronage"],
)
def test_the_maintained_aggregate_agrees_with_the_exact_bitemporal_path(
    runtime: Runtime, staff: Caller, lab: Lab, scope: ReportScope
) -> None:
    store = runtime.stores.reports
    assert store is not None
    # The day-keyed metrics are aggregated without origin and category (COLLAPSED).
    metrics = METRICS if scope == ReportScope() else sorted(set(METRICS) - COLLAPSED)
    aggregated = sorted(store.metrics(staff.lab, scope, metrics), key=repr)
    from_summaries = sorted(
        store.metrics(staff.lab, replace(scope, period_from=date(1900, 1, 1)), metrics), key=repr
    )
    exact = sorted(
        store.metrics(
            staff.lab,
            replace(scope, as_of=date(2026, 11, 26), known_at=datetime.now(UTC)),
            metrics,
        ),
        key=repr,
    )
    assert aggregated == from_summaries == exact
    assert aggregated


def test_another_labs_reports_see_nothing_of_this_one(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    other = Caller("lorraine", "eve")
    assert runtime.app.reports.funnel_report(other, NOW).partnerships == 0
    assert runtime.app.reports.signed_report(other, ReportScope(as_of=date(2026, 1, 1))).total == 0
