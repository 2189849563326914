"""The console's reports page and its downloads, through HTTP, on both databases: the figures
of the reporting use cases, CSV that French Excel opens as it is, XLSX with numbers as
numbers, and the funding split against the 70 % / 30 % target."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.reporting.figure_tables import neutralised
from domain.access.api_key import Role
from tests.api.console_helpers import console_client, open_through_the_application


def _seed(client: TestClient, today: date) -> None:
    lab, caller, opened = open_through_the_application(
        client, "=Emmaüs Strasbourg", "Schneider", today
    )
    company = lab.partnerships.get_partnership(caller, opened).company_id
    year = today.year
    lab.funding.record_subsidy(
        caller, funder="Région Grand Est", year=year, amount_eur=Decimal("7000.50"),
        granted_on=today,
    )  # fmt: skip
    engagement = lab.consulting.open_consulting(
        caller, company_id=company, scope="RSE", started_on=today
    )
    lab.consulting.record_consulting_contribution(
        caller, engagement.id, amount_eur=Decimal("2999.50"), paid_on=today
    )
    lab.read_models.wait_for_projections()


def test_the_reports_page_shows_every_figure_with_its_downloads(
    client: TestClient, today: date
) -> None:
    _seed(client, today)
    browser = console_client(client, "viewer.reports@labo.example", Role.VIEWER)
    answer = browser.get("/console/reports")
    assert answer.status_code == 200, answer.text
    text = answer.text
    for figure in ("signed", "funnel", "pipeline", "impact", "funding", "time-in-stage"):
        assert f"/console/reports/{figure}.csv" in text
        assert f"/console/reports/{figure}.xlsx" in text
    assert "Financement : argent public et recettes propres" in text
    assert "70\xa0%" in text  # the target, in French
    refused = browser.get("/console/reports?from=31/02/2026")
    assert refused.status_code == 422
    assert "Saisissez une date" in refused.text


def test_the_funding_csv_opens_in_french_excel_and_the_xlsx_keeps_numbers(
    client: TestClient, today: date
) -> None:
    _seed(client, today)
    browser = console_client(client, "staff.reports@labo.example")
    answer = browser.get("/console/reports/funding.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Année"
    assert rows[0][1] == "Subventions (€)"
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Année"] == str(today.year)
    assert first["Subventions (€)"] == "7000,50"
    assert first["Total des recettes (€)"] == "10000,00"
    assert first["Part publique (%)"] == "70,00"
    assert first["Objectif de part publique (%)"] == "70,00"

    workbook = browser.get("/console/reports/funding.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Année", "Subventions (€)"]
    values = [c.value for c in sheet[2]]
    assert values[0] == today.year
    assert isinstance(values[1], float | int | Decimal)
    assert float(values[1]) == 7000.5
    assert sheet.cell(row=2, column=6).number_format == "0.00%"


def test_a_text_cell_is_never_a_formula(client: TestClient, today: date) -> None:
    _seed(client, today)
    lab = client.app.state.runtime.app  # type: ignore[attr-defined]
    assert lab is not None
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralised(f"{start}1+1") == f"'{start}1+1"
    assert neutralised("Emmaüs") == "Emmaüs"
    browser = console_client(client, "staff.stalled@labo.example")
    english = browser.get("/console/reports/pipeline.csv", headers={"Accept-Language": "en"})
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Stage", "Open partnerships"]
    assert rows[-1][0] == "Total"
    assert rows[-1][1] == "1"
