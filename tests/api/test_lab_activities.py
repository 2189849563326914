"""Events and forums, consulting, training and subsidies over HTTP, on both databases: what
they record, the partnerships they open, and the same error, version and retry rules as
partnerships."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import API, assert_problem, created, register, write

# -- events and forums ---------------------------------------------------------------------------


def test_a_meeting_at_a_forum_opens_a_partnership_with_the_forum_as_origin(
    client: TestClient,
) -> None:
    esat = register(client, "association", "ESAT du Neuhof")
    la_poste = register(client, "company", "La Poste")
    forum = created(
        write(
            client,
            "/events",
            {
                "kind": "open_forum",
                "title": "Forum emploi et partenariats",
                "held_on": "2014-11-20",
                "venue": "Maison des associations",
            },
        )
    )
    assert forum["attendees"] == []
    for organization in (esat, la_poste):
        path = f"/events/{forum['id']}/attendances"
        created(write(client, path, {"organization_id": organization["id"]}))

    met = created(
        write(
            client,
            f"/events/{forum['id']}/meetings",
            {"association_id": esat["id"], "company_id": la_poste["id"], "note": "bikes"},
        )
    )

    assert met["version"] == 4
    shown = client.get(f"{API}/events/{forum['id']}").json()
    (meeting,) = shown["meetings"]
    assert meeting["partnership_id"] is not None
    partnership = client.get(f"{API}/partnerships/{meeting['partnership_id']}").json()
    assert partnership["origin_kind"] == "open_forum"
    assert partnership["origin_reference_id"] == forum["id"]
    assert partnership["opened_on"] == "2014-11-20"
    cohort = client.get(f"{API}/reports/cohorts/{forum['id']}").json()
    assert (cohort["kind"], cohort["meetings_held"], cohort["partnerships_opened"]) == (
        "open_forum",
        1,
        1,
    )
    assert cohort["interest"] is None
    listed = client.get(f"{API}/events", params={"kind": "open_forum"}).json()
    assert [(e["id"], e["status"]) for e in listed["items"]] == [(forum["id"], "held")]


def test_an_event_may_be_planned_ahead_but_attendance_waits_for_its_day(
    client: TestClient,
) -> None:
    gardens = register(client, "association", "Les Jardins de Cocagne")
    later = created(
        write(
            client,
            "/events",
            {"kind": "thematic_event", "title": "Économie circulaire", "held_on": "2027-03-04"},
        )
    )

    refused = write(
        client, f"/events/{later['id']}/attendances", {"organization_id": gardens["id"]}
    )

    assert_problem(refused, 409, "facts-after-session-date")
    assert_problem(
        write(client, "/events", {"kind": "speed_dating", "title": "x", "held_on": "2014-01-01"}),
        422,
        "event-kind",
        "kind",
    )


# -- consulting ----------------------------------------------------------------------------------


def test_consulting_proposes_associations_from_the_catalogue_and_records_what_was_paid(
    client: TestClient,
) -> None:
    sati = register(client, "company", "Cafés Sati", field_of_activity="coffee roasting")
    workshop = register(
        client, "association", "Atelier d'insertion Sac à sacs", field_of_activity="insertion"
    )
    register(
        client,
        "association",
        "Les Jardins de Cocagne",
        territory="68",
        field_of_activity="insertion par le maraîchage",
    )
    register(client, "association", "Banque alimentaire du Bas-Rhin", field_of_activity="aid")
    engagement = created(
        write(
            client,
            "/consulting-engagements",
            {
                "company_id": sati["id"],
                "scope": "Turn defective coffee packs into a resource",
                "started_on": "2014-01-13",
            },
        )
    )
    path = f"/consulting-engagements/{engagement['id']}"

    found = client.get(f"{API}{path}/candidates", params={"field": "insertion", "territory": "67"})
    assert [o["name"] for o in found.json()["items"]] == ["Atelier d'insertion Sac à sacs"]
    proposed = created(
        write(
            client,
            f"{path}/proposals",
            {
                "association_ids": [workshop["id"]],
                "occurred_on": "2014-02-03",
                "field_of_activity": "insertion",
                "territory": "67",
            },
        )
    )
    assert [o["name"] for o in proposed["proposed"]] == ["Atelier d'insertion Sac à sacs"]
    paid = created(
        write(client, f"{path}/contributions", {"amount_eur": "1500.50", "paid_on": "2014-06-30"})
    )
    assert paid["contributed_eur"] == "1500.50"
    opened = created(
        write(
            client,
            f"{path}/partnerships",
            {"association_id": workshop["id"], "occurred_on": "2014-03-01"},
        )
    )
    assert opened["origin_kind"] == "consulting"
    assert opened["origin_reference_id"] == engagement["id"]
    assert_problem(
        write(client, f"{path}/contributions", {"amount_eur": "0", "paid_on": "2014-06-30"}),
        422,
        "amount-positive",
        "amount_eur",
    )
    assert_problem(
        write(client, f"{path}/contributions", {"amount_eur": "10.001", "paid_on": "2014-06-30"}),
        422,
        "request-validation",
    )
    assert_problem(
        write(client, f"{path}/contributions", {"amount_eur": "10", "paid_on": "2014-01-01"}),
        422,
        "date-not-before-activity",
        "paid_on",
    )


# -- training ------------------------------------------------------------------------------------


def test_a_training_session_enrols_organisations_and_records_their_fees(
    client: TestClient,
) -> None:
    la_poste = register(client, "company", "La Poste")
    food_bank = register(client, "association", "Banque alimentaire du Bas-Rhin")
    training = created(
        write(
            client,
            "/trainings",
            {"title": "Build a partnership with a company", "held_on": "2014-10-07"},
        )
    )
    path = f"/trainings/{training['id']}"
    created(
        write(
            client,
            f"{path}/participants",
            {"organization_id": la_poste["id"], "people": 3, "fee_eur": "450"},
        )
    )
    created(
        write(client, f"{path}/participants", {"organization_id": food_bank["id"], "people": 2})
    )

    paid = created(
        write(
            client,
            f"{path}/payments",
            {"organization_id": la_poste["id"], "amount_eur": "450.00", "paid_on": "2014-09-30"},
        )
    )

    assert [
        (p["organization"]["name"], p["people"], p["paid_eur"]) for p in paid["participants"]
    ] == [
        ("La Poste", 3, "450.00"),
        ("Banque alimentaire du Bas-Rhin", 2, "0"),
    ]
    assert (paid["fees_agreed_eur"], paid["fees_paid_eur"]) == ("450", "450.00")
    kuhn = register(client, "company", "Kuhn SA")
    assert_problem(
        write(
            client,
            f"{path}/payments",
            {"organization_id": kuhn["id"], "amount_eur": "10", "paid_on": "2014-09-30"},
        ),
        409,
        "participant-registered",
        "organization_id",
    )
    assert_problem(
        write(client, f"{path}/participants", {"organization_id": kuhn["id"], "people": 0}),
        422,
        "count-in-range",
        "people",
    )


# -- subsidies -----------------------------------------------------------------------------------


def test_a_subsidy_is_corrected_under_if_match_and_recorded_once_per_key(
    client: TestClient,
) -> None:
    body = {
        "funder": "Direccte Alsace",
        "year": 2014,
        "amount_eur": "30000",
        "granted_on": "2014-02-03",
    }
    first = write(client, "/funding/subsidies", body, key="direccte-2014")
    retried = write(client, "/funding/subsidies", body, key="direccte-2014")
    subsidy = created(first)
    assert retried.json()["id"] == subsidy["id"]
    assert first.headers["Location"] == f"{API}/funding/subsidies/{subsidy['id']}"
    etag = client.get(f"{API}/funding/subsidies/{subsidy['id']}").headers["ETag"]
    correction = {"amount_eur": "28500", "reason": "the convention was amended"}

    corrected = created(
        write(client, f"/funding/subsidies/{subsidy['id']}/corrections", correction, if_match=etag)
    )
    stale = write(
        client, f"/funding/subsidies/{subsidy['id']}/corrections", correction, if_match=etag
    )

    assert (corrected["amount_eur"], corrected["corrections"]) == ("28500", 1)
    assert_problem(stale, 412, "expected-version")
    lines = client.get(f"{API}/funding", params={"source": "subsidy"}).json()
    assert [(line["payer"], line["amount_eur"]) for line in lines] == [
        ("Direccte Alsace", "28500.00")
    ]
    assert_problem(
        write(client, "/funding/subsidies", {**body, "granted_on": "2027-01-01"}),
        422,
        "date-not-in-future",
        "granted_on",
    )
    assert_problem(
        write(client, "/funding/subsidies", {**body, "extra": 1}), 422, "request-validation"
    )
