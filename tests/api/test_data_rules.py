"""Issue 14, the rest of the rules, over HTTP on SQLite and PostgreSQL: one organisation per
legal identifier (race-safe), look-alike names warned, one open partnership per pair unless
separate on purpose, a close with missing outcomes confirmed, catch-up for meetings marked
missed and withdrawn, corrections in histories, the follow-up list paged."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    Partners,
    assert_problem,
    open_partnership,
    register,
    write,
)

SIREN = "552118465"


def log_head(client: TestClient) -> int:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    head: int = runtime.app.read_models.log_head()
    return head


# -- legal identifiers -----------------------------------------------------------------------


def test_a_legal_identifier_registered_twice_is_refused_naming_its_holder(
    client: TestClient,
) -> None:
    ibm = register(client, "company", "IBM France", legal_identifier=SIREN)
    head = log_head(client)

    again = write(
        client,
        "/organizations",
        {
            "kind": "company",
            "name": "I.B.M.",
            "territory": "67",
            "legal_identifier": f"{SIREN[:3]} {SIREN[3:6]} {SIREN[6:]}",
        },
    )

    problem = assert_problem(again, 409, "legal-identifier-unique", "legal_identifier")
    assert problem["holder_id"] == ibm["id"]
    assert "IBM France" in problem["detail"]
    assert log_head(client) == head  # nothing recorded


def test_changing_an_identifier_claims_the_new_one_and_frees_the_old(client: TestClient) -> None:
    ibm = register(client, "company", "IBM France", legal_identifier=SIREN)
    poste = register(client, "company", "La Poste", legal_identifier="356000000")

    taken = write(
        client, f"/organizations/{poste['id']}", {"legal_identifier": SIREN}, method="PATCH"
    )
    assert_problem(taken, 409, "legal-identifier-unique", "legal_identifier")

    moved = write(
        client, f"/organizations/{ibm['id']}", {"legal_identifier": "732829320"}, method="PATCH"
    )
    assert moved.status_code == 200, moved.text
    freed = register(client, "company", "IBM Services", legal_identifier=SIREN)
    assert freed["legal_identifier"] == SIREN
    assert_problem(
        write(
            client,
            "/organizations",
            {"kind": "company", "name": "X", "territory": "67", "legal_identifier": "732829320"},
        ),
        409,
        "legal-identifier-unique",
    )


def test_two_concurrent_registrations_of_one_identifier_record_one(
    client: TestClient, backend: str
) -> None:
    # SQLite serialises every write, so the race is PostgreSQL's; the rule holds on both.
    barrier = threading.Barrier(6)
    answers: list[Any] = []

    def attempt(n: int) -> None:
        body = {
            "kind": "company",
            "name": f"Racer {n}",
            "territory": "67",
            "legal_identifier": SIREN,
        }
        barrier.wait()
        answers.append(write(client, "/organizations", body))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 201)
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["rule"] == "legal-identifier-unique"
        assert refused.json()["holder_id"] == winner["id"]
    listed = client.get(f"{API}/organizations", params={"text": "Racer"}).json()
    assert [o["id"] for o in listed["items"]] == [winner["id"]]


def test_a_look_alike_name_is_recorded_with_a_warning(client: TestClient) -> None:
    first = register(client, "association", "Emmaüs Mundolsheim")
    plain = write(
        client, "/organizations", {"kind": "association", "name": "Croix-Rouge", "territory": "67"}
    )
    assert plain.json()["warnings"] == []

    second = write(
        client,
        "/organizations",
        {"kind": "association", "name": "EMMAUS - mundolsheim", "territory": "67"},
    )

    assert second.status_code == 201, second.text
    [warning] = second.json()["warnings"]
    assert first["id"] in warning
    assert "Emmaüs Mundolsheim" in warning


# -- one open partnership per pair -------------------------------------------------------------


def test_a_second_open_partnership_of_a_pair_is_refused_unless_separate_on_purpose(
    client: TestClient, partners: Partners
) -> None:
    first = open_partnership(client, partners.food_bank, partners.ibm)
    head = log_head(client)
    body = {
        "association_id": partners.food_bank["id"],
        "company_id": partners.ibm["id"],
        "origin": {"kind": "spontaneous", "reference_id": None},
        "occurred_on": "2015-01-10",
    }

    problem = assert_problem(
        write(client, "/partnerships", body), 409, "one-open-partnership-per-pair"
    )
    assert problem["existing_partnership_id"] == first["id"]
    assert log_head(client) == head

    second = write(
        client,
        "/partnerships",
        {**body, "separate_on_purpose": {"reason": "a second project: the logistics one"}},
    )
    assert second.status_code == 201, second.text
    history = client.get(f"{API}/partnerships/{second.json()['id']}/history").json()
    assert history[0]["data"]["separate_reason"] == "a second project: the logistics one"
    blank = write(client, "/partnerships", {**body, "separate_on_purpose": {"reason": " "}})
    assert_problem(blank, 422)


def test_once_abandoned_the_pair_may_open_again(client: TestClient, partners: Partners) -> None:
    first = open_partnership(client, partners.food_bank, partners.ibm)
    abandoned = write(
        client,
        f"/partnerships/{first['id']}/abandonment",
        {"reason": "no budget", "occurred_on": "2014-04-01"},
    )
    assert abandoned.status_code == 201, abandoned.text
    again = open_partnership(client, partners.food_bank, partners.ibm, occurred_on="2015-01-01")
    assert again["id"] != first["id"]


# -- speed-dating: the close and catch-up ------------------------------------------------------


def small_session(client: TestClient) -> dict[str, Any]:
    host = register(client, "company", "Électricité de Strasbourg")
    people = [
        register(client, "association", "Banque alimentaire"),
        register(client, "association", "ESAT du Neuhof"),
        register(client, "company", "IBM France"),
        register(client, "company", "La Poste"),
    ]
    planned = write(
        client,
        "/speed-datings",
        {
            "title": "Speed-dating",
            "held_on": "2014-03-12",
            "starts_at": "18:00",
            "venue": "Café Brant",
            "host_company_id": host["id"],
        },
    ).json()
    for p in people:
        response = write(
            client, f"/speed-datings/{planned['id']}/participants", {"organization_id": p["id"]}
        )
        assert response.status_code == 201, response.text
    assert write(client, f"/speed-datings/{planned['id']}/schedule").status_code == 201
    return {"id": planned["id"], "a": people[:2], "c": people[2:]}


def outcome(client: TestClient, sid: str, a: dict[str, Any], c: dict[str, Any], held: bool) -> Any:
    response = write(
        client,
        f"/speed-datings/{sid}/outcomes",
        {"association_id": a["id"], "company_id": c["id"], "held": held},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_close_with_missing_outcomes_needs_confirming_and_records_them(
    client: TestClient,
) -> None:
    s = small_session(client)
    sid = s["id"]
    outcome(client, sid, s["a"][0], s["c"][0], True)
    head = log_head(client)

    refused = write(client, f"/speed-datings/{sid}/close", {"occurred_on": "2014-03-12"})
    problem = assert_problem(
        refused, 409, "outcomes-recorded-before-close", "confirm_missing_outcomes"
    )
    assert "3 scheduled meeting(s)" in problem["detail"]
    assert log_head(client) == head

    closed = write(
        client,
        f"/speed-datings/{sid}/close",
        {"occurred_on": "2014-03-12", "confirm_missing_outcomes": True},
    )
    assert closed.status_code == 201, closed.text
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    events = runtime.app.log.stored_events(UUID(sid))
    missing = events[-1].missing_outcomes
    assert {(str(p.association_id), str(p.company_id)) for p in missing} == {
        (s["a"][0]["id"], s["c"][1]["id"]),
        (s["a"][1]["id"], s["c"][0]["id"]),
        (s["a"][1]["id"], s["c"][1]["id"]),
    }


def test_catch_up_replans_only_meetings_marked_missed_and_can_be_withdrawn(
    client: TestClient,
) -> None:
    s = small_session(client)
    sid = s["id"]
    a, c = s["a"], s["c"]
    outcome(client, sid, a[0], c[0], True)
    outcome(client, sid, a[1], c[1], False)  # marked missed; the two others: no outcome yet

    planned = write(client, f"/speed-datings/{sid}/catch-up")
    assert planned.status_code == 201, planned.text
    timetable = client.get(f"{API}/speed-datings/{sid}/timetable").json()
    extra = [r for r in timetable["rounds"] if r["catch_up"]]
    assert [(m["association"]["id"], m["company"]["id"]) for r in extra for m in r["meetings"]] == [
        (a[1]["id"], c[1]["id"])
    ]

    withdrawn = write(
        client, f"/speed-datings/{sid}/catch-up/withdrawal", {"reason": "no time left"}
    )
    assert withdrawn.status_code == 201, withdrawn.text
    rounds = client.get(f"{API}/speed-datings/{sid}/timetable").json()["rounds"]
    assert not [r for r in rounds if r["catch_up"]]
    assert_problem(
        write(client, f"/speed-datings/{sid}/catch-up/withdrawal"), 409, "catch-up-plan-exists"
    )

    assert write(client, f"/speed-datings/{sid}/catch-up").status_code == 201
    outcome(client, sid, a[1], c[1], True)  # the catch-up meeting was held
    assert_problem(
        write(client, f"/speed-datings/{sid}/catch-up/withdrawal"),
        409,
        "catch-up-withdrawn-before-held",
    )


# -- corrections in histories ------------------------------------------------------------------


def test_a_subsidy_history_shows_each_correction(client: TestClient) -> None:
    subsidy = write(
        client,
        "/funding/subsidies",
        {"funder": "Région", "year": 2014, "amount_eur": "20000", "granted_on": "2014-02-03"},
    ).json()
    fixed = write(
        client,
        f"/funding/subsidies/{subsidy['id']}/corrections",
        {"amount_eur": "18500", "reason": "the convention was amended"},
    )
    assert fixed.status_code == 201, fixed.text

    history = client.get(f"{API}/funding/subsidies/{subsidy['id']}/history").json()

    assert [h["event_type"] for h in history] == ["Granted", "AmountCorrected"]
    correction = history[1]
    assert correction["data"]["previous_eur"] == "20000"
    assert correction["data"]["amount_eur"] == "18500"
    assert correction["data"]["reason"] == "the convention was amended"
    assert correction["actor"] == "claire@labo-partenariats.example"
    assert correction["recorded_at"]
    assert "20000 EUR -> 18500 EUR (the convention was amended)" in correction["description"]
    other = client.get(f"{API}/funding/subsidies/{'0' * 8}-0000-0000-0000-{'0' * 12}/history")
    assert_problem(other, 404)


def test_an_organisation_history_names_the_values_an_update_replaced(
    client: TestClient,
) -> None:
    poste = register(client, "company", "La Poste", territory="67")
    write(client, f"/organizations/{poste['id']}", {"territory": "68"}, method="PATCH")

    history = client.get(f"{API}/organizations/{poste['id']}/history").json()

    assert history[1]["data"]["previous"] == {"territory": "67"}
    assert "territory: 67 -> 68" in history[1]["description"]


# -- the follow-up list, paged -----------------------------------------------------------------


def test_the_follow_up_list_is_paged(client: TestClient, partners: Partners) -> None:
    for n in range(3):
        opened = open_partnership(
            client,
            partners.food_bank,
            partners.ibm,
            occurred_on="2014-01-0" + str(n + 1),
            separate=f"project {n}",
        )
        assert opened["id"]
    whole = client.get(f"{API}/follow-ups").json()
    assert whole["total"] == len(whole["items"]) >= 3
    pages = [
        client.get(f"{API}/follow-ups", params={"limit": 2, "offset": o}).json() for o in (0, 2)
    ]
    assert [p["total"] for p in pages] == [whole["total"]] * 2
    assert [i["key"] for p in pages for i in p["items"]] == [i["key"] for i in whole["items"]][:4]
    assert_problem(client.get(f"{API}/follow-ups", params={"limit": 0}), 422)
    assert_problem(client.get(f"{API}/follow-ups", params={"limit": 5000}), 422)
