"""API keys over HTTP: an admin issues them (the token is shown once), lists and revokes
them; every issue and revocation is an audited event, and the key's holder is the actor of
everything it records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import API, ClientAs, assert_problem, bearer, created, register
from tests.api.store_dump import every_value

FOOD_BANK = {"kind": "association", "name": "Banque alimentaire du Bas-Rhin", "territory": "67"}


def issue(admin: TestClient, **body: Any) -> dict[str, Any]:
    return created(admin.post(f"{API}/keys", json={"role": "staff", **body}))


def test_a_key_issued_by_an_admin_works_at_once_and_records_its_holder_as_actor(
    client: TestClient, client_as: ClientAs
) -> None:
    admin = client_as("admin", name="director@labo-partenariats.example")
    response = admin.post(
        f"{API}/keys", json={"name": "lea@labo-partenariats.example", "role": "staff"}
    )
    assert response.status_code == 201, response.text
    issued = response.json()
    assert response.headers["Location"] == f"{API}/keys/{issued['id']}"
    assert response.headers["Cache-Control"] == "no-store"
    assert issued["token"].startswith(f"plk_{issued['id'].replace('-', '')}_")
    assert (issued["lab"], issued["role"], issued["issued_by"]) == (
        "alsace",
        "staff",
        "director@labo-partenariats.example",
    )

    lea = TestClient(client.app, headers=bearer(issued["token"]))
    organization = lea.post(f"{API}/organizations", json=FOOD_BANK)
    assert organization.status_code == 201, organization.text

    log = client_as("auditor").get(f"{API}/audit/events").json()["items"]
    issued_event = next(e for e in log if e["aggregate_id"] == issued["id"])
    assert (issued_event["event_type"], issued_event["actor"]) == (
        "Issued",
        "director@labo-partenariats.example",
    )
    registered = next(e for e in log if e["aggregate_id"] == organization.json()["id"])
    assert registered["actor"] == "lea@labo-partenariats.example"


def test_the_token_is_shown_once_and_never_stored(client: TestClient, client_as: ClientAs) -> None:
    admin = client_as("admin")
    issued = issue(admin, name="lea")

    shown = admin.get(f"{API}/keys/{issued['id']}").json()
    listed = admin.get(f"{API}/keys").json()["items"]

    assert "token" not in shown
    assert all("token" not in key and "secret_hash" not in key for key in listed)
    secret = issued["token"].split("_", 2)[2]
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert secret not in every_value(runtime.database)


def test_a_revoked_key_is_refused_from_the_next_request_on(
    client: TestClient, client_as: ClientAs
) -> None:
    admin = client_as("admin")
    issued = issue(admin, name="lea")
    lea = TestClient(client.app, headers=bearer(issued["token"]))
    assert lea.get(f"{API}/organizations").status_code == 200

    revoked = admin.post(f"{API}/keys/{issued['id']}/revoke", json={"reason": "left the lab"})

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_by"] == "admin@alsace.example"
    assert_problem(lea.get(f"{API}/organizations"), 401, "api-key-revoked")
    again = admin.post(f"{API}/keys/{issued['id']}/revoke")
    assert_problem(again, 409, "key-revoked-once")
    listed = {k["id"]: k for k in admin.get(f"{API}/keys").json()["items"]}
    assert listed[issued["id"]]["revoked_at"] is not None


def test_a_key_with_an_expiry_works_until_then(client: TestClient, client_as: ClientAs) -> None:
    admin = client_as("admin")
    expires_at = datetime.now(UTC) + timedelta(days=30)
    issued = issue(admin, name="a consultant", role="viewer", expires_at=expires_at.isoformat())
    consultant = TestClient(client.app, headers=bearer(issued["token"]))
    lab = client.app.state.runtime.app  # type: ignore[attr-defined]

    assert consultant.get(f"{API}/reports/funding").status_code == 200
    lab.keys.key_clock = lambda: expires_at + timedelta(seconds=1)
    assert_problem(consultant.get(f"{API}/reports/funding"), 401, "api-key-expired")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "x", "role": "staff", "expires_at": "2020-01-01T00:00:00Z"}, 422, "expires_at"),
        ({"name": "x", "role": "staff", "expires_at": "2030-01-01T00:00:00"}, 422, "expires_at"),
        ({"name": "x", "role": "staff", "expires_at": "9999-12-31T23:00:00-05:00"}, 422, None),
        ({"name": "x", "role": "owner"}, 422, "role"),
        ({"name": "   ", "role": "staff"}, 422, "name"),
        ({"name": "x" * 201, "role": "staff"}, 422, "name"),
        ({"name": "x", "role": "staff", "lab": "lorraine"}, 422, "lab"),
    ],
)
def test_a_bad_key_request_is_422(
    client_as: ClientAs, body: dict[str, Any], status: int, field: str | None
) -> None:
    response = client_as("admin").post(f"{API}/keys", json=body)

    problem = assert_problem(response, status)
    if field is not None:
        assert problem["field"] == field, problem


def test_an_admin_manages_only_the_keys_of_their_lab(client_as: ClientAs) -> None:
    alsace = client_as("admin", lab="alsace")
    lorraine = client_as("admin", lab="lorraine")
    issued = issue(alsace, name="lea")

    assert_problem(lorraine.get(f"{API}/keys/{issued['id']}"), 404, "not-found")
    assert_problem(lorraine.post(f"{API}/keys/{issued['id']}/revoke"), 404, "not-found")
    assert issued["id"] not in {k["id"] for k in lorraine.get(f"{API}/keys").json()["items"]}
    assert issued["id"] in {k["id"] for k in alsace.get(f"{API}/keys").json()["items"]}
    made_in_lorraine = issue(lorraine, name="paul")
    assert made_in_lorraine["lab"] == "lorraine"


def test_staff_cannot_issue_keys(client: TestClient) -> None:
    response = client.post(f"{API}/keys", json={"name": "mallory", "role": "admin"})

    assert_problem(response, 403, "role-not-allowed")


def test_an_idempotency_key_never_stores_a_token(client: TestClient, client_as: ClientAs) -> None:
    admin = client_as("admin")
    first = admin.post(
        f"{API}/keys", json={"name": "lea", "role": "staff"}, headers={"Idempotency-Key": "k1"}
    )
    second = admin.post(
        f"{API}/keys", json={"name": "lea", "role": "staff"}, headers={"Idempotency-Key": "k1"}
    )

    # Nothing of the first answer was stored to replay: the retry is a new request, refused
    # because key names are unique per lab (it would otherwise have issued a second key).
    assert first.status_code == 201
    assert_problem(second, 409, "api-key-name-taken")
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert first.json()["token"].split("_", 2)[2] not in every_value(runtime.database)
    register(client, "company", "IBM France")  # the store still works for everyone else
