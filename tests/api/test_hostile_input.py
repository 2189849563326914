"""Hostile input, valid in shape but meant to break something: each is refused with a 4xx
problem naming the rule, or neutralised, never a 500."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.csv_cells import safe_cell
from application.context import Caller
from domain.access.api_key import Role
from domain.values import OrganizationKind
from tests.api.conftest import (
    API,
    ClientAs,
    Partners,
    assert_problem,
    milestone,
    open_partnership,
    register,
    write,
)

FORMULAS = ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_shared_csv_helper_neutralises_formulas_but_not_numbers(formula: str) -> None:
    assert safe_cell(formula) == f"'{formula}"
    assert safe_cell(-5) == -5
    assert safe_cell("Banque alimentaire") == "Banque alimentaire"


def test_report_csvs_neutralise_cells_a_spreadsheet_would_run(
    client: TestClient, partners: Partners
) -> None:
    evil = register(client, "company", '=HYPERLINK("http://evil","x")', territory="75")
    met = open_partnership(client, partners.food_bank, evil, occurred_on="2015-01-05")
    reason = "@SUM(1+1)*cmd|' /C calc'!A0"
    abandonment = {"reason": reason, "occurred_on": "2015-02-01"}
    position = milestone(client, met["id"], "abandonment", abandonment)["position"]
    reasons = client.get(
        f"{API}/reports/funnel",
        params={"format": "csv", "table": "abandonments", "position": position},
    )
    assert reasons.status_code == 200, reasons.text
    cells = [cell for row in rows(reasons.text) for cell in row]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)

    open_partnership(client, partners.food_bank, evil, occurred_on="2015-01-05")
    stalled = client.get(
        f"{API}/reports/time-in-stage",
        params={"format": "csv", "table": "stalled", "as_of": "2016-01-01"},
    )
    assert stalled.status_code == 200, stalled.text
    cells = [cell for row in rows(stalled.text) for cell in row]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


NEVER_RECORDED = "4d6f3a52-9c1e-4b7a-8f0d-2e5a7c9b1d03"
"""An id no test records (a fixed one: test ids must be the same in every xdist worker)."""


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/reports/time-in-stage", {"as_of": "0001-03-31"}, "as_of"),
        ("/reports/signed", {"as_of": "2101-01-01"}, "as_of"),
        ("/reports/signed", {"known_at": "9999-12-31T23:59:59"}, "known_at"),
        ("/reports/impact", {"from": "1899-12-31"}, "from"),
        (f"/speed-datings/{NEVER_RECORDED}/screen", {"at": "9999-12-31T23:59:59.999999Z"}, "at"),
        (f"/partnerships/{NEVER_RECORDED}", {"as_of": "0001-01-01"}, "as_of"),
        ("/speed-datings", {"held_to": "0"}, "held_to"),
        ("/events", {"held_from": "0"}, "held_from"),
        ("/trainings", {"held_to": "20240101"}, "held_to"),
        ("/consulting-engagements", {"started_to": "0"}, "started_to"),
        ("/audit/events", {"actor": "\x00"}, "actor"),
        ("/audit/events", {"event_type": "a\x00b"}, "event_type"),
        ("/organizations", {"q": "\x00"}, "q"),
    ],
)
def test_dates_out_of_range_bare_numbers_and_nul_in_filters_are_422(
    client: TestClient, client_as: ClientAs, path: str, params: dict[str, str], field: str
) -> None:
    reader = client_as(Role.AUDITOR) if path.startswith("/audit") else client
    response = reader.get(f"{API}{path}", params=params)
    problem = assert_problem(response, 422)
    assert field in str(problem), problem


def test_the_dashboard_refuses_dates_out_of_range(client: TestClient) -> None:
    for params in ({"as_of": "0001-03-31"}, {"known_at": "9999-12-31T23:59:59"}):
        response = client.get("/dashboard", params=params)
        assert response.status_code == 422, response.text


@pytest.mark.parametrize("occurred_on", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_business_dates_out_of_range_are_refused_in_bodies(
    client: TestClient, partners: Partners, occurred_on: str
) -> None:
    body: dict[str, Any] = {
        "association_id": partners.food_bank["id"],
        "company_id": partners.ibm["id"],
        "origin": {"kind": "speed_dating", "reference_id": "x"},
        "occurred_on": occurred_on,
    }
    problem = assert_problem(write(client, "/partnerships", body), 422)
    assert "1900-01-01" in problem["detail"], problem


@pytest.mark.parametrize(
    "name",
    [
        "IBM\u202eecnarF",  # right-to-left override: shows as "IBMFrance" reversed
        "IBM\u200bFrance",  # zero-width space
        "I\u2066BM",  # left-to-right isolate
        "IBM\ufeff",  # zero-width no-break space
    ],
)
def test_names_refuse_invisible_and_bidirectional_controls(client: TestClient, name: str) -> None:
    response = write(client, "/organizations", {"kind": "company", "name": name, "territory": "67"})
    assert_problem(response, 422, "name-invisible-characters", "name")


def test_names_are_nfc_normalised(client: TestClient) -> None:
    decomposed = "Cafe\u0301 solidaire"  # e + combining acute accent
    created = register(client, "association", decomposed)
    assert created["name"] == "Caf\u00e9 solidaire"


@pytest.mark.parametrize(
    "identifier",
    [
        "\u0667\u0663\u0662\u0668\u0662\u0669\u0662\u0664\u0661",
        "W\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    ],
)
def test_legal_identifiers_take_ascii_digits_only(client: TestClient, identifier: str) -> None:
    kind = "association" if identifier.startswith("W") else "company"
    body = {"kind": kind, "name": "X", "territory": "67", "legal_identifier": identifier}
    assert_problem(write(client, "/organizations", body), 422, field="legal_identifier")


def test_html_answers_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/dashboard", "/dashboard/login"):
        response = client.get(path)
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "script-src" not in policy
        assert "default-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    api = client.get(f"{API}/organizations")
    assert api.headers["x-content-type-options"] == "nosniff"


def test_dashboard_sign_in_and_out_refuse_cross_site_posts(client: TestClient) -> None:
    token = client.headers["Authorization"].removeprefix("Bearer ")
    browser = TestClient(client.app)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        signed_in = browser.post(
            "/dashboard/login", data={"key": token}, headers=headers, follow_redirects=False
        )
        assert signed_in.status_code == 403
        assert "set-cookie" not in signed_in.headers
        out = browser.post("/dashboard/logout", headers=headers, follow_redirects=False)
        assert out.status_code == 403
    same = browser.post(
        "/dashboard/login",
        data={"key": token},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_the_dashboard_cookie_holds_a_session_reference_not_the_key(
    client: TestClient, client_as: ClientAs
) -> None:
    admin = client_as(Role.ADMIN)
    viewer_key = admin.post(f"{API}/keys", json={"name": "funder@example.org", "role": "viewer"})
    assert viewer_key.status_code == 201, viewer_key.text
    token = viewer_key.json()["token"]
    browser = TestClient(client.app)
    signed_in = browser.post("/dashboard/login", data={"key": token}, follow_redirects=False)
    assert signed_in.status_code == 303
    reference = browser.cookies.get("partnerlab_dashboard")
    assert reference
    assert token not in signed_in.headers["set-cookie"]
    assert reference not in token
    assert browser.get("/dashboard").status_code == 200

    # Signing out ends the session on the server: the same cookie opens nothing after.
    browser.post("/dashboard/logout", headers={"Sec-Fetch-Site": "same-origin"})
    stale = TestClient(client.app)
    stale.cookies.set("partnerlab_dashboard", reference, path="/dashboard")
    assert stale.get("/dashboard").status_code == 401

    # Revoking the key ends its sessions too.
    again = TestClient(client.app)
    again.post("/dashboard/login", data={"key": token}, follow_redirects=False)
    assert again.get("/dashboard").status_code == 200
    key_id = viewer_key.json()["id"]
    assert admin.post(f"{API}/keys/{key_id}/revoke", json={}).status_code in (200, 201)
    assert again.get("/dashboard").status_code == 401


def test_events_record_the_key_id_beside_its_name(client: TestClient, client_as: ClientAs) -> None:
    """A key named after a colleague (or after the command line's actor) cannot pass for
    them: the history shows which key recorded each event."""
    impostor = client_as(Role.STAFF, name="cli:root")
    met = open_partnership(
        impostor,
        register(impostor, "association", "Banque alimentaire"),
        register(impostor, "company", "IBM France"),
    )
    auditor = client_as(Role.AUDITOR)
    history = auditor.get(f"{API}/partnerships/{met['id']}/history")
    assert history.status_code == 200, history.text
    (entry,) = history.json()
    assert entry["actor"] == "cli:root"
    keys = client_as(Role.ADMIN).get(f"{API}/keys").json()["items"]
    impostor_key = next(k for k in keys if k["name"] == "cli:root")
    assert entry["actor_key_id"] == UUID(impostor_key["id"]).hex
    # An event recorded without a key (the application called directly) has none.
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    direct = runtime.app.organizations.register_organization(
        Caller(lab="alsace", actor="cli:root"),
        kind=OrganizationKind.COMPANY,
        name="La Poste",
        territory="75",
    )
    (direct_entry,) = runtime.app.audit.organization_history(
        Caller(lab="alsace", actor="auditor"), direct.id
    )
    assert direct_entry.actor == "cli:root"
    assert direct_entry.actor_key_id is None


def test_key_names_are_unique_per_lab(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    first = admin.post(f"{API}/keys", json={"name": "lea@labo.example", "role": "staff"})
    assert first.status_code == 201, first.text
    for same in ("lea@labo.example", "  Lea@Labo.example "):
        again = admin.post(f"{API}/keys", json={"name": same, "role": "viewer"})
        problem = assert_problem(again, 409, "api-key-name-taken", "name")
        assert "unique per lab" in problem["detail"]
    # Revoking the key does not free its name: a history would show two holders under it.
    revoked = admin.post(f"{API}/keys/{first.json()['id']}/revoke", json={})
    assert revoked.status_code in (200, 201), revoked.text
    again = admin.post(f"{API}/keys", json={"name": "lea@labo.example", "role": "staff"})
    assert_problem(again, 409, "api-key-name-taken")
    # Another lab names its keys as it likes.
    other_admin = client_as(Role.ADMIN, lab="lab-b")
    other = other_admin.post(f"{API}/keys", json={"name": "lea@labo.example", "role": "staff"})
    assert other.status_code == 201, other.text
