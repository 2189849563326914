"""Organisations snapshotted before contact persons existed still load, and take contacts."""

from __future__ import annotations

from typing import Any

from application.context import Caller
from domain.values import OrganizationKind
from partnerlab.bootstrap import Runtime
from tests.integration.snapshots import rewrite_snapshot


def test_a_snapshot_taken_by_version_1_is_upcast(runtime: Runtime, staff: Caller) -> None:
    app = runtime.app
    food_bank = app.organizations.register_organization(
        staff, kind=OrganizationKind.ASSOCIATION, name="Banque alimentaire", territory="67"
    ).id
    app.organizations.update_organization(staff, food_bank, field_of_activity="food aid")

    def as_version_1(snapshot: Any) -> None:  # the form version 1 of Organization gave it
        del snapshot["state"]["class_version"]
        del snapshot["state"]["contact_persons"]

    rewrite_snapshot(runtime, food_bank, as_version_1)

    added = app.contact_persons.add_contact_person(staff, food_bank, name="Marie Schmitt")

    assert added.version == 3
    assert [p.name for p in app.contact_persons.list_contact_persons(staff, food_bank)] == [
        "Marie Schmitt"
    ]
