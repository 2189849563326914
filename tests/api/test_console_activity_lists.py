"""The console's lists of events, consulting, trainings and funding, each with its create
form, through HTTP on both databases."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from tests.api.console_helpers import console_client, csrf_of, form_token_of


def test_each_list_shows_what_its_form_records(client: TestClient, today: date) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    company = runtime.app.organizations.register_organization(
        Caller(lab=runtime.settings.default_lab, actor="claire@labo.example"),
        kind=OrganizationKind.COMPANY, name="Schneider", territory="67",
    ).id  # fmt: skip
    runtime.app.read_models.wait_for_projections()
    browser = console_client(client, "staff.lists@labo.example")
    iso = today.isoformat()
    forms = {
        "/console/events": {"kind": "open_forum", "title": "Forum des associations",
                            "held_on": iso},
        "/console/consulting": {"company_id": str(company), "scope": "Politique RSE",
                                "started_on": iso},
        "/console/trainings": {"title": "Mécénat de compétences", "held_on": iso},
        "/console/funding": {"funder": "Région Grand Est", "year": str(today.year),
                             "amount_eur": "12 500,50", "granted_on": iso},
    }  # fmt: skip
    shown = {
        "/console/events": "Forum des associations",
        "/console/consulting": "Politique RSE",
        "/console/trainings": "Mécénat de compétences",
        "/console/funding": "Région Grand Est",
    }
    for path, data in forms.items():
        form = browser.get(path)
        assert form.status_code == 200, path
        assert shown[path] not in form.text
        sent = {"csrf_token": csrf_of(form.text), "form_token": form_token_of(form.text), **data}
        answer = browser.post(path, data=sent)
        assert answer.status_code == 303, (path, answer.text)
        assert shown[path] in browser.get(path).text, path
    assert "12\u202f500,50\xa0€" in browser.get("/console/funding").text
    form = browser.get("/console/trainings")
    refused = browser.post("/console/trainings", data={"csrf_token": csrf_of(form.text),
                           "title": "Sans date", "held_on": "demain"})  # fmt: skip
    assert refused.status_code == 422
    assert 'value="Sans date"' in refused.text
    assert "Saisissez une date" in refused.text
    auditor = console_client(client, "auditor.lists@labo.example", Role.AUDITOR)
    page = auditor.get("/console/funding")
    assert page.status_code == 200
    assert '<form method="post" action="/console/funding"' not in page.text
