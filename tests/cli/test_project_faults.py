"""``partnerlab project`` shows the events a read model could not apply, and ``--retry``
resumes it after the fix (here: the flood's limit raised), exactly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from infrastructure.settings import Settings
from partnerlab.cli import cli
from tests.api.conftest import API, authorized
from tests.api.test_blast_radius import MAX_CENTS, flood_contract

runner = CliRunner()


def test_project_lists_a_stopped_read_model_and_retry_resumes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "partnerlab.sqlite3"
    for name in ("PARTNERLAB_DATABASE_URL", "POSTGRES_HOST", "PARTNERLAB_POSTGRES_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERLAB_SQLITE_PATH", str(path))
    monkeypatch.setenv("PARTNERLAB_REPORT_SUM_LIMIT", str(2 * MAX_CENTS))
    settings = Settings(sqlite_path=path, projections_in_process=False)
    with TestClient(create_app(settings, clock=lambda: date(2026, 11, 26))) as client:
        staff = authorized(client)
        for _ in range(3):
            last = flood_contract(staff)

        listed = runner.invoke(cli, ["project", "--once"])
        assert listed.exit_code == 1, listed.output
        assert "Read model reports stopped for lab alsace" in listed.output
        assert "ReportOverflow" in listed.output
        assert "partnerlab project --retry reports" in listed.output

        monkeypatch.setenv("PARTNERLAB_REPORT_SUM_LIMIT", str(3 * MAX_CENTS))  # the fix
        retried = runner.invoke(cli, ["project", "--retry", "reports"])
        assert retried.exit_code == 0, retried.output
        assert "replayed its held events" in retried.output

        impact = staff.get(f"{API}/reports/impact", params={"position": last["position"]})
        assert impact.status_code == 200, impact.text
        assert impact.json()["totals"]["contracts"] == 3
        assert impact.json()["totals"]["financial_eur"] == "29999999999999.97"
        assert runner.invoke(cli, ["project", "--retry", "nowhere"]).exit_code == 2
