"""One lab must never break another: an event a read model cannot apply (a poison event)
stops that read model for that lab only, and every other route of every lab keeps answering.

The poison is made by a reports projection that fails on the default lab's contracts while
``POISON["on"]`` is set (as a bug would); after the "fix", a retry replays the held events
and the figures come out exact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import Mapper, Notification
from fastapi.testclient import TestClient

import infrastructure.reporting.projection as report_projection
from api.app import create_app
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.rebuild import rebuild_reports
from tests.api.conftest import (
    API,
    CONTRACT,
    ClientAs,
    assert_problem,
    authorized,
    bearer,
    co_construct,
    issue_key,
    milestone,
    open_partnership,
    register,
)

POISONED_LAB = "alsace"
OTHER_LAB = "lab-b"
POISON: dict[str, Any] = {"on": False}


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    decode = report_projection.decode
    poisoned_ids: set[str] = set()

    def failing(mapper: Mapper, notifications: Sequence[Notification]) -> Any:  # type: ignore[type-arg]
        for n in notifications:
            poison = POISON["on"] and n.topic.endswith("ContractSigned")
            if poison and str(n.originator_id) in poisoned_ids:
                raise ValueError("poison: this read model cannot apply the event")
        return decode(mapper, notifications)

    POISON["ids"] = poisoned_ids

    monkeypatch.setattr(report_projection, "decode", failing)
    POISON["on"] = False
    yield POISON
    POISON["on"] = False


def contract(
    client: TestClient, signed_on: str = "2014-09-15", *, poison: bool = False
) -> dict[str, Any]:
    association = register(client, "association", "Banque alimentaire")
    company = register(client, "company", "IBM France")
    met = open_partnership(client, association, company)
    if poison:
        POISON["ids"].add(met["id"])
    co_construct(client, met["id"])
    signed = milestone(client, met["id"], "contract", {**CONTRACT, "signed_on": signed_on})
    return {"association": association, "company": company, "partnership": met, **signed}


def get_routes(client: TestClient, ids: dict[str, str]) -> list[str]:
    """Every GET route of the spec whose path parameters ``ids`` can fill."""
    paths = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if "get" not in operations:
            continue
        try:
            paths.append(path.format(**ids))
        except KeyError:
            continue
    return paths


REPORT_ROUTES = (f"{API}/reports/signed", f"{API}/reports/funnel", f"{API}/reports/impact")


def test_a_poison_event_stops_one_read_model_for_one_lab_only(
    client: TestClient, client_as: ClientAs, poisoned: dict[str, Any], settings: Settings
) -> None:
    other = client_as(Role.STAFF, lab=OTHER_LAB)
    contract(client)
    contract(other)
    client.get(f"{API}/reports/signed")  # the read models include the first contracts
    poisoned["on"] = True
    mine = contract(client, signed_on="2015-03-01", poison=True)
    theirs = contract(other, signed_on="2015-03-01")

    # The poisoned lab's reports: 503 with Retry-After, naming the rule; never 500.
    for route in REPORT_ROUTES:
        response = client.get(route)
        assert_problem(response, 503, "projection-stopped")
        assert int(response.headers["Retry-After"]) > 0
    # The other lab's reports are served, up to date.
    signed = other.get(f"{API}/reports/signed", params={"position": theirs["position"]})
    assert signed.status_code == 200, signed.text
    assert signed.json()["total"] == 2

    # Every other route of both labs still answers (no 5xx), the report routes of the
    # poisoned lab excepted.
    for who, data in ((client, mine), (other, theirs)):
        ids = {
            "organization_id": data["association"]["id"],
            "partnership_id": data["partnership"]["id"],
        }
        for route in get_routes(who, ids):
            response = who.get(route)
            stopped = who is client and (
                (route.startswith(f"{API}/reports/") and "funding" not in route)
                or route == "/dashboard"
            )
            if stopped:
                assert response.status_code in (401, 503), (route, response.text)
            else:
                assert response.status_code < 500, (route, response.status_code, response.text)
    assert client.get(f"{API}/organizations").json()["items"]
    assert client_as(Role.ADMIN).get(f"{API}/keys").status_code == 200

    # The operator sees the fault: which read model, which position, which lab.
    projections = client.get(f"{API}/projections").json()["projections"]
    reports = next(p for p in projections if p["name"] == "reports")
    assert [(f["lab"], f["position"], f["state"]) for f in reports["faults"]] == [
        (POISONED_LAB, mine["position"], "stopped")
    ]
    assert "poison" in reports["faults"][0]["error"]
    others = next(p for p in other.get(f"{API}/projections").json()["projections"])
    assert others["faults"] == []  # a lab never sees another lab's faults

    # A rebuild from the first event keeps holding the lab (it does not fail on the event).
    later = contract(client, signed_on="2016-01-05")
    rebuild_reports(settings)
    assert other.get(f"{API}/reports/signed").json()["total"] == 2
    assert_problem(client.get(f"{API}/reports/signed"), 503, "projection-stopped")

    # The read model kept moving for everyone else; after the fix, a retry replays the
    # held events and the poisoned lab's figures come out exact.
    poisoned["on"] = False
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.followers["reports"].retry()
    response = client.get(f"{API}/reports/signed", params={"position": later["position"]})
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 3
    years = {row["year"]: row["total"] for row in response.json()["years"]}
    assert years == {2014: 1, 2015: 1, 2016: 1}
    assert other.get(f"{API}/reports/signed").json()["total"] == 2  # nothing counted twice
    projections = client.get(f"{API}/projections").json()["projections"]
    assert next(p for p in projections if p["name"] == "reports")["faults"] == []


MAX_AMOUNT = "9999999999999.99"
MAX_CENTS = 999_999_999_999_999


def flood_contract(
    client: TestClient, signed_on: str = "2014-09-15", amount: str = MAX_AMOUNT
) -> dict[str, Any]:
    association = register(client, "association", "Banque alimentaire")
    company = register(client, "company", "IBM France")
    met = open_partnership(client, association, company)
    co_construct(client, met["id"])
    committed = {"financial_eur": amount, "in_kind_eur": amount, "skills_days": "0"}
    body = {**CONTRACT, "signed_on": signed_on, "committed": committed}
    return milestone(client, met["id"], "contract", body)


@pytest.fixture
def flood_settings(settings: Settings) -> Settings:
    """Reports that hold three contracts at the largest amount, not four."""
    return settings.model_copy(update={"report_sum_limit": 3 * MAX_CENTS})


def test_a_flood_of_the_largest_amounts_leaves_other_labs_served_and_figures_exact(
    flood_settings: Settings, today: date
) -> None:
    with TestClient(create_app(flood_settings, clock=lambda: today)) as app_client:
        flooder = authorized(app_client, lab=POISONED_LAB)
        other = TestClient(app_client.app)
        other.headers.update(bearer(issue_key(app_client, Role.STAFF, lab=OTHER_LAB)))
        for _ in range(3):
            flood_contract(flooder)
            last = flood_contract(other)
        exact = "29999999999999.97"  # three times the largest amount, to the cent
        for who in (flooder, other):
            impact = who.get(f"{API}/reports/impact", params={"position": last["position"]})
            assert impact.status_code == 200, impact.text
            assert impact.json()["totals"]["financial_eur"] == exact
            assert impact.json()["totals"]["in_kind_eur"] == exact
            filtered = who.get(f"{API}/reports/impact", params={"category": "patronage"})
            assert filtered.json()["totals"]["financial_eur"] == exact

        # One more: beyond what the reports hold exactly. The flooding lab's reports answer
        # 503 (never 500, never a wrong total); the other lab's reports go on at 200.
        flood_contract(flooder, signed_on="2015-01-10")
        theirs = flood_contract(other, signed_on="2015-01-10", amount="0")
        for params in ({}, {"category": "patronage"}, {"as_of": "2015-06-30"}):
            for report in ("impact", "signed", "funnel", "pipeline", "time-in-stage"):
                response = flooder.get(f"{API}/reports/{report}", params=params)
                assert_problem(response, 503, "projection-stopped")
            assert flooder.get("/dashboard", params=params).status_code == 503
        assert flooder.get(f"{API}/organizations").status_code == 200
        impact = other.get(f"{API}/reports/impact", params={"position": theirs["position"]})
        assert impact.status_code == 200, impact.text
        assert impact.json()["totals"]["contracts"] == 4
        assert impact.json()["totals"]["financial_eur"] == exact
        faults = flooder.get(f"{API}/projections").json()["projections"]
        (fault,) = next(p for p in faults if p["name"] == "reports")["faults"]
        assert "ReportOverflow" in fault["error"]

        # `partnerlab project --rebuild` goes through, and keeps holding the flooding lab.
        rebuild_reports(flood_settings)
        impact = other.get(f"{API}/reports/impact")
        assert impact.json()["totals"]["financial_eur"] == exact
        assert_problem(flooder.get(f"{API}/reports/impact"), 503, "projection-stopped")
