"""Partnerships over HTTP: the lifecycle from first meeting to evaluation, and its rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    CONTRACT,
    IDEA,
    Partners,
    assert_problem,
    co_construct,
    milestone,
    open_partnership,
    register,
    write,
)


def test_a_whole_lifecycle_ends_in_the_evaluation_stage(
    client: TestClient, partners: Partners
) -> None:
    opened = open_partnership(client, partners.food_bank, partners.ibm)
    pid = opened["id"]
    meeting = milestone(client, pid, "meetings", {"occurred_on": "2014-03-26", "note": "demo"})
    idea = milestone(client, pid, "ideas", IDEA)
    milestone(
        client, pid, "co-construction", {"idea_id": idea["idea_id"], "occurred_on": "2014-05-20"}
    )
    milestone(
        client,
        pid,
        "co-construction/progress",
        {"progress": "workshop on the stock software", "occurred_on": "2014-06-10"},
    )
    contract = milestone(client, pid, "contract", CONTRACT)
    evaluation = milestone(
        client,
        pid,
        "evaluations",
        {
            "occurred_on": "2015-10-15",
            "beneficiaries": 4200,
            "jobs_created": 1,
            "volunteer_days": "12.5",
            "skills_days": "3",
            "in_kind_eur": 2500,
            "satisfaction": 5,
            "findings": "traceability from donor to family",
        },
    )

    assert (opened["version"], meeting["version"], idea["version"]) == (1, 2, 3)
    assert contract["stage"] == "contract"
    assert evaluation["version"] == 7
    assert evaluation["stage"] == "evaluation"
    assert evaluation["position"] > contract["position"]
    current = client.get(f"{API}/partnerships/{pid}")
    assert current.headers["ETag"] == '"7"'
    state = current.json()
    assert state["stage"] == "evaluation"
    assert state["status"] == "open"
    assert [m["kind"] for m in state["milestones"]] == [
        "opening",
        "meeting",
        "idea",
        "co_construction",
        "progress",
        "contract",
        "evaluation",
    ]
    assert [m["version"] for m in state["milestones"]] == list(range(1, 8))
    assert {m["actor"] for m in state["milestones"]} == {"claire@labo-partenariats.example"}
    assert state["chosen_idea_id"] == idea["idea_id"]
    assert state["contract"]["committed"] == {
        "financial_eur": "0",
        "in_kind_eur": "2500.00",
        "skills_days": "12.5",
    }
    assert state["evaluations"][0]["volunteer_days"] == "12.5"
    assert state["evaluations"][0]["skills_days"] == "3"
    assert state["stage_reached_on"]["evaluation"] == "2015-10-15"

    earlier = client.get(f"{API}/partnerships/{pid}", params={"version": 2})
    assert earlier.status_code == 200
    assert earlier.headers["ETag"] == '"2"'
    assert earlier.json()["stage"] == "meeting"
    assert [m["kind"] for m in earlier.json()["milestones"]] == ["opening", "meeting"]


def test_opening_answers_201_with_location_and_etag(client: TestClient, partners: Partners) -> None:
    response = write(
        client,
        "/partnerships",
        {
            "association_id": partners.food_bank["id"],
            "company_id": partners.ibm["id"],
            "origin": {"kind": "thematic_event", "reference_id": "forum-2014"},
            "occurred_on": "2014-03-12",
            "note": "met over coffee",
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"{API}/partnerships/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    assert (body["version"], body["stage"], body["origin_kind"]) == (1, "meeting", "thematic_event")
    assert body["origin_reference_id"] == "forum-2014"
    assert body["milestones"][0]["note"] == "met over coffee"


def test_a_milestone_answers_with_the_location_of_the_version_it_made(
    client: TestClient, met: dict[str, Any]
) -> None:
    response = write(client, f"/partnerships/{met['id']}/meetings", {"occurred_on": "2014-04-01"})

    assert response.status_code == 201
    assert response.headers["ETag"] == '"2"'
    assert response.headers["Location"] == f"{API}/partnerships/{met['id']}?version=2"
    body = response.json()
    assert (body["id"], body["version"]) == (met["id"], 2)
    assert body["position"] > met["position"]


def test_a_contract_on_a_fresh_partnership_is_409_naming_the_rule(
    client: TestClient, met: dict[str, Any]
) -> None:
    response = write(client, f"/partnerships/{met['id']}/contract", CONTRACT)

    problem = assert_problem(response, 409, "no-skipped-stage")
    assert "co-construction" in problem["detail"]
    assert client.get(f"{API}/partnerships/{met['id']}").json()["version"] == 1


def test_an_unknown_partnership_is_404(client: TestClient) -> None:
    assert_problem(client.get(f"{API}/partnerships/{uuid.uuid4()}"), 404, "not-found")
    response = write(
        client, f"/partnerships/{uuid.uuid4()}/meetings", {"occurred_on": "2014-04-01"}
    )
    assert_problem(response, 404, "not-found")


def test_an_organisation_id_is_not_a_partnership(client: TestClient, partners: Partners) -> None:
    assert_problem(client.get(f"{API}/partnerships/{partners.ibm['id']}"), 404, "not-found")


NEVER_PROPOSED = "00000000-0000-4000-8000-0000000000ff"


# test id: (the partnership at this stage, the step posted, its body, status, rule, field)
REFUSED_MILESTONES: dict[str, tuple[str, str, dict[str, Any], int, str, str | None]] = {
    "a_future_date_is_422_naming_the_field": (
        "met",
        "meetings",
        {"occurred_on": "2026-11-27"},
        422,
        "date-not-in-future",
        "occurred_on",
    ),
    "a_future_signature_names_signed_on": (
        "co_constructing",
        "contract",
        {**CONTRACT, "signed_on": "2030-01-01"},
        422,
        "date-not-in-future",
        "signed_on",
    ),
    "a_date_before_the_opening_is_422": (
        "met",
        "meetings",
        {"occurred_on": "2013-01-01"},
        422,
        "date-not-before-opening",
        "occurred_on",
    ),
    "an_impossible_date_is_422_naming_the_field": (
        "met",
        "meetings",
        {"occurred_on": "2024-02-30"},
        422,
        "request-validation",
        "occurred_on",
    ),
    "co_construction_on_an_idea_never_proposed_is_409": (
        "with_idea",
        "co-construction",
        {"idea_id": NEVER_PROPOSED, "occurred_on": "2014-05-20"},
        409,
        "idea-exists",
        "idea_id",
    ),
    "progress_notes_need_a_co_construction": (
        "with_idea",
        "co-construction/progress",
        {"progress": "first workshop", "occurred_on": "2014-05-01"},
        409,
        "no-skipped-stage",
        None,
    ),
    "a_sub_kind_of_another_category_is_422": (
        "co_constructing",
        "contract",
        {**CONTRACT, "sub_kind": "new_product"},
        422,
        "category-valid",
        "sub_kind",
    ),
    "a_contract_ending_before_it_starts_is_422": (
        "co_constructing",
        "contract",
        {**CONTRACT, "ends_on": "2014-01-01"},
        422,
        "contract-end-not-before-start",
        "ends_on",
    ),
    "a_second_contract_is_409": (
        "contracted",
        "contract",
        CONTRACT,
        409,
        "one-contract-renewals-extend-it",
        None,
    ),
    "an_evaluation_needs_a_contract": (
        "co_constructing",
        "evaluations",
        {"occurred_on": "2015-01-01"},
        409,
        "no-skipped-stage",
        None,
    ),
    "satisfaction_is_between_1_and_5": (
        "contracted",
        "evaluations",
        {"occurred_on": "2015-01-01", "satisfaction": 6},
        422,
        "satisfaction-between-1-and-5",
        "satisfaction",
    ),
    "a_renewal_that_does_not_extend_is_422": (
        "contracted",
        "renewals",
        {"occurred_on": "2015-09-01", "ends_on": "2015-06-30"},
        422,
        "renewal-extends-contract",
        "ends_on",
    ),
    "no_abandonment_after_the_contract": (
        "contracted",
        "abandonment",
        {"reason": "too late", "occurred_on": "2015-01-01"},
        409,
        "abandonment-before-contract",
        None,
    ),
    "a_correction_of_an_unknown_version_is_409": (
        "met",
        "corrections",
        {"target_version": 5, "changes": {"note": "x"}, "reason": "typo"},
        409,
        "corrected-milestone-exists",
        "target_version",
    ),
}


@pytest.mark.parametrize(
    ("stage", "step", "body", "status", "rule", "field"),
    list(REFUSED_MILESTONES.values()),
    ids=list(REFUSED_MILESTONES),
)
def test_a_milestone_breaking_a_rule_is_refused_naming_it(
    client: TestClient,
    request: pytest.FixtureRequest,
    stage: str,
    step: str,
    body: dict[str, Any],
    status: int,
    rule: str,
    field: str | None,
) -> None:
    partnership: dict[str, Any] = request.getfixturevalue(stage)

    response = write(client, f"/partnerships/{partnership['id']}/{step}", body)

    assert_problem(response, status, rule, field)


@pytest.mark.parametrize(
    ("association", "origin", "status", "rule", "field"),
    [
        pytest.param(
            "unknown",
            "spontaneous",
            404,
            "not-found",
            "association_id",
            id="an_unknown_association_is_404_naming_it",
        ),
        pytest.param(
            "a company",
            "spontaneous",
            409,
            "partners-are-one-association-and-one-company",
            "association_id",
            id="two_companies_cannot_open_a_partnership",
        ),
        pytest.param(
            "the food bank",
            "tinder",
            422,
            "request-validation",
            "origin.kind",
            id="an_unknown_origin_is_422_naming_the_nested_field",
        ),
    ],
)
def test_an_opening_breaking_a_rule_is_refused_naming_it(
    client: TestClient,
    partners: Partners,
    association: str,
    origin: str,
    status: int,
    rule: str,
    field: str,
) -> None:
    association_id = {
        "unknown": lambda: str(uuid.uuid4()),
        "a company": lambda: register(client, "company", "Sati")["id"],
        "the food bank": lambda: partners.food_bank["id"],
    }[association]()
    body = {
        "association_id": association_id,
        "company_id": partners.ibm["id"],
        "origin": {"kind": origin},
        "occurred_on": "2014-03-12",
    }

    assert_problem(write(client, "/partnerships", body), status, rule, field)


def test_a_version_the_partnership_never_had_is_404(
    client: TestClient, met: dict[str, Any]
) -> None:
    response = client.get(f"{API}/partnerships/{met['id']}", params={"version": 9})

    assert_problem(response, 404, "not-found", "version")
    for bad in (0, -1, "two", 10**30):
        response = client.get(f"{API}/partnerships/{met['id']}", params={"version": bad})
        assert_problem(response, 422, "request-validation", "version")


def test_an_idea_answers_with_its_new_id(client: TestClient, met: dict[str, Any]) -> None:
    body = milestone(client, met["id"], "ideas", {**IDEA, "description": "stock tracking"})

    assert body["ideas"] == [
        {
            "id": body["idea_id"],
            "title": IDEA["title"],
            "description": "stock tracking",
            "proposed_category": "patronage",
            "proposed_on": "2014-04-02",
            "chosen": False,
        }
    ]


def test_co_construction_starts_once(client: TestClient, co_constructing: dict[str, Any]) -> None:
    response = write(
        client,
        f"/partnerships/{co_constructing['id']}/co-construction",
        {"idea_id": co_constructing["chosen_idea_id"], "occurred_on": "2014-05-21"},
    )

    assert_problem(response, 409, "one-co-construction")


def test_progress_notes_are_kept(client: TestClient, co_constructing: dict[str, Any]) -> None:
    body = milestone(
        client,
        co_constructing["id"],
        "co-construction/progress",
        {"progress": "first workshop", "occurred_on": "2014-06-01", "note": "8 volunteers"},
    )

    assert [(n["details"]["progress"], n["note"]) for n in body["progress_notes"]] == [
        ("first workshop", "8 volunteers")
    ]
    assert body["stage"] == "co_construction"


@pytest.mark.parametrize(
    ("amount", "rule"),
    [
        ("-1", "amount-not-negative"),
        ("NaN", "request-validation"),
        ("Infinity", "request-validation"),
        ("1e30", "request-validation"),
        ("12.345", "request-validation"),
        ("lots", "request-validation"),
        (True, "request-validation"),
    ],
)
def test_a_committed_amount_must_be_a_sane_decimal(
    client: TestClient, co_constructing: dict[str, Any], amount: object, rule: str
) -> None:
    response = write(
        client,
        f"/partnerships/{co_constructing['id']}/contract",
        {**CONTRACT, "committed": {"financial_eur": amount}},
    )

    problem = assert_problem(response, 422, rule)
    assert problem["field"] in ("committed.financial_eur", "financial_eur")


def test_amounts_may_be_numbers_and_default_to_zero(
    client: TestClient, co_constructing: dict[str, Any]
) -> None:
    numbers = {**CONTRACT, "committed": {"financial_eur": 1500.5}}

    body = milestone(client, co_constructing["id"], "contract", numbers)

    assert body["contract"]["committed"] == {
        "financial_eur": "1500.5",
        "in_kind_eur": "0",
        "skills_days": "0",
    }


def test_a_renewal_extends_the_contract_and_adds_to_the_commitment(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    renewal = {"occurred_on": "2015-09-01", "ends_on": "2016-09-30"}

    body = milestone(
        client, contracted["id"], "renewals", {**renewal, "committed": {"skills_days": "10"}}
    )

    assert body["contract"]["ends_on"] == "2016-09-30"
    assert body["contract"]["total_committed"]["skills_days"] == "22.5"
    assert len(body["contract"]["renewals"]) == 1


def test_abandonment_records_the_reason_and_stops_the_partnership(
    client: TestClient, with_idea: dict[str, Any]
) -> None:
    reason = "the company's CSR budget was cut"

    body = milestone(
        client, with_idea["id"], "abandonment", {"reason": reason, "occurred_on": "2014-06-01"}
    )

    assert (body["status"], body["abandonment_reason"]) == ("abandoned", reason)
    response = write(
        client, f"/partnerships/{with_idea['id']}/meetings", {"occurred_on": "2014-07-01"}
    )
    assert_problem(response, 409, "nothing-after-abandonment")


def test_abandonment_requires_a_reason(client: TestClient, met: dict[str, Any]) -> None:
    path = f"/partnerships/{met['id']}/abandonment"

    assert_problem(
        write(client, path, {"occurred_on": "2014-06-01"}), 422, "request-validation", "reason"
    )
    assert_problem(
        write(client, path, {"reason": "  ", "occurred_on": "2014-06-01"}),
        422,
        "value-required",
        "reason",
    )


def test_a_correction_fixes_a_milestone_and_keeps_what_it_said(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    fix = {
        "target_version": 4,
        "changes": {"occurred_on": "2014-09-12", "financial_eur": "1000"},
        "reason": "the scanned agreement shows the 12th",
    }

    body = milestone(client, contracted["id"], "corrections", fix)

    assert body["version"] == 5
    assert body["contract"]["signed_on"] == "2014-09-12"
    assert body["contract"]["committed"]["financial_eur"] == "1000"
    correction = body["corrections"][0]
    assert correction["target_version"] == 4
    assert correction["previous"] == {"occurred_on": "2014-09-15", "financial_eur": "0"}
    assert correction["reason"] == "the scanned agreement shows the 12th"


@pytest.mark.parametrize(
    ("changes", "status", "rule", "field"),
    [
        ({}, 422, "correction-changes-something", "changes"),
        ({"idea_id": "x"}, 422, "field-correctable", "changes.idea_id"),
        ({"occurred_on": "2014-02-30"}, 422, "invalid-value", "changes.occurred_on"),
        ({"occurred_on": "2030-01-01"}, 422, "date-not-in-future", "occurred_on"),
        ({"financial_eur": "1e999"}, 422, "request-validation", "changes.financial_eur"),
        ({"skills_days": -3}, 422, "amount-not-negative", None),
        ({"category": "charity"}, 422, "invalid-value", "changes.category"),
        ({"category": "social_innovation"}, 422, "category-valid", "sub_kind"),
        ({"sub_kind": ["skills"]}, 422, "request-validation", None),
        ({"financial_eur": True}, 422, "request-validation", None),
    ],
)
def test_a_correction_must_make_sense(
    client: TestClient,
    contracted: dict[str, Any],
    changes: dict[str, Any],
    status: int,
    rule: str,
    field: str | None,
) -> None:
    response = write(
        client,
        f"/partnerships/{contracted['id']}/corrections",
        {"target_version": 4, "changes": changes, "reason": "typo"},
    )

    assert_problem(response, status, rule, field)
    assert client.get(f"{API}/partnerships/{contracted['id']}").json()["version"] == 4


def test_a_stale_if_match_is_412_and_records_nothing(
    client: TestClient, met: dict[str, Any]
) -> None:
    path = f"/partnerships/{met['id']}/meetings"
    assert write(client, path, {"occurred_on": "2014-04-01"}, if_match='"1"').status_code == 201

    response = write(client, path, {"occurred_on": "2014-04-02"}, if_match='"1"')

    problem = assert_problem(response, 412, "expected-version", "If-Match")
    assert problem["current_version"] == 2
    assert client.get(f"{API}/partnerships/{met['id']}").json()["version"] == 2


@pytest.mark.parametrize("etag", ['"1"', "1", 'W/"1"', "*"])
def test_a_current_if_match_is_accepted(client: TestClient, met: dict[str, Any], etag: str) -> None:
    response = write(
        client, f"/partnerships/{met['id']}/meetings", {"occurred_on": "2014-04-01"}, if_match=etag
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("etag", ['"0"', '"1", "2"', "abc", '"99999999999"', ""])
def test_a_malformed_if_match_is_400_naming_the_header(
    client: TestClient, met: dict[str, Any], etag: str
) -> None:
    response = write(
        client, f"/partnerships/{met['id']}/meetings", {"occurred_on": "2014-04-01"}, if_match=etag
    )

    assert_problem(response, 400, "if-match-malformed", "If-Match")


def test_listing_filters_partnerships(client: TestClient, partners: Partners) -> None:
    sati = register(client, "company", "Sati", field_of_activity="coffee roasting")
    cocagne = register(client, "association", "Les Jardins de Cocagne")
    ibm = open_partnership(client, partners.food_bank, partners.ibm)
    compost = open_partnership(client, cocagne, sati, origin="spontaneous", reference_id=None)
    bags = open_partnership(client, partners.food_bank, sati)
    co_construct(client, ibm["id"])
    milestone(client, ibm["id"], "contract", CONTRACT)
    milestone(
        client,
        bags["id"],
        "abandonment",
        {"reason": "no workshop free", "occurred_on": "2014-04-01"},
    )

    def ids(**query: str) -> set[str]:
        response = client.get(f"{API}/partnerships", params=query)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids() == {ibm["id"], compost["id"], bags["id"]}
    assert ids(stage="contract") == {ibm["id"]}
    assert ids(stage="meeting") == {compost["id"], bags["id"]}
    assert ids(status="abandoned") == {bags["id"]}
    assert ids(status="open") == {ibm["id"], compost["id"]}
    assert ids(category="patronage") == {ibm["id"]}
    assert ids(association_id=partners.food_bank["id"]) == {ibm["id"], bags["id"]}
    assert ids(company_id=sati["id"]) == {compost["id"], bags["id"]}
    assert ids(company_id=sati["id"], status="open") == {compost["id"]}
    assert ids(origin_reference_id="speed-dating-2014-03") == {ibm["id"], bags["id"]}
    summary = client.get(f"{API}/partnerships", params={"stage": "contract"}).json()["items"][0]
    assert (summary["company_name"], summary["category"], summary["sub_kind"]) == (
        "IBM France",
        "patronage",
        "skills",
    )


def test_listing_partnerships_is_paginated(client: TestClient, partners: Partners) -> None:
    opened = {
        open_partnership(client, partners.food_bank, partners.ibm, separate=f"project {n}")["id"]
        for n in range(3)
    }

    pages = [
        client.get(f"{API}/partnerships", params={"limit": 2, "offset": offset}).json()
        for offset in (0, 2)
    ]

    assert [p["total"] for p in pages] == [3, 3]
    assert [len(p["items"]) for p in pages] == [2, 1]
    assert {item["id"] for p in pages for item in p["items"]} == opened


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "stalled"}, "status"),
        ({"stage": "dating"}, "stage"),
        ({"category": "charity"}, "category"),
        ({"association_id": "food-bank"}, "association_id"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_listing_partnerships_refuses_bad_filters(
    client: TestClient, query: dict[str, Any], field: str
) -> None:
    assert_problem(
        client.get(f"{API}/partnerships", params=query), 422, "request-validation", field
    )
