"""Contact persons over HTTP: their details live apart from the event log, and an erasure
removes them from every table and export while histories and the hash chain stay whole."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.audit.merkle_log import verify_proof_export
from infrastructure.audit.signing import TreeHeadVerifier, load_public_key
from tests.api.conftest import API, STAFF_NAME, ClientAs, Partners, assert_problem, created, write
from tests.api.store_dump import every_value, readable_export

MARIE = {
    "name": "Marie Schmitt-Kieffer",
    "role": "volunteer coordinator",
    "email": "marie.schmitt-kieffer@banque-alimentaire.example",
    "phone": "+33 3 88 12 34 56",
}
PERSONAL = [MARIE["name"], MARIE["email"], MARIE["phone"]]


def contacts(organization: dict[str, Any]) -> str:
    return f"/organizations/{organization['id']}/contact-persons"


def add_marie(client: TestClient, partners: Partners) -> dict[str, Any]:
    return created(write(client, contacts(partners.food_bank), MARIE, key="add-marie"))


def test_a_contact_person_is_added_without_echoing_personal_data(
    client: TestClient, partners: Partners
) -> None:
    response = write(client, contacts(partners.food_bank), MARIE)

    assert response.status_code == 201, response.text
    added = response.json()
    assert response.headers["Location"] == f"{API}{contacts(partners.food_bank)}/{added['id']}"
    assert response.headers["ETag"] == '"2"'
    assert added["organization_version"] == 2
    assert not any(value in response.text for value in PERSONAL)
    shown = client.get(f"{API}{contacts(partners.food_bank)}/{added['id']}").json()
    assert {k: shown[k] for k in MARIE} == MARIE
    listed = client.get(f"{API}{contacts(partners.food_bank)}").json()["items"]
    assert [p["id"] for p in listed] == [added["id"]]


def test_only_the_persons_id_enters_the_event_log(
    client: TestClient, client_as: ClientAs, partners: Partners
) -> None:
    added = add_marie(client, partners)
    auditor = client_as("auditor")

    export = readable_export(auditor.get(f"{API}/audit/export").text)
    log = auditor.get(f"{API}/audit/events", params={"aggregate_id": partners.food_bank["id"]})

    assert UUID(added["id"]).hex in export  # as the events store a UUID
    assert not any(value in export for value in PERSONAL)
    assert [e["event_type"] for e in log.json()["items"]] == ["Registered", "ContactPersonAdded"]


def test_an_erasure_leaves_nothing_personal_and_the_chain_verifies(
    client: TestClient, client_as: ClientAs, partners: Partners
) -> None:
    added = add_marie(client, partners)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert all(value in every_value(runtime.database) for value in PERSONAL)

    erased = client.delete(f"{API}{contacts(partners.food_bank)}/{added['id']}")

    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] is True
    assert erased.headers["ETag"] == '"3"'
    stored = every_value(runtime.database)
    assert not [value for value in PERSONAL if value in stored]
    assert UUID(added["id"]).hex in stored  # the opaque id stays, in the events naming it
    auditor = client_as("auditor")
    export = auditor.get(f"{API}/audit/export").text
    assert UUID(added["id"]).hex in readable_export(export)
    assert not any(value in readable_export(export) for value in PERSONAL)
    key = auditor.get(f"{API}/audit/public-key").json()
    verifier = TreeHeadVerifier(load_public_key(key["public_key_pem"]))
    assert verify_proof_export(export.splitlines(), verifier.verify, verifier.verify_manifest).ok
    assert auditor.get(f"{API}/audit/verify").json()["ok"] is True
    log = auditor.get(f"{API}/audit/events", params={"event_type": "ContactPersonErased"})
    assert [(e["aggregate_id"], e["actor"]) for e in log.json()["items"]] == [
        (partners.food_bank["id"], STAFF_NAME)
    ]
    assert_problem(client.get(f"{API}{contacts(partners.food_bank)}/{added['id']}"), 404)
    assert client.get(f"{API}{contacts(partners.food_bank)}").json()["items"] == []
    again = client.delete(f"{API}{contacts(partners.food_bank)}/{added['id']}")
    assert_problem(again, 404, "not-found", "person_id")


def test_an_archived_organisation_takes_no_new_contact_but_erasure_still_works(
    client: TestClient, partners: Partners
) -> None:
    added = add_marie(client, partners)
    archived = write(client, f"/organizations/{partners.food_bank['id']}/archive", {})
    assert archived.status_code == 200, archived.text

    refused = write(client, contacts(partners.food_bank), {"name": "Paul Meyer"})
    erased = client.delete(f"{API}{contacts(partners.food_bank)}/{added['id']}")

    assert_problem(refused, 409, "organization-not-archived")
    assert erased.status_code == 200, erased.text


def test_a_stale_if_match_refuses_the_erasure_and_keeps_the_person(
    client: TestClient, partners: Partners
) -> None:
    added = add_marie(client, partners)

    stale = client.delete(
        f"{API}{contacts(partners.food_bank)}/{added['id']}", headers={"If-Match": '"1"'}
    )

    assert_problem(stale, 412, "expected-version")
    assert client.get(f"{API}{contacts(partners.food_bank)}/{added['id']}").status_code == 200


@pytest.mark.parametrize(
    ("body", "rule", "field"),
    [
        ({"name": "Marie", "email": "marie-at-example"}, "email-valid", "email"),
        ({"name": "Marie", "email": "a@b@c.example"}, "email-valid", "email"),
        ({"name": "Marie", "phone": "call me"}, "phone-valid", "phone"),
        ({"name": "  "}, "value-required", "name"),
        ({"name": "Marie", "password": "x"}, "request-validation", "password"),
        ({"name": "Marie", "email": "m@x.example\u0000"}, "request-validation", "email"),
    ],
)
def test_bad_details_are_422_and_nothing_is_kept(
    client: TestClient, partners: Partners, body: dict[str, Any], rule: str, field: str
) -> None:
    response = write(client, contacts(partners.food_bank), body)

    assert_problem(response, 422, rule, field)
    assert client.get(f"{API}{contacts(partners.food_bank)}").json()["items"] == []
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert runtime.database.query("SELECT COUNT(*) AS n FROM pl_contact_persons")[0]["n"] == 0


def test_a_person_of_another_organisation_is_not_found(
    client: TestClient, partners: Partners
) -> None:
    added = add_marie(client, partners)

    assert_problem(client.get(f"{API}{contacts(partners.ibm)}/{added['id']}"), 404)
    assert_problem(client.delete(f"{API}{contacts(partners.ibm)}/{added['id']}"), 404)
