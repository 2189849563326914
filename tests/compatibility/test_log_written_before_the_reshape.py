"""An event log written by the code before the reshape by context loads, reports the same
figures and verifies.

``tests/fixtures/log_before_reshape.sqlite3`` is the demo data set (``partnerlab demo``) as
the code before the move stored it; ``figures_before_reshape.json`` is what that code
answered for the reports below over HTTP, with an auditor's key issued the same way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from application.context import Caller
from domain.access.api_key import Role
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def old_log(tmp_path: Path) -> Path:
    copy = tmp_path / "before.sqlite3"
    shutil.copy(FIXTURES / "log_before_reshape.sqlite3", copy)
    return copy


def test_the_old_log_reports_the_same_figures(old_log: Path) -> None:
    expected: dict[str, Any] = json.loads((FIXTURES / "figures_before_reshape.json").read_text())
    settings = Settings(sqlite_path=old_log)
    runtime = build_runtime(settings, run_projections=False)
    try:
        operator = Caller(lab="default", actor="auditor@example.org")
        token = runtime.app.keys.issue_api_key(
            operator, name="auditor@example.org", role=Role.AUDITOR
        ).token
    finally:
        runtime.close()

    with TestClient(create_app(settings)) as client:
        answers = {
            path: client.get(path, headers={"Authorization": f"Bearer {token}"}).json()
            for path in expected
        }

    assert answers == expected


def test_the_old_log_verifies(old_log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PARTNERLAB_DATABASE_URL", "POSTGRES_HOST", "PARTNERLAB_POSTGRES_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERLAB_SQLITE_PATH", str(old_log))

    result = CliRunner().invoke(cli, ["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert '"ok": true' in result.output
