"""Reports over HTTP: JSON and CSV, reproducible as of a date and as known at a time,
read-your-writes with ``position``, projection status, and the dashboard's figures."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    CONTRACT,
    ClientAs,
    Partners,
    assert_problem,
    milestone,
    open_partnership,
    register,
)

REPORTS = ("signed", "funnel", "time-in-stage", "impact", "pipeline")


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_signed_contract_shows_in_every_report(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    position = contracted["position"]
    signed = get(client, "/reports/signed", position=position)
    assert signed["years"] == [
        {
            "year": 2014,
            "by_category": {
                "patronage": 1,
                "responsible_practices": 0,
                "economic_cooperation": 0,
                "social_innovation": 0,
            },
            "total": 1,
        }
    ]
    funnel = get(client, "/reports/funnel", position=position)
    assert [s["reached"] for s in funnel["stages"]] == [1, 1, 1, 1, 0]
    assert funnel["stages"][1]["conversion"] == "1.0000"
    pipeline = get(client, "/reports/pipeline", position=position)
    assert pipeline["total_open"] == 1
    impact = get(client, "/reports/impact", position=position)
    assert impact["rows"][0]["figures"]["in_kind_eur"] == "2500.00"
    assert impact["rows"][0]["figures"]["skills_days"] == "12.50"
    time_in_stage = get(client, "/reports/time-in-stage", position=position)
    assert time_in_stage["cycle_time"] == {"count": 1, "median_days": "187.0", "p90_days": 187}
    assert signed["scope"] == {
        "as_of": None,
        "known_at": None,
        "origin_kind": None,
        "origin_reference_id": None,
        "category": None,
        "territory": None,
        "from": None,
        "to": None,
    }


def test_reports_come_as_csv_tables_on_request(
    client: TestClient, contracted: dict[str, Any]
) -> None:
    by_header = client.get(f"{API}/reports/signed", headers={"Accept": "text/csv"})
    by_param = client.get(f"{API}/reports/signed", params={"format": "csv"})
    assert by_header.status_code == by_param.status_code == 200
    assert by_header.headers["content-type"].startswith("text/csv")
    assert by_header.content == by_param.content
    rows = list(csv.reader(io.StringIO(by_header.text)))
    assert rows == [
        [
            "year",
            "patronage",
            "responsible_practices",
            "economic_cooperation",
            "social_innovation",
            "total",
        ],
        ["2014", "1", "0", "0", "0", "1"],
    ]
    funnel = client.get(f"{API}/reports/funnel", params={"format": "csv"})
    assert funnel.text.splitlines()[1] == "meeting,1,1,,,0"
    for report in REPORTS:
        response = client.get(f"{API}/reports/{report}", params={"format": "csv"})
        assert response.status_code == 200, report
        assert len(response.text.splitlines()) >= 2


def test_a_past_report_gives_the_same_bytes_after_newer_corrections(
    client: TestClient, contracted: dict[str, Any], partners: Partners
) -> None:
    time.sleep(0.01)
    handed_out = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    params = {"as_of": "2015-12-31", "known_at": handed_out}
    before = {r: client.get(f"{API}/reports/{r}", params=params).content for r in REPORTS}
    before_csv = client.get(f"{API}/reports/signed", params={**params, "format": "csv"}).content

    # Later: the signature date is corrected, and a backdated partnership is entered.
    corrected = milestone(
        client,
        contracted["id"],
        "corrections",
        {"target_version": 4, "changes": {"signed_on": "2015-01-10"}, "reason": "misread"},
    )
    late = open_partnership(
        client,
        partners.food_bank,
        partners.ibm,
        occurred_on="2014-01-05",
        separate="another project",
    )
    position = max(corrected["position"], late["position"])

    after = {
        r: client.get(f"{API}/reports/{r}", params={**params, "position": position}).content
        for r in REPORTS
    }
    assert after == before
    assert client.get(f"{API}/reports/signed", params={**params, "format": "csv"}).content == (
        before_csv
    )
    now = get(client, "/reports/signed", as_of="2015-12-31")
    assert [y["year"] for y in now["years"]] == [2015]
    assert get(client, "/reports/funnel", as_of="2015-12-31")["partnerships"] == 2


def test_position_waits_for_the_write_and_refuses_positions_beyond_the_log(
    client: TestClient, met: dict[str, Any]
) -> None:
    status = get(client, "/projections", position=met["position"])
    reports = next(p for p in status["projections"] if p["name"] == "reports")
    assert reports["position"] >= met["position"]
    assert reports["lag"] == status["head"] - reports["position"]
    assert reports["last_error"] is None
    assert {"catalog", "reports"} <= {p["name"] for p in status["projections"]}
    beyond = client.get(f"{API}/reports/funnel", params={"position": status["head"] + 10})
    assert_problem(beyond, 422, "report-query-invalid", "position")


def test_bad_report_parameters_are_422_problems(client: TestClient) -> None:
    cases = [
        {"as_of": "12/31/2015"},
        {"as_of": "1700000000"},
        {"known_at": "yesterday"},
        {"origin_kind": "telepathy"},
        {"category": "charity"},
        {"territory": "99"},
        {"from": "2015-01-01", "to": "2014-01-01"},
        {"position": "0"},
        {"format": "xlsx"},
        {"table": "abandonments"},
    ]
    for params in cases:
        response = client.get(f"{API}/reports/funnel", params=params)
        assert_problem(response, 422)
    stalled = client.get(f"{API}/reports/time-in-stage", params={"stalled_after_days": 0})
    assert_problem(stalled, 422, field="stalled_after_days")


def test_known_at_in_the_future_is_a_422_problem_naming_the_settled_horizon(
    client: TestClient,
) -> None:
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    response = client.get(f"{API}/reports/funnel", params={"known_at": later})
    assert_problem(response, 422, "known-at-in-future", "known_at")
    # A moment just past is answered (after waiting for it to settle), the same twice.
    moment = (datetime.now(UTC) - timedelta(milliseconds=2)).isoformat()
    first = client.get(f"{API}/reports/funnel", params={"known_at": moment})
    assert first.status_code == 200
    assert client.get(f"{API}/reports/funnel", params={"known_at": moment}).content == first.content


def test_a_viewer_reads_reports_but_another_labs_key_sees_none_of_them(
    client: TestClient, client_as: ClientAs, contracted: dict[str, Any]
) -> None:
    viewer = client_as("viewer")
    response = viewer.get(f"{API}/reports/signed", params={"position": contracted["position"]})
    assert response.status_code == 200
    assert response.json()["total"] == 1
    other = client_as("viewer", lab="lorraine")
    assert other.get(f"{API}/reports/signed").json()["total"] == 0


def figures(page: str) -> dict[str, str]:
    """Each figure as the JSON gives it (``data-value``; the cell shows it in the locale)."""
    return {
        name: value
        for value, name in re.findall(r"data-value='([^']*)' data-figure='([^']+)'>", page)
    }


def test_the_dashboard_shows_the_figures_of_the_json_reports(
    client: TestClient, contracted: dict[str, Any], partners: Partners
) -> None:
    la_poste = register(client, "company", "La Poste", territory="75")
    other = open_partnership(client, partners.food_bank, la_poste, occurred_on="2015-01-05")
    abandonment = {"reason": "no budget", "occurred_on": "2015-02-01"}
    position = milestone(client, other["id"], "abandonment", abandonment)["position"]
    page = client.get("/dashboard", params={"position": position})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text
    shown = figures(page.text)
    signed = get(client, "/reports/signed")
    funnel = get(client, "/reports/funnel")
    pipeline = get(client, "/reports/pipeline")
    assert shown["signed.2014.patronage"] == "1"
    assert shown["signed.total"] == str(signed["total"])
    for stage in funnel["stages"]:
        assert shown[f"funnel.{stage['stage']}.reached"] == str(stage["reached"])
        assert shown[f"funnel.{stage['stage']}.abandoned"] == str(stage["abandoned"])
    assert shown["funnel.abandoned.meeting.no budget"] == "1"
    for stage in pipeline["stages"]:
        assert shown[f"pipeline.{stage['stage']}"] == str(stage["open"])
    filtered = figures(client.get("/dashboard", params={"territory": "75"}).text)
    assert filtered["funnel.meeting.reached"] == "1"
    assert filtered["signed.total"] == "0"
    assert CONTRACT["signed_on"] == "2014-09-15"


def test_lists_wait_for_the_position_a_write_returned(
    client: TestClient, met: dict[str, Any]
) -> None:
    listed = get(client, "/partnerships", position=met["position"])
    assert [p["id"] for p in listed["items"]] == [met["id"]]
    organizations = get(client, "/organizations", position=met["position"])
    assert organizations["total"] == 2
    beyond = client.get(f"{API}/partnerships", params={"position": met["position"] + 1000})
    assert_problem(beyond, 422, "report-query-invalid", "position")
