"""Organisations over HTTP: register, show, update, archive, list."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    STAFF_NAME,
    ClientAs,
    Partners,
    assert_problem,
    register,
    write,
)


def test_registering_an_association_answers_201_with_location_and_etag(
    client: TestClient,
) -> None:
    response = write(
        client,
        "/organizations",
        {
            "kind": "association",
            "name": "Les Jardins de Cocagne",
            "territory": "67",
            "legal_identifier": "W671234567",
            "field_of_activity": "integration through market gardening",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["Location"] == f"{API}/organizations/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    assert body["version"] == 1
    assert body["position"] >= 1
    assert body["kind"] == "association"
    assert body["legal_identifier"] == "W671234567"
    assert client.get(response.headers["Location"]).json()["name"] == "Les Jardins de Cocagne"


def test_showing_an_organisation_gives_its_version_as_etag(
    client: TestClient, partners: Partners
) -> None:
    response = client.get(f"{API}/organizations/{partners.ibm['id']}")

    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.json()["name"] == "IBM France"


def test_an_unknown_organisation_is_404(client: TestClient) -> None:
    response = client.get(f"{API}/organizations/{uuid.uuid4()}")

    assert_problem(response, 404, "not-found")


def test_an_organisation_id_that_is_not_a_uuid_is_422(client: TestClient) -> None:
    assert_problem(
        client.get(f"{API}/organizations/not-a-uuid"),
        422,
        "request-validation",
        "organization_id",
    )


def test_the_registration_is_recorded_as_the_key_holders_whatever_x_actor_says(
    client: TestClient, client_as: ClientAs
) -> None:
    response = client.post(
        f"{API}/organizations",
        json={"kind": "company", "name": "Sati", "territory": "67"},
        headers={"X-Actor": "mallory@elsewhere.example"},
    )

    assert response.status_code == 201, response.text
    log = client_as("auditor").get(
        f"{API}/audit/events", params={"aggregate_id": response.json()["id"]}
    )
    assert [e["actor"] for e in log.json()["items"]] == [STAFF_NAME]


SATI = {"kind": "company", "name": "Sati", "territory": "67"}


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        pytest.param(
            {"territory": "20"},
            "territory-invalid",
            "territory",
            id="a_territory_that_is_not_a_departement_is_422",
        ),
        pytest.param(
            {"legal_identifier": "123456789"},
            "legal-identifier-invalid",
            "legal_identifier",
            id="a_siret_failing_its_check_key_is_422",
        ),
        pytest.param(
            {"contact_email": "a@b.fr"},
            "request-validation",
            "contact_email",
            id="unknown_fields_are_refused",
        ),
    ],
)
def test_a_registration_breaking_a_rule_is_422_naming_the_field(
    client: TestClient, changes: dict[str, str], rule: str, field: str
) -> None:
    response = write(client, "/organizations", {**SATI, **changes})

    assert_problem(response, 422, rule, field)


def test_an_unknown_kind_is_422_naming_the_field(client: TestClient) -> None:
    response = write(client, "/organizations", {**SATI, "kind": "foundation"})

    problem = assert_problem(response, 422, "request-validation", "kind")
    assert problem["errors"][0]["in"] == "body"


def test_every_invalid_field_is_listed(client: TestClient) -> None:
    response = write(client, "/organizations", {"kind": 3, "territory": ["67"]})

    problem = assert_problem(response, 422, "request-validation")
    assert {e["field"] for e in problem["errors"]} == {"kind", "name", "territory"}


def test_updating_changes_the_given_fields_and_moves_the_etag(
    client: TestClient, partners: Partners
) -> None:
    response = write(
        client,
        f"/organizations/{partners.ibm['id']}",
        {"field_of_activity": "IT services", "territory": "2A"},
        if_match='"1"',
        method="PATCH",
    )

    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert (body["version"], body["field_of_activity"], body["territory"]) == (
        2,
        "IT services",
        "2A",
    )
    assert body["name"] == "IBM France"
    assert body["position"] > partners.ibm["position"]


def test_updating_with_a_stale_if_match_is_412(client: TestClient, partners: Partners) -> None:
    path = f"/organizations/{partners.ibm['id']}"
    assert write(client, path, {"name": "IBM"}, if_match='"1"', method="PATCH").status_code == 200

    response = write(client, path, {"name": "IBM Alsace"}, if_match='"1"', method="PATCH")

    assert_problem(response, 412, "expected-version", "If-Match")
    assert client.get(f"{API}{path}").json()["name"] == "IBM"


def test_a_malformed_if_match_is_400_naming_the_header(
    client: TestClient, partners: Partners
) -> None:
    response = write(
        client,
        f"/organizations/{partners.ibm['id']}",
        {"name": "IBM"},
        if_match="version-one",
        method="PATCH",
    )

    assert_problem(response, 400, "if-match-malformed", "If-Match")


def test_a_name_cannot_be_cleared(client: TestClient, partners: Partners) -> None:
    response = write(client, f"/organizations/{partners.ibm['id']}", {"name": None}, method="PATCH")

    assert_problem(response, 422, "request-validation", "name")


def test_archiving_keeps_the_organisation_but_refuses_new_partnerships(
    client: TestClient, partners: Partners
) -> None:
    response = write(
        client,
        f"/organizations/{partners.ibm['id']}/archive",
        {"reason": "left the region"},
        if_match='"1"',
    )

    assert response.status_code == 200, response.text
    assert response.json()["archived"] is True
    assert response.headers["ETag"] == '"2"'
    opening = write(
        client,
        "/partnerships",
        {
            "association_id": partners.food_bank["id"],
            "company_id": partners.ibm["id"],
            "origin": {"kind": "spontaneous"},
            "occurred_on": "2015-01-05",
        },
    )
    assert_problem(opening, 409, "organization-not-archived", "company_id")


def test_archiving_twice_is_409(client: TestClient, partners: Partners) -> None:
    path = f"/organizations/{partners.ibm['id']}/archive"
    assert write(client, path).status_code == 200

    assert_problem(write(client, path), 409, "organization-not-archived")


def test_archiving_with_a_stale_if_match_is_412(client: TestClient, partners: Partners) -> None:
    response = write(client, f"/organizations/{partners.ibm['id']}/archive", if_match='"7"')

    assert_problem(response, 412, "expected-version")


def test_updating_an_unknown_organisation_is_404(client: TestClient) -> None:
    response = write(client, f"/organizations/{uuid.uuid4()}", {"name": "x"}, method="PATCH")

    assert_problem(response, 404, "not-found")


def test_listing_filters_by_kind_territory_field_and_text(client: TestClient) -> None:
    register(client, "association", "Banque alimentaire", "67", field_of_activity="food aid")
    register(client, "association", "Emmaüs Mundo", "68", field_of_activity="reuse")
    register(client, "company", "Sati", "67", field_of_activity="coffee roasting")
    register(client, "company", "Lyonnaise des eaux", "68", field_of_activity="water")

    def names(**query: str) -> list[str]:
        response = client.get(f"{API}/organizations", params=query)
        assert response.status_code == 200, response.text
        return sorted(item["name"] for item in response.json()["items"])

    assert names(kind="company") == ["Lyonnaise des eaux", "Sati"]
    assert names(territory="68") == ["Emmaüs Mundo", "Lyonnaise des eaux"]
    assert names(field="coffee roasting") == ["Sati"]
    assert names(q="alimentaire") == ["Banque alimentaire"]
    assert names(kind="association", territory="67") == ["Banque alimentaire"]


def test_listing_is_paginated_with_the_total(client: TestClient) -> None:
    for n in range(5):
        register(client, "company", f"Entreprise {n}")

    first = client.get(f"{API}/organizations", params={"limit": 2}).json()
    last = client.get(f"{API}/organizations", params={"limit": 2, "offset": 4}).json()

    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (5, 2, 0, 2)
    assert (last["total"], last["offset"], len(last["items"])) == (5, 4, 1)
    assert client.get(f"{API}/organizations").json()["limit"] == 50


def test_archived_organisations_are_listed_only_on_request(
    client: TestClient, partners: Partners
) -> None:
    write(client, f"/organizations/{partners.ibm['id']}/archive")

    listed = client.get(f"{API}/organizations").json()
    everything = client.get(f"{API}/organizations", params={"include_archived": "true"}).json()

    assert [o["name"] for o in listed["items"]] == ["Banque alimentaire du Bas-Rhin"]
    assert everything["total"] == 2


def test_listing_refuses_bad_pagination(client: TestClient) -> None:
    for query, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": -5}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "ten"}, "limit"),
        ({"offset": str(10**30)}, "offset"),
        ({"kind": "foundation"}, "kind"),
    ):
        response = client.get(f"{API}/organizations", params=query)
        problem = assert_problem(response, 422, "request-validation", field)
        assert problem["errors"][0]["in"] == "query"


def test_an_auditor_reads_the_catalogue_but_registers_nothing(
    client_as: ClientAs, partners: Partners
) -> None:
    auditor = client_as("auditor")

    assert auditor.get(f"{API}/organizations").json()["total"] == 2
    assert auditor.get(f"{API}/organizations/{partners.ibm['id']}").status_code == 200
    refused = auditor.post(
        f"{API}/organizations", json={"kind": "company", "name": "Sati", "territory": "67"}
    )
    assert_problem(refused, 403, "role-not-allowed")
