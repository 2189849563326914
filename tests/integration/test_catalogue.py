"""The catalogue read model: lists come from it, and each event is applied exactly once."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.context import Caller
from application.lab import PartnerLab
from application.partnerships.views import OrganizationFilter, PartnershipFilter
from application.results import PageRequest
from domain.values import Category, OrganizationKind, OriginKind, Stage, SubKind
from infrastructure.follower import CatalogProcessor, LogFollower
from infrastructure.partnerships.catalog import SqlCatalogView
from infrastructure.settings import Settings
from partnerlab.bootstrap import Runtime, build_runtime
from tests.lab_stories import correct, open_between, register, to_contract

ASSOCIATION, COMPANY = OrganizationKind.ASSOCIATION, OrganizationKind.COMPANY


def record_la_poste_and_the_workshops(app: PartnerLab, staff: Caller) -> UUID:
    la_poste = register(app, staff, COMPANY, "La Poste")
    esat = register(
        app,
        staff,
        ASSOCIATION,
        "ESAT du Neuhof",
        field_of_activity="sheltered work",
        description="Sheltered workshop repairing bicycles",
    )
    pid = open_between(app, staff, esat, la_poste, date(2013, 6, 3), OriginKind.THEMATIC_EVENT)
    timeline = "2013-07-01 2013-09-02 2014-01-15 2014-02-01 2015-01-31"
    bikes = "Repair the postmen's bikes"
    to_contract(app, staff, pid, bikes, SubKind.RESPONSIBLE_PURCHASING, timeline)
    return pid


def catalogue_rows(runtime: Runtime) -> dict[str, list[dict[str, object]]]:
    return {
        table: runtime.database.query(f"SELECT * FROM {table} ORDER BY 1, 2")
        for table in ("pl_organizations", "pl_partnerships", "pl_milestones")
    }


def test_lists_are_served_from_the_catalogue(runtime: Runtime, staff: Caller) -> None:
    pid = record_la_poste_and_the_workshops(runtime.app, staff)
    runtime.app.read_models.wait_for_projections()
    page = runtime.app.partnerships.list_partnerships(
        staff, PartnershipFilter(stage=Stage.CONTRACT), PageRequest()
    )
    assert [p.id for p in page.items] == [pid]
    assert page.items[0].company_name == "La Poste"
    assert page.items[0].category is Category.RESPONSIBLE_PRACTICES
    assert page.items[0].opened_on == date(2013, 6, 3)
    assert page.items[0].last_milestone_on == date(2014, 1, 15)
    found = runtime.app.organizations.list_organizations(
        staff, OrganizationFilter(text="bicycl"), PageRequest()
    ).items
    assert [o.name for o in found] == ["ESAT du Neuhof"]
    assert found[0].partnerships_by_stage == {"contract": 1}
    both = runtime.app.organizations.list_organizations(staff, OrganizationFilter(), PageRequest())
    assert {o.name: o.partnerships_by_stage for o in both.items} == {
        "ESAT du Neuhof": {"contract": 1},
        "La Poste": {"contract": 1},
    }
    names_only = runtime.app.organizations.list_organizations(
        staff, OrganizationFilter(text="bicycl", stage_counts=False), PageRequest()
    ).items
    assert [(o.name, o.partnerships_by_stage) for o in names_only] == [("ESAT du Neuhof", {})]
    for limit, offset, shown in ((1, 0, 1), (1, 1, 1), (5, 0, 2), (5, 1, 1), (5, 7, 0)):
        paged = runtime.app.organizations.list_organizations(
            staff, OrganizationFilter(), PageRequest(limit=limit, offset=offset)
        )
        assert (len(paged.items), paged.total) == (shown, 2), (limit, offset)
    other_lab = Caller("lorraine", "eve")
    assert (
        runtime.app.partnerships.list_partnerships(
            other_lab, PartnershipFilter(), PageRequest()
        ).total
        == 0
    )


def test_a_corrected_date_moves_the_summary(runtime: Runtime, staff: Caller) -> None:
    pid = record_la_poste_and_the_workshops(runtime.app, staff)
    changes = {
        "occurred_on": "2014-01-20",
        "category": "economic_cooperation",
        "sub_kind": "supply_chain",
    }
    correct(runtime.app, staff, pid, 4, changes, "the signature date was misread")
    runtime.app.read_models.wait_for_projections()
    item = runtime.app.partnerships.list_partnerships(
        staff, PartnershipFilter(), PageRequest()
    ).items[0]
    assert item.last_milestone_on == date(2014, 1, 20)
    assert item.category is Category.ECONOMIC_COOPERATION


def test_delivering_the_same_events_twice_changes_nothing(runtime: Runtime, staff: Caller) -> None:
    record_la_poste_and_the_workshops(runtime.app, staff)
    runtime.app.read_models.wait_for_projections()
    before = catalogue_rows(runtime)
    notifications = runtime.app.log.recorder.select_notifications(start=1, limit=100)
    view = SqlCatalogView(runtime.database)
    from eventsourcing.persistence import Tracking

    from application.partnerships.projections import catalog_changes

    batch = [
        (
            Tracking(runtime.app.log.name, n.id),
            catalog_changes(runtime.app.log.mapper.to_domain_event(n), n.id),
        )
        for n in notifications
    ]
    view.apply(batch)
    view.apply(batch[:3])
    assert catalogue_rows(runtime) == before


def test_an_incremental_run_and_a_rebuild_give_identical_tables(
    settings: Settings, staff: Caller, today: date
) -> None:
    incremental = build_runtime(settings, clock=lambda: today, run_projections=False)
    try:
        app = incremental.app
        record_la_poste_and_the_workshops(app, staff)
        incremental.followers.catch_up()
        record_la_poste_and_the_workshops(app, staff)
        incremental.followers.catch_up()
        expected = catalogue_rows(incremental)
        incremental.database.execute_script(
            [
                "DELETE FROM pl_organizations",
                "DELETE FROM pl_partnerships",
                "DELETE FROM pl_milestones",
                "DELETE FROM pl_catalog_tracking",
            ]
        )
        rebuilt = LogFollower(
            recorder=app.log.recorder,
            processor=CatalogProcessor(
                application_name=app.log.name,
                mapper=app.log.mapper,
                view=SqlCatalogView(incremental.database),
            ),
            batch_size=3,
        )
        assert rebuilt.catch_up() == app.log.recorder.max_notification_id()
        assert catalogue_rows(incremental) == expected
    finally:
        incremental.close()
