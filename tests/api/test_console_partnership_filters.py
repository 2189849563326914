"""The console's partnerships list filtered by territory, origin and stalled, through HTTP on
both databases (the catalogue's query)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from application.context import Caller
from domain.values import OrganizationKind, OriginKind
from tests.api.console_helpers import console_client


def test_the_list_filters_by_territory_origin_and_stalled(client: TestClient, today: date) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    lab = runtime.app
    caller = Caller(lab=runtime.settings.default_lab, actor="claire@labo.example")

    def organisation(kind: OrganizationKind, name: str, territory: str) -> object:
        return lab.organizations.register_organization(
            caller, kind=kind, name=name, territory=territory
        ).id

    bas_rhin = organisation(OrganizationKind.ASSOCIATION, "Emmaüs Strasbourg", "67")
    haut_rhin = organisation(OrganizationKind.ASSOCIATION, "Emmaüs Mulhouse", "68")
    company = organisation(OrganizationKind.COMPANY, "Schneider", "92")
    lab.partnerships.open_partnership(
        caller, association_id=bas_rhin, company_id=company,
        origin_kind=OriginKind.SPONTANEOUS, occurred_on=today - timedelta(days=200),
    )  # fmt: skip
    lab.partnerships.open_partnership(
        caller, association_id=haut_rhin, company_id=company,
        origin_kind=OriginKind.OPEN_FORUM, occurred_on=today - timedelta(days=10),
    )  # fmt: skip
    lab.read_models.wait_for_projections()
    browser = console_client(client, "staff.filters@labo.example")

    def listed(query: str) -> tuple[bool, bool]:
        text = browser.get(f"/console/partnerships?{query}").text
        return "Emmaüs Strasbourg" in text, "Emmaüs Mulhouse" in text

    assert listed("") == (True, True)
    assert listed("territory=67") == (True, False)
    assert listed("territory=92") == (True, True)  # either partner's département
    assert listed("origin=open_forum") == (False, True)
    assert listed("stalled=yes") == (True, False)
    assert listed("stalled=yes&territory=68") == (False, False)
