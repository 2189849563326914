"""Issue 14 over HTTP, on SQLite and PostgreSQL: milestone dates in order, overpayment refused
unless a donation, staff assignment, the follow-up list (JSON and CSV) and the calendar feed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import icalendar
from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    Partners,
    assert_problem,
    co_construct,
    milestone,
    open_partnership,
    register,
    write,
)


def test_a_contract_signed_before_co_construction_is_refused_and_nothing_recorded(
    client: TestClient, co_constructing: dict[str, Any]
) -> None:
    pid = co_constructing["id"]
    body = {
        "signed_on": "2014-05-01",  # co-construction started 2014-05-20
        "category": "patronage",
        "sub_kind": "skills",
        "starts_on": "2014-10-01",
        "ends_on": "2015-09-30",
        "committed": {"financial_eur": "0", "in_kind_eur": "0", "skills_days": "1"},
    }
    problem = assert_problem(
        write(client, f"/partnerships/{pid}/contract", body),
        422,
        "milestone-not-before-predecessor",
        "signed_on",
    )
    assert "2014-05-20" in problem["detail"]
    assert client.get(f"{API}/partnerships/{pid}").json()["version"] == co_constructing["version"]


def test_a_correction_moving_the_idea_after_its_co_construction_is_refused(
    client: TestClient, co_constructing: dict[str, Any]
) -> None:
    pid = co_constructing["id"]
    response = write(
        client,
        f"/partnerships/{pid}/corrections",
        {"target_version": 2, "changes": {"occurred_on": "2014-06-01"}, "reason": "typo"},
    )
    assert_problem(response, 422, "milestone-not-before-predecessor", "changes.occurred_on")


def test_overpaying_a_training_fee_is_refused_unless_a_donation(client: TestClient) -> None:
    company = register(client, "company", "La Poste")
    training = write(
        client, "/trainings", {"title": "Build a partnership", "held_on": "2014-10-07"}
    )
    assert training.status_code == 201, training.text
    tid = training.json()["id"]
    enrol = write(
        client,
        f"/trainings/{tid}/participants",
        {"organization_id": company["id"], "people": 1, "fee_eur": "150"},
    )
    assert enrol.status_code == 201, enrol.text
    payment = {"organization_id": company["id"], "amount_eur": "1000", "paid_on": "2014-10-01"}
    assert_problem(
        write(client, f"/trainings/{tid}/payments", payment),
        422,
        "payment-not-above-fee",
        "amount_eur",
    )
    donated = write(client, f"/trainings/{tid}/payments", payment | {"donation": True})
    assert donated.status_code == 201, donated.text


def items(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/follow-ups", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def test_follow_ups_list_what_needs_doing_and_answered_items_disappear(
    client: TestClient, partners: Partners, contracted: dict[str, Any], today: date
) -> None:
    stalled = open_partnership(
        client, partners.food_bank, register(client, "company", "Sati"), "2015-01-10"
    )
    assigned = write(
        client,
        f"/partnerships/{stalled['id']}/assignments",
        {"staff": "=claire", "from_on": "2015-02-01"},
    )
    assert assigned.status_code == 201, assigned.text
    again = write(
        client,
        f"/partnerships/{stalled['id']}/assignments",
        {"staff": "=claire", "from_on": "2015-03-01"},
    )
    assert_problem(again, 409, "assignment-changes-staff", "staff")

    listed = items(client)
    kinds = {(i["subject_id"], i["kind"]) for i in listed}
    assert (stalled["id"], "stalled") in kinds
    # the contract ended on 2015-09-30 and was never evaluated
    assert (contracted["id"], "evaluation_due") in kinds
    assert (contracted["id"], "contract_ending") not in kinds  # past: no longer a decision
    mine = items(client, owner="=claire")
    assert [i["subject_id"] for i in mine] == [stalled["id"]]
    assert mine[0]["due_on"] == "2015-04-10"  # 90 days after the opening
    assert items(client, kind="evaluation_due", due_before="2015-09-30") == []
    assert len(items(client, kind="evaluation_due", due_before="2015-10-01")) == 1
    assert_problem(client.get(f"{API}/follow-ups", params={"kind": "nap"}), 422)

    # CSV: cells starting with = are neutralised
    response = client.get(f"{API}/follow-ups", params={"format": "csv", "owner": "=claire"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["due_on", "kind", "owner"]
    assert rows[1][2] == "'=claire"

    # the evaluation answers the item
    evaluation = {"occurred_on": "2015-10-15", "beneficiaries": 10}
    milestone(client, contracted["id"], "evaluations", evaluation)
    kinds = {(i["subject_id"], i["kind"]) for i in items(client)}
    assert (contracted["id"], "evaluation_due") not in kinds


def test_a_contract_ending_within_60_days_asks_for_a_renewal_decision(
    client: TestClient, partners: Partners, today: date
) -> None:
    p = open_partnership(client, partners.food_bank, partners.ibm, "2014-01-10")
    idea = {"title": "t", "proposed_category": "patronage", "occurred_on": "2014-01-11"}
    co_construct(client, p["id"], idea, on="2014-01-12")
    ends_on = today + timedelta(days=30)
    milestone(
        client,
        p["id"],
        "contract",
        {
            "signed_on": "2014-01-13",
            "category": "patronage",
            "sub_kind": "skills",
            "starts_on": "2014-01-13",
            "ends_on": ends_on.isoformat(),
            "committed": {"financial_eur": "1", "in_kind_eur": "0", "skills_days": "0"},
        },
    )
    ending = items(client, kind="contract_ending")
    assert [(i["subject_id"], i["due_on"]) for i in ending] == [(p["id"], ends_on.isoformat())]


def test_a_staff_members_calendar_feed_lists_their_due_dates(
    client: TestClient, partners: Partners
) -> None:
    p = open_partnership(client, partners.food_bank, partners.ibm, "2015-01-10")
    write(
        client, f"/partnerships/{p['id']}/assignments", {"staff": "marc", "from_on": "2015-01-10"}
    )
    issued = write(client, "/follow-ups/calendar", {"staff": "marc"})
    assert issued.status_code == 201, issued.text
    url = issued.json()["url"]
    anonymous = TestClient(client.app)  # no key: the address is the secret
    feed = anonymous.get(url)
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert [e.decoded("dtstart") for e in events] == [date(2015, 4, 10)]
    assert "stalled" in str(events[0].get("summary"))
    assert anonymous.get(f"{API}/follow-ups/calendar/not-a-token.ics").status_code == 404
    # a new address replaces the old one
    write(client, "/follow-ups/calendar", {"staff": "marc"})
    assert anonymous.get(url).status_code == 404
