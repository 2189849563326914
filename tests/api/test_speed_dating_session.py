"""A whole speed-dating session through HTTP, on SQLite and PostgreSQL: ten associations and
ten companies registered, the schedule generated and printed for the host, the day recorded
(check-ins, a company that never came, every meeting's outcome), the session closed, the
partnerships of the mutual follow-ups opened by the policy with the session as origin, a
one-sided pair decided by staff, and the cohort report."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.api.conftest import (
    API,
    assert_problem,
    co_construct,
    created,
    milestone,
    register,
    write,
)
from tests.unit.activity_stories import ASSOCIATIONS, COMPANIES  # the same ten and ten

ENGLISH = {"Accept-Language": "en"}
SESSION_ON = "2014-03-12"


@dataclass
class Session:
    id: str
    associations: list[dict[str, Any]]
    companies: list[dict[str, Any]]

    def path(self, suffix: str = "") -> str:
        return f"/speed-datings/{self.id}{suffix}"


def plan_and_fill(client: TestClient) -> Session:
    host = register(client, "company", "Électricité de Strasbourg")
    associations = [register(client, "association", name) for name in ASSOCIATIONS]
    companies = [register(client, "company", name) for name in COMPANIES]
    planned = created(
        write(
            client,
            "/speed-datings",
            {
                "title": "Speed-dating associations-entreprises, printemps 2014",
                "held_on": SESSION_ON,
                "starts_at": "18:00",
                "venue": "Café Brant, Strasbourg",
                "host_company_id": host["id"],
            },
        )
    )
    session = Session(planned["id"], associations, companies)
    for organization in [*associations, *companies]:
        created(
            write(client, session.path("/participants"), {"organization_id": organization["id"]})
        )
    return session


def interests(i: int, j: int) -> tuple[str, str]:
    """The day's outcome of association i and company j (company 9 never came).

    Mutual follow-up on the diagonal (9 pairs), one side only just after it (8 pairs),
    otherwise the association found it informative when i + j is even (36), or not (37).
    """
    if i == j:
        return "follow_up", "follow_up"
    if j == i + 1:
        return "follow_up", "informative"
    return ("informative" if (i + j) % 2 == 0 else "none"), "none"


def record_the_day(client: TestClient, session: Session) -> None:
    absent = session.companies[9]
    for organization in [*session.associations, *session.companies[:9]]:
        created(write(client, session.path("/check-ins"), {"organization_id": organization["id"]}))
    created(write(client, session.path("/no-shows"), {"organization_id": absent["id"]}))
    for i, association in enumerate(session.associations):
        for j, company in enumerate(session.companies):
            body: dict[str, Any] = {
                "association_id": association["id"],
                "company_id": company["id"],
                "held": company is not absent,
            }
            if company is not absent:
                body["association_interest"], body["company_interest"] = interests(i, j)
            created(write(client, session.path("/outcomes"), body))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def scheduled(client: TestClient) -> Session:
    session = plan_and_fill(client)
    response = created(write(client, session.path("/schedule")))
    assert response["status"] == "scheduled"
    assert (response["rounds_count"], response["meetings_scheduled"]) == (10, 100)
    return session


def test_a_ten_by_ten_session_runs_from_registration_to_partnerships_and_cohort(
    client: TestClient, scheduled: Session
) -> None:
    session = scheduled
    record_the_day(client, session)
    closed = created(write(client, session.path("/close"), {"occurred_on": SESSION_ON}))

    assert closed["status"] == "closed"
    assert len(closed["follow_ups"]) == 9
    assert len(closed["one_sided"]) == 8

    # The policy opened the 9 mutual follow-ups, with the session as origin.
    follow_ups = client.get(f"{API}{session.path('/follow-ups')}").json()
    opened_ids = {p["partnership_id"] for p in follow_ups["follow_ups"]}
    assert None not in opened_ids
    assert len(opened_ids) == 9
    assert all(p["partnership_id"] is None for p in follow_ups["one_sided"])
    listed = client.get(f"{API}/partnerships", params={"origin_reference_id": session.id}).json()
    assert listed["total"] == 9
    assert {p["id"] for p in listed["items"]} == opened_ids
    assert {p["origin_kind"] for p in listed["items"]} == {"speed_dating"}
    assert {p["opened_on"] for p in listed["items"]} == {SESSION_ON}
    diagonal = {(p["association_name"], p["company_name"]) for p in listed["items"]}
    assert diagonal == set(zip(ASSOCIATIONS[:9], COMPANIES[:9], strict=True))

    # Staff decide one one-sided pair: the food bank wanted to follow up with La Poste.
    food_bank, la_poste = session.associations[0], session.companies[1]
    decision = {"association_id": food_bank["id"], "company_id": la_poste["id"]}
    decided = created(write(client, session.path("/partnerships"), decision))
    assert decided["origin_reference_id"] == session.id
    assert decided["stage"] == "meeting"
    again = write(client, session.path("/partnerships"), decision)
    assert_problem(again, 409, "partnership-opened-once")

    # The lineage of a partnership names the session and its date, and the other pairs.
    lineage = client.get(f"{API}/partnerships/{decided['id']}/lineage").json()
    assert lineage["origin"]["activity_title"].startswith("Speed-dating")
    assert lineage["origin"]["activity_held_on"] == SESSION_ON
    assert len(lineage["origin"]["other_pairs"]) == 9
    page = client.get(
        f"{API}/partnerships/{decided['id']}/lineage", params={"format": "html"}, headers=ENGLISH
    )
    assert "Activity: <strong>Speed-dating associations-entreprises" in page.text

    # Two partnerships move on: the food bank and IBM reach a contract in exactly 6 months,
    # ESAT and La Poste in exactly 12 (both limits count).
    by_pair = {(p["association_name"], p["company_name"]): p["id"] for p in listed["items"]}
    move_on(client, by_pair[(ASSOCIATIONS[0], COMPANIES[0])], "2014-05-20", "2014-09-12")
    move_on(client, by_pair[(ASSOCIATIONS[1], COMPANIES[1])], "2014-10-01", "2015-03-12")

    cohort = client.get(f"{API}/reports/cohorts/{session.id}").json()
    assert cohort["kind"] == "speed_dating"
    assert (cohort["meetings_scheduled"], cohort["meetings_held"]) == (100, 90)
    assert cohort["meetings_not_held"] == 10
    assert cohort["interest"] == {
        "mutual_follow_up": 9,
        "one_sided_follow_up": 8,
        "informative": 36,
        "none": 37,
    }
    assert cohort["partnerships_opened"] == 10
    assert cohort["reached"] == [
        {"stage": "co_construction", "within_6_months": 1, "within_12_months": 2, "so_far": 2},
        {"stage": "contract", "within_6_months": 1, "within_12_months": 2, "so_far": 2},
    ]

    # The session appears closed in the list; nothing more is recorded on it.
    sessions = client.get(f"{API}/speed-datings").json()
    assert [(s["id"], s["status"]) for s in sessions["items"]] == [(session.id, "closed")]
    late = write(
        client,
        session.path("/outcomes"),
        {"association_id": food_bank["id"], "company_id": la_poste["id"], "held": False},
    )
    assert_problem(late, 409, "nothing-after-close")


def move_on(
    client: TestClient, partnership_id: str, co_construction_on: str, signed_on: str
) -> None:
    idea = {"title": "A project", "proposed_category": "patronage", "occurred_on": "2014-04-02"}
    co_construct(client, partnership_id, idea, on=co_construction_on)
    milestone(
        client,
        partnership_id,
        "contract",
        {
            "signed_on": signed_on,
            "category": "patronage",
            "sub_kind": "skills",
            "starts_on": signed_on,
            "ends_on": "2016-12-31",
        },
    )


def test_the_host_prints_the_timetable_per_table_and_per_participant(
    client: TestClient, scheduled: Session
) -> None:
    session = scheduled
    base = f"{API}{session.path('/timetable')}"

    grid = client.get(base, params={"format": "html"}, headers=ENGLISH)
    assert grid.headers["content-type"].startswith("text/html")
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', grid.text)
    assert stylesheet is not None, "the print rules come from the service's own stylesheet"
    print_css = client.get(stylesheet.group(1)).text
    assert "@page" in print_css
    assert "@media print" in print_css
    assert all(str(escape(name)) in grid.text for name in ASSOCIATIONS + COMPANIES)
    assert grid.text.count("<tr><td>") == 10  # a row per round

    rows = csv_rows(client.get(base, headers={"Accept": "text/csv"}).text)
    assert len(rows) == 100
    assert {(r["association"], r["company"]) for r in rows} == {
        (a, c) for a in ASSOCIATIONS for c in COMPANIES
    }
    assert [rows[0]["round"], rows[0]["starts"], rows[0]["ends"]] == ["1", "18:00", "18:07"]
    assert [rows[-1]["round"], rows[-1]["starts"], rows[-1]["ends"]] == ["10", "19:12", "19:19"]

    tables = client.get(f"{base}/tables", params={"format": "html"}).text
    assert tables.count('<section class="sheet">') == 10
    assert "break-after:page" in print_css
    third = client.get(f"{base}/tables/3").json()
    assert third["seated"]["name"] == ASSOCIATIONS[2]
    assert sorted(s["partner"]["name"] for s in third["slots"]) == sorted(COMPANIES)
    assert client.get(f"{base}/tables/3", params={"format": "csv"}).text.count("\n") == 11
    assert_problem(client.get(f"{base}/tables/11"), 404, "not-found", "table")

    cards = csv_rows(client.get(f"{base}/participants", params={"format": "csv"}).text)
    assert len(cards) == 20 * 10
    ibm = session.companies[0]
    card = client.get(f"{base}/participants/{ibm['id']}").json()
    assert card["table"] is None
    assert [s["table"] for s in card["slots"]] == [1, 10, 9, 8, 7, 6, 5, 4, 3, 2]
    assert (
        "moves from table to table"
        in client.get(
            f"{base}/participants/{ibm['id']}", params={"format": "html"}, headers=ENGLISH
        ).text
    )


SCREEN_MOMENTS = [
    ("2014-03-12T17:30:00", "before", 1, 1800),
    ("2014-03-12T18:20:00", "round", 3, 180),
    ("2014-03-12T18:23:30", "changeover", 4, 30),
    ("2014-03-12T19:30:00", "finished", None, None),
    ("2014-03-12T17:20:00+00:00", "round", 3, 180),  # 18:20 in Strasbourg
]


def test_the_big_screen_shows_the_round_under_way(client: TestClient, scheduled: Session) -> None:
    screen = f"{API}{scheduled.path('/screen')}"
    for at, state, round_number, seconds_left in SCREEN_MOMENTS:
        body = client.get(screen, params={"at": at, "format": "json"}).json()

        assert (body["state"], body["seconds_left"]) == (state, seconds_left), at
        assert (body["round"] or {}).get("number") == round_number, at
        page = client.get(screen, params={"at": at}, headers=ENGLISH).text
        assert 'http-equiv="refresh"' in page
        if state == "round":
            assert f"Round {round_number} of 10" in page


def test_closing_twice_with_the_same_key_records_one_close(
    client: TestClient, scheduled: Session
) -> None:
    body = {"occurred_on": SESSION_ON, "confirm_missing_outcomes": True}
    first = write(client, scheduled.path("/close"), body, key="close-spring-2014")
    replay = write(client, scheduled.path("/close"), body, key="close-spring-2014")

    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert client.get(f"{API}{scheduled.path()}").json()["version"] == first.json()["version"]


def test_a_stale_if_match_is_refused(client: TestClient, scheduled: Session) -> None:
    current = client.get(f"{API}{scheduled.path()}")
    version = current.headers["ETag"]
    a, c = scheduled.associations[0]["id"], scheduled.companies[0]["id"]
    outcome = {"association_id": a, "company_id": c, "held": True}
    created(write(client, scheduled.path("/outcomes"), outcome, if_match=version))

    stale = write(client, scheduled.path("/outcomes"), outcome, if_match=version)

    assert_problem(stale, 412, "expected-version", "If-Match")


def test_a_session_refuses_what_its_rules_forbid(client: TestClient) -> None:
    food_bank = register(client, "association", ASSOCIATIONS[0])
    body = {
        "title": "Speed-dating",
        "held_on": SESSION_ON,
        "starts_at": "18:00",
        "venue": "Café Brant",
        "host_company_id": food_bank["id"],
    }
    assert_problem(write(client, "/speed-datings", body), 409, "participant-kind-expected")
    assert_problem(
        write(client, "/speed-datings", {**body, "starts_at": "6pm"}),
        422,
        "request-validation",
        "starts_at",
    )
    ibm = register(client, "company", COMPANIES[0])
    planned = created(write(client, "/speed-datings", {**body, "host_company_id": ibm["id"]}))
    session = f"/speed-datings/{planned['id']}"
    assert_problem(
        write(
            client,
            f"{session}/outcomes",
            {"association_id": food_bank["id"], "company_id": ibm["id"], "held": True},
        ),
        409,
        "schedule-generated-first",
    )
    assert_problem(write(client, f"{session}/schedule"), 409, "schedule-needs-both-sides")
    assert_problem(client.get(f"{API}{session}/timetable"), 409, "schedule-generated-first")
    assert_problem(
        write(client, f"{session}/participants", {"organization_id": planned["id"]}),
        404,
        "not-found",
        "organization_id",
    )
