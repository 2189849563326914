"""Reports filtered by territory are answered from the maintained aggregate, which keeps a
row per département of either partner: they agree with the summaries' and the exact
bitemporal paths, follow an organisation that moves, and a rebuild gives the same tables
(both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from application.context import Caller
from application.partnerships.views import OrganizationFilter
from application.reporting.ports import METRICS, MetricRow, ReportScope
from application.results import PageRequest
from domain.values import Category, OriginKind
from infrastructure.reporting.sql import COLLAPSED, SUMS, Generation, view
from infrastructure.reporting.store import SqlReportStore
from partnerlab.bootstrap import Runtime
from tests.integration.report_stories import Lab, record_the_lab
from tests.integration.test_report_projection import rebuild

NON_COLLAPSED = sorted(set(METRICS) - COLLAPSED)


@pytest.fixture
def lab(runtime: Runtime, staff: Caller) -> Lab:
    recorded = record_the_lab(runtime.app, staff)
    assert runtime.app.read_models.wait_for_projections(recorded.last_position, timeout=30)
    return recorded


def store_of(runtime: Runtime) -> SqlReportStore:
    store = runtime.stores.reports
    assert isinstance(store, SqlReportStore)
    return store


def three_paths(
    store: SqlReportStore, lab: str, scope: ReportScope, metrics: list[str]
) -> tuple[list[MetricRow], list[MetricRow], list[MetricRow]]:
    """The aggregate's answer, the summaries' (a period that holds everything) and the
    exact bitemporal one."""
    return (
        sorted(store.metrics(lab, scope, metrics), key=repr),
        sorted(store.metrics(lab, replace(scope, period_from=date(1900, 1, 1)), metrics), key=repr),
        sorted(
            store.metrics(
                lab, replace(scope, as_of=date(2026, 11, 26), known_at=datetime.now(UTC)), metrics
            ),
            key=repr,
        ),
    )


@pytest.mark.parametrize(
    ("scope", "metrics"),
    [
        (ReportScope(territory="67"), METRICS),
        (ReportScope(territory="75"), METRICS),
        (ReportScope(territory="68"), METRICS),
        (ReportScope(territory="2A"), METRICS),
        (ReportScope(territory="67", category=Category.PATRONAGE), NON_COLLAPSED),
        (ReportScope(territory="75", origin_kind=OriginKind.THEMATIC_EVENT), NON_COLLAPSED),
        (ReportScope(), sorted(COLLAPSED)),
        (ReportScope(territory="67"), sorted(COLLAPSED)),
    ],
    ids=[
        "67",
        "75",
        "68",
        "nobody-there",
        "67-patronage",
        "75-thematic-event",
        "day-keyed-only",
        "67-day-keyed-only",
    ],
)
def test_the_aggregate_by_territory_agrees_with_the_summaries_and_the_exact_path(
    runtime: Runtime, staff: Caller, lab: Lab, scope: ReportScope, metrics: list[str]
) -> None:
    aggregated, from_summaries, exact = three_paths(store_of(runtime), staff.lab, scope, metrics)
    assert aggregated == from_summaries == exact
    if scope.territory != "2A":
        assert aggregated


def test_a_partnership_whose_partners_share_a_territory_counts_once_there(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    # A (food bank 67 - IBM 67) and B (ESAT 67 - La Poste 75), D (parents 67 - games 57),
    # E (food bank 67 - La Poste 75) and F (ESAT 67 - IBM 67) are in 67; C (68 - 68) is not.
    assert runtime.app.reports.funnel_report(staff, ReportScope(territory="67")).partnerships == 5
    assert runtime.app.reports.funnel_report(staff, ReportScope(territory="68")).partnerships == 1
    assert runtime.app.reports.funnel_report(staff, ReportScope(territory="75")).partnerships == 2


def test_an_organisation_that_moves_takes_its_partnerships_to_its_new_territory(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    app = runtime.app
    found = app.organizations.list_organizations(staff, OrganizationFilter(), PageRequest(limit=50))
    sati = next(o.id for o in found.items if o.name == "Cafés Sati")
    moved = app.organizations.update_organization(staff, sati, territory="57")
    assert moved.position is not None
    assert app.read_models.wait_for_projections(moved.position, timeout=30)

    assert app.reports.funnel_report(staff, ReportScope(territory="57")).partnerships == 2
    assert app.reports.funnel_report(staff, ReportScope(territory="68")).partnerships == 1
    store = store_of(runtime)
    for territory in ("57", "68"):
        aggregated, from_summaries, exact = three_paths(
            store, staff.lab, ReportScope(territory=territory), METRICS
        )
        assert aggregated == from_summaries == exact

    followed = store.table_rows()
    rebuild(runtime)
    assert store.table_rows() == followed


def test_a_cube_written_before_territories_is_upgraded_in_place_at_start(
    runtime: Runtime, staff: Caller, lab: Lab
) -> None:
    store = store_of(runtime)
    followed = store.table_rows()
    g = Generation(store.generation())
    sums = ", ".join(f"{c} BIGINT NOT NULL" for c in ("n", *SUMS))
    store.db.execute_script(
        [
            f"DROP VIEW {view('cube')}",
            f"DROP TABLE {g.cube}",
            f"CREATE TABLE {g.cube} (lab TEXT NOT NULL, origin_kind TEXT NOT NULL,"
            " category TEXT NOT NULL, metric TEXT NOT NULL, k1 BIGINT NOT NULL,"
            f" k2 BIGINT NOT NULL, t TEXT NOT NULL, {sums}, PRIMARY KEY"
            " (lab, metric, origin_kind, category, k1, k2, t))",
            f"CREATE VIEW {view('cube')} AS SELECT * FROM {g.cube}",
        ]
    )

    store.create_tables()

    assert store.table_rows() == followed
    assert runtime.app.reports.funnel_report(staff, ReportScope(territory="68")).partnerships == 1
