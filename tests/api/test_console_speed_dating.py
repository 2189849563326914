"""The console's speed-dating pages through HTTP, on both databases: a 10 x 10 session
planned, its participants registered in one form, scheduled, checked in, every meeting's
outcome in one grid (one POST), closed (missing outcomes confirmed first) and the
partnerships it opened."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
from fastapi.testclient import TestClient

from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from tests.api.console_helpers import console_client, csrf_of, form_token_of

SIZE = 10


def _organisations(client: TestClient) -> tuple[list[str], list[str]]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    lab = runtime.app
    caller = Caller(lab=runtime.settings.default_lab, actor="claire@labo.example")
    ids: dict[OrganizationKind, list[str]] = {}
    for kind, name in ((OrganizationKind.ASSOCIATION, "Asso"), (OrganizationKind.COMPANY, "Co")):
        ids[kind] = [
            str(
                lab.organizations.register_organization(
                    caller, kind=kind, name=f"{name} {n:02d}", territory="67"
                ).id
            )
            for n in range(SIZE)
        ]
    lab.read_models.wait_for_projections()
    return ids[OrganizationKind.ASSOCIATION], ids[OrganizationKind.COMPANY]


def _post(browser: TestClient, url: str, page_html: str, data: dict[str, Any]) -> httpx.Response:
    answer: httpx.Response = browser.post(url, data={"csrf_token": csrf_of(page_html), **data})
    return answer


def test_a_ten_by_ten_session_from_planning_to_the_partnerships_it_opens(
    client: TestClient, today: date
) -> None:
    associations, companies = _organisations(client)
    browser = console_client(client, "staff.sd@labo.example")
    form = browser.get("/console/speed-dating/new")
    assert form.status_code == 200
    refused = _post(browser, "/console/speed-dating/new", form.text,
                    {"title": "Rencontres", "held_on": "31/02/2026", "venue": "CCI",
                     "starts_at": "18:00", "host_company_id": companies[0]})  # fmt: skip
    assert refused.status_code == 422
    assert "Saisissez une date" in refused.text
    assert 'value="Rencontres"' in refused.text
    planned = _post(browser, "/console/speed-dating/new", form.text,
                    {"form_token": form_token_of(form.text), "title": "Rencontres d'automne",
                     "held_on": today.strftime("%d/%m/%Y"), "venue": "CCI Strasbourg",
                     "starts_at": "18:00", "host_company_id": companies[0],
                     "round_minutes": "7", "changeover_minutes": "1"})  # fmt: skip
    assert planned.status_code == 303, planned.text
    url = planned.headers["location"]
    assert browser.get("/console/speed-dating").text.count(url) == 1

    page = browser.get(url).text
    registered = _post(browser, f"{url}/register", page,
                       {"form_token": form_token_of(page), "version": "1",
                        "organization_id": associations + companies})  # fmt: skip
    assert registered.status_code == 303
    page = browser.get(url).text
    assert page.count("<tr><td>Asso ") == SIZE
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    _post(browser, f"{url}/schedule", page, {"version": version})
    page = browser.get(url).text
    assert "10 tours, 100 rencontres." in page
    assert "/api/v1/speed-datings/" in page
    assert 'id="big-screen"' in page
    screen = browser.get(re.search(r'href="([^"]+/screen)"', page).group(1))  # type: ignore[union-attr]
    assert screen.status_code == 200
    assert "text/html" in screen.headers["content-type"]

    check_in = browser.get(f"{url}/check-in").text
    for organisation in [*associations, *companies]:
        answer = _post(browser, f"{url}/check-in", check_in, {"organization_id": organisation})
        assert answer.status_code == 303
    grid = browser.get(f"{url}/outcomes").text
    pairs = re.findall(r'name="pair" value="([^"]+)"', grid)
    assert len(pairs) == SIZE * SIZE
    data: dict[str, Any] = {"pair": pairs, "form_token": form_token_of(grid)}
    data["version"] = re.search(r'name="version" value="(\d+)"', grid).group(1)  # type: ignore[union-attr]
    for pair in pairs:
        data[f"held-{pair}"] = "yes"
    both = pairs[:3]
    for pair in both:
        data[f"ai-{pair}"] = data[f"ci-{pair}"] = "follow_up"
    data[f"held-{pairs[-1]}"] = ""  # not known yet
    data[f"ai-{pairs[3]}"] = "follow_up"
    wrong = dict(data, **{f"held-{pairs[4]}": "no", f"ai-{pairs[4]}": "follow_up"})
    refused = _post(browser, f"{url}/outcomes", grid, wrong)
    assert refused.status_code == 422
    assert f'id="outcome-{pairs[4]}"' in refused.text, refused.text[
        refused.text.find("error-summary") :
    ][:600]
    page = browser.get(url).text
    assert "0 rencontres sur 100 ont un résultat." in page  # nothing was recorded
    recorded = _post(browser, f"{url}/outcomes", grid, data)
    assert recorded.status_code == 303
    page = browser.get(url).text
    assert "99 rencontres sur 100 ont un résultat." in page

    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    day = today.strftime("%d/%m/%Y")
    unconfirmed = _post(browser, f"{url}/close", page, {"version": version, "occurred_on": day})
    assert unconfirmed.status_code == 422
    assert "Confirmez" in unconfirmed.text
    closed = _post(browser, f"{url}/close", page,
                   {"version": version, "occurred_on": day, "confirm_missing": "yes"})  # fmt: skip
    assert closed.status_code == 303
    page = browser.get(url).text
    opened = re.findall(r'href="/console/partnerships/([0-9a-f-]{36})"', page)
    assert len(opened) == len(both)
    assert "Voulu d'un seul côté" in page
    one_sided = page[page.index('id="one-sided"') :].split("</ul>")[0]
    association = re.search(r'name="association_id" value="([^"]+)"', one_sided)
    company = re.search(r'name="company_id" value="([^"]+)"', one_sided)
    assert association
    assert company
    pair = {"association_id": association.group(1), "company_id": company.group(1)}
    decided = _post(browser, f"{url}/open-pair", page, pair)
    assert decided.status_code == 303
    assert decided.headers["location"].startswith("/console/partnerships/")
    page = browser.get(url).text
    one_sided = page[page.index('id="one-sided"') :].split("</ul>")[0]
    assert "/console/partnerships/" in one_sided
    assert "open-pair" not in one_sided


def test_a_viewer_sees_no_speed_dating_forms(client: TestClient) -> None:
    browser = console_client(client, "viewer.sd@labo.example", Role.VIEWER)
    assert browser.get("/console/speed-dating").status_code == 403
    auditor = console_client(client, "auditor.sd@labo.example", Role.AUDITOR)
    answer = auditor.get("/console/speed-dating")
    assert answer.status_code == 200
    assert "/console/speed-dating/new" not in answer.text
    assert auditor.get("/console/speed-dating/new").status_code == 403
