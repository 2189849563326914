"""The console's forms for withdrawing a registration and for a session's catch-up (planned
for the meetings marked as not held, withdrawn before it is held), through HTTP on both
databases: a refused form keeps what was typed with the message beside the field, and a
viewer sees none of these forms."""

from __future__ import annotations

import re
import secrets
from datetime import date, time
from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from application.activities.speed_dating import OutcomeEntry
from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from tests.api.console_helpers import console_client, csrf_of


def token() -> str:
    """A form's one-time token (any fresh value: the server keeps those it has seen)."""
    return secrets.token_urlsafe(18)


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found
    return found.group(1)


def _post(browser: TestClient, url: str, page: str, data: dict[str, Any]) -> httpx.Response:
    answer: httpx.Response = browser.post(
        url,
        data={"csrf_token": csrf_of(page), "version": _version(page), **data},
    )
    return answer


def refused_beside(answer: httpx.Response, field: str, message: str, typed: str) -> None:
    """Refused (nothing recorded), the message beside ``field``, what was typed kept."""
    assert answer.status_code == 422
    assert f'id="{field}-error"' in answer.text
    assert message in answer.text
    assert f"{typed}</textarea>" in answer.text


def test_withdrawing_a_registration_and_a_catch_up_through_the_console(
    client: TestClient, today: date
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    lab = runtime.app
    caller = Caller(lab=runtime.settings.default_lab, actor="claire@labo.example")
    register = lab.organizations.register_organization
    associations = [
        register(caller, kind=OrganizationKind.ASSOCIATION, name=name, territory="67").id
        for name in ("Asso A", "Asso B", "Asso qui se retire")
    ]
    companies = [
        register(caller, kind=OrganizationKind.COMPANY, name=name, territory="67").id
        for name in ("Entreprise A", "Entreprise B")
    ]
    lab.read_models.wait_for_projections()
    sessions = lab.speed_dating
    session = sessions.plan_speed_dating(
        caller, title="Rattrapages", held_on=today, starts_at=time(18), venue="CCI",
        host_company_id=companies[0],
    ).id  # fmt: skip
    for organisation in (*associations, *companies):
        sessions.register_session_participant(caller, session, organization_id=organisation)
    browser = console_client(client, "staff.catch-up@labo.example")
    url = f"/console/speed-dating/{session}"

    page = browser.get(url).text
    refused = _post(browser, f"{url}/withdraw", page,
                    {"form_token": token(), "withdraw_reason": "a changé d'avis"})  # fmt: skip
    refused_beside(
        refused, "withdraw_organization_id", "Saisissez une valeur.", "a changé d&#39;avis"
    )
    withdrawn = _post(browser, f"{url}/withdraw", page,
                      {"form_token": token(), "withdraw_reason": "a changé d'avis",
                       "withdraw_organization_id": str(associations[2])})  # fmt: skip
    assert withdrawn.status_code == 303, withdrawn.text
    page = browser.get(url).text
    assert "<tr><td>Asso qui se retire</td>" not in page
    assert "Asso qui se retire (association)</label>" in page  # may register again
    view = sessions.get_speed_dating(caller, session)
    assert len(view.associations) == 2

    _post(browser, f"{url}/schedule", page, {"form_token": token()})
    for organisation in (*associations[:2], *companies):
        sessions.check_in_participant(caller, session, organization_id=organisation)
    page = browser.get(url).text
    nothing = _post(browser, f"{url}/catch-up", page, {"form_token": token()})
    assert nothing.status_code == 422
    assert 'id="catch_up-error"' in nothing.text
    assert "il n&#39;y a rien à rattraper" in nothing.text

    outcomes = [
        OutcomeEntry(association_id=a, company_id=c, held=(a, c) != (associations[0], companies[1]))
        for a in associations[:2]
        for c in companies
    ]
    sessions.record_meeting_outcomes(caller, session, outcomes)
    page = browser.get(url).text
    assert "Rencontres marquées comme non tenues : 1." in page
    planned = _post(browser, f"{url}/catch-up", page, {"form_token": token()})
    assert planned.status_code == 303, planned.text
    page = browser.get(url).text
    assert "Rattrapage prévu : 1 tours, 1 rencontres." in page
    grid = browser.get(f"{url}/outcomes").text
    assert len(re.findall(r'name="pair" value="', grid)) == 4  # the missed pair once
    assert "(rattrapage)" in grid

    taken_back = _post(browser, f"{url}/withdraw-catch-up", page,
                       {"form_token": token(), "catch_up_reason": "salle fermée"})  # fmt: skip
    assert taken_back.status_code == 303, taken_back.text
    page = browser.get(url).text
    assert "Aucun rattrapage prévu." in page

    _post(browser, f"{url}/catch-up", page, {"form_token": token()})
    held = OutcomeEntry(association_id=associations[0], company_id=companies[1], held=True)
    sessions.record_meeting_outcomes(caller, session, [held])
    page = browser.get(url).text
    too_late = _post(browser, f"{url}/withdraw-catch-up", page,
                     {"form_token": token(), "catch_up_reason": "trop tard"})  # fmt: skip
    refused_beside(too_late, "catch_up_reason", "déjà eu lieu", "trop tard")
    assert len(sessions.get_speed_dating(caller, session).outcomes) == 4

    auditor = console_client(client, "auditor.catch-up@labo.example", Role.AUDITOR)
    seen = auditor.get(url)
    assert seen.status_code == 200
    assert "Rattrapage prévu" in seen.text
    assert "<form" not in seen.text.split("<main", 1)[1]  # reads, writes nothing
    forbidden = auditor.post(f"{url}/catch-up", data={"csrf_token": csrf_of(seen.text)})
    assert forbidden.status_code == 403
    viewer = console_client(client, "viewer.catch-up@labo.example", Role.VIEWER)
    assert viewer.get(url).status_code == 403


def test_the_session_page_offers_withdrawal_only_before_the_first_outcome(
    client: TestClient, today: date
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    lab = runtime.app
    caller = Caller(lab=runtime.settings.default_lab, actor="claire@labo.example")
    ids: list[UUID] = [
        lab.organizations.register_organization(
            caller, kind=kind, name=f"Org {kind.value}", territory="68"
        ).id
        for kind in (OrganizationKind.ASSOCIATION, OrganizationKind.COMPANY)
    ]
    lab.read_models.wait_for_projections()
    sessions = lab.speed_dating
    session = sessions.plan_speed_dating(
        caller, title="Tôt", held_on=today, starts_at=time(9), venue="CCI", host_company_id=ids[1]
    ).id
    for organisation in ids:
        sessions.register_session_participant(caller, session, organization_id=organisation)
    sessions.generate_session_schedule(caller, session)
    browser = console_client(client, "staff.early@labo.example")
    url = f"/console/speed-dating/{session}"
    assert 'action="' + url + '/withdraw"' in browser.get(url).text
    sessions.record_meeting_outcomes(
        caller, session, [OutcomeEntry(association_id=ids[0], company_id=ids[1], held=True)]
    )
    page = browser.get(url).text
    assert 'action="' + url + '/withdraw"' not in page
    assert 'action="' + url + '/catch-up"' in page
