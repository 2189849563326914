"""The funding report over HTTP against years computed by hand, on both databases.

2014 is the source's own budget: 100 000 EUR, 70 % subsidies (Direccte 30 000, Région 25 000,
and 15 000 from the Strasbourg urban community granted in December 2013 for 2014), 30 % earned
(consulting 12 000 + 10 500, training fees 4 500 + 3 000). 2015: a 28 000 Direccte subsidy
corrected to 27 000, and a consulting contribution of 1 234.56 paid in January 2015 for an
engagement of 2014 (it counts when it was paid):

    2015: 28 234.56 in all; subsidies 27 000 / 28 234.56 = 95.627...% -> 95.63 %,
          consulting 1 234.56 / 28 234.56 = 4.372...% -> 4.37 %
    both years: 128 234.56; subsidies 97 000 -> 75.64 %, consulting 23 734.56 -> 18.51 %,
          training 7 500 -> 5.85 %, earned 31 234.56 -> 24.36 %
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import API, created, register, write


def subsidy(client: TestClient, funder: str, year: int, amount: str, granted_on: str) -> str:
    body = {"funder": funder, "year": year, "amount_eur": amount, "granted_on": granted_on}
    return str(created(write(client, "/funding/subsidies", body))["id"])


def consulting(client: TestClient, company: str, payments: list[tuple[str, str]]) -> None:
    payer = register(client, "company", company)
    engagement = created(
        write(
            client,
            "/consulting-engagements",
            {"company_id": payer["id"], "scope": "CSR policy", "started_on": "2014-01-13"},
        )
    )
    for amount, paid_on in payments:
        created(
            write(
                client,
                f"/consulting-engagements/{engagement['id']}/contributions",
                {"amount_eur": amount, "paid_on": paid_on},
            )
        )


@pytest.fixture
def funded(client: TestClient) -> None:
    subsidy(client, "Direccte Alsace", 2014, "30000.00", "2014-02-03")
    subsidy(client, "Région Alsace", 2014, "25000", "2014-03-20")
    subsidy(client, "Communauté urbaine de Strasbourg", 2014, "15000.00", "2013-12-16")
    consulting(client, "IBM France", [("12000", "2014-06-30")])
    consulting(client, "Cafés Sati", [("10500.00", "2014-11-03"), ("1234.56", "2015-01-15")])
    training = created(
        write(client, "/trainings", {"title": "Build a partnership", "held_on": "2014-10-07"})
    )
    for name, fee in (("La Poste", "4500"), ("Crédit Mutuel", "3000.00")):
        company = register(client, "company", name)
        path = f"/trainings/{training['id']}"
        enrolment = {"organization_id": company["id"], "fee_eur": fee}
        created(write(client, f"{path}/participants", enrolment))
        created(
            write(
                client,
                f"{path}/payments",
                {"organization_id": company["id"], "amount_eur": fee, "paid_on": "2014-10-07"},
            )
        )
    corrected = subsidy(client, "Direccte Alsace", 2015, "28000", "2015-02-10")
    created(
        write(
            client,
            f"/funding/subsidies/{corrected}/corrections",
            {"amount_eur": "27000", "reason": "the 2015 convention was cut"},
        )
    )


def shares(year: dict[str, Any], key: str = "sources") -> list[tuple[str, str, str]]:
    return [(s["name"], s["amount_eur"], s["share_percent"]) for s in year[key]]


@pytest.mark.usefixtures("funded")
def test_the_funding_report_splits_each_year_by_source_as_computed_by_hand(
    client: TestClient,
) -> None:
    report = client.get(f"{API}/reports/funding").json()

    y2014, y2015 = report["years"]
    assert (y2014["year"], y2014["total_eur"]) == (2014, "100000.00")
    assert shares(y2014) == [
        ("subsidy", "70000.00", "70.00"),
        ("consulting", "22500.00", "22.50"),
        ("training", "7500.00", "7.50"),
    ]
    assert (y2014["earned_eur"], y2014["earned_share_percent"]) == ("30000.00", "30.00")
    assert shares(y2014, "subsidies_by_funder") == [
        ("Communauté urbaine de Strasbourg", "15000.00", "15.00"),
        ("Direccte Alsace", "30000.00", "30.00"),
        ("Région Alsace", "25000.00", "25.00"),
    ]
    assert (y2015["year"], y2015["total_eur"]) == (2015, "28234.56")
    assert shares(y2015) == [
        ("subsidy", "27000.00", "95.63"),
        ("consulting", "1234.56", "4.37"),
        ("training", "0.00", "0.00"),
    ]
    total = report["total"]
    assert (total["year"], total["total_eur"]) == (None, "128234.56")
    assert shares(total) == [
        ("subsidy", "97000.00", "75.64"),
        ("consulting", "23734.56", "18.51"),
        ("training", "7500.00", "5.85"),
    ]
    assert (total["earned_eur"], total["earned_share_percent"]) == ("31234.56", "24.36")


@pytest.mark.usefixtures("funded")
def test_the_report_and_the_income_lines_can_be_limited_to_some_years(
    client: TestClient,
) -> None:
    report = client.get(f"{API}/reports/funding", params={"year_from": 2015}).json()
    lines = client.get(f"{API}/funding", params={"year_to": 2014, "source": "consulting"}).json()

    assert [y["year"] for y in report["years"]] == [2015]
    assert report["total"]["total_eur"] == "28234.56"
    assert [(line["payer"], line["amount_eur"], line["received_on"]) for line in lines] == [
        ("IBM France", "12000.00", "2014-06-30"),
        ("Cafés Sati", "10500.00", "2014-11-03"),
    ]


def test_a_lab_without_income_reports_nothing(client: TestClient) -> None:
    report = client.get(f"{API}/reports/funding").json()

    assert report["years"] == []
    assert report["total"]["total_eur"] == "0.00"
    assert report["total"]["earned_share_percent"] == "0.00"


def test_a_cohort_is_for_a_session_or_an_event(client: TestClient) -> None:
    training = created(
        write(client, "/trainings", {"title": "Build a partnership", "held_on": "2014-10-07"})
    )

    refused = client.get(f"{API}/reports/cohorts/{training['id']}")

    assert refused.status_code == 404
    assert refused.json()["rule"] == "not-found"
