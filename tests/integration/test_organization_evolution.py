"""Organisations snapshotted before contact persons existed still load, and take contacts."""

from __future__ import annotations

from application.context import Caller
from domain.values import OrganizationKind
from partnerlab.bootstrap import Runtime


def test_a_snapshot_taken_by_version_1_is_upcast(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    food_bank = app.organizations.register_organization(
        staff, kind=OrganizationKind.ASSOCIATION, name="Banque alimentaire", territory="67"
    ).id
    app.organizations.update_organization(staff, food_bank, field_of_activity="food aid")
    assert app.log.snapshots is not None
    app.log.take_snapshot(food_bank)
    stored = app.log.snapshots.recorder.select_events(food_bank)[-1]
    snapshot = app.log.mapper.transcoder.decode(stored.state)
    del snapshot["state"]["class_version"]
    del snapshot["state"]["contact_persons"]
    # Replace the stored snapshot with the form version 1 of Organization gave it.
    with runtime.database.transaction() as cursor:
        table = app.log.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
        cursor.execute(
            f"UPDATE {table} SET state = %(state)s WHERE originator_version = %(v)s",
            {"state": app.log.mapper.transcoder.encode(snapshot), "v": stored.originator_version},
        )
    app.log.repository.cache = None

    added = app.contact_persons.add_contact_person(staff, food_bank, name="Marie Schmitt")

    assert added.version == 3
    assert [p.name for p in app.contact_persons.list_contact_persons(staff, food_bank)] == [
        "Marie Schmitt"
    ]
