"""``partnerlab project --rebuild``: a progress bar, then fresh report tables swapped in, on
both databases (the CLI reads its settings from the environment)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from application.context import Caller
from application.reporting.ports import ReportScope
from infrastructure.reporting.store import SqlReportStore
from infrastructure.settings import Settings
from partnerlab.bootstrap import build_runtime
from partnerlab.cli import cli
from tests.cli.test_cli import DATABASE_VARIABLES
from tests.integration.report_stories import record_the_lab

STAFF = Caller(lab="alsace", actor="claire.staff")


def environment(settings: Settings) -> dict[str, str]:
    if settings.backend == "sqlite":
        return {"PARTNERLAB_SQLITE_PATH": str(settings.sqlite_path)}
    return {
        "POSTGRES_HOST": str(settings.postgres_host),
        "POSTGRES_PORT": str(settings.postgres_port),
        "POSTGRES_USER": settings.postgres_user,
        "POSTGRES_PASSWORD": settings.postgres_password,
        "POSTGRES_DB": settings.postgres_db,
        "PARTNERLAB_POSTGRES_SCHEMA": settings.postgres_schema or "",
    }


def use_database(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI, run in this process, uses the test's database (and no other variable)."""
    for name in DATABASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(settings).items():
        monkeypatch.setenv(name, value)


def test_rebuild_replaces_the_report_tables_with_identical_ones(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(settings, monkeypatch)
    runtime = build_runtime(settings, run_projections=False)
    try:
        record_the_lab(runtime.app, STAFF)
        runtime.followers.catch_up()
        store = runtime.stores.reports
        assert isinstance(store, SqlReportStore)
        before = store.table_rows()
        generation = store.generation()
        funnel = runtime.app.reports.funnel_report(STAFF, ReportScope())

        result = CliRunner().invoke(cli, ["project", "--rebuild"])

        assert result.exit_code == 0, result.output
        assert "rebuilding reports" in result.output
        assert f"generation {generation + 1}" in result.output
        assert store.generation() == generation + 1
        assert store.table_rows() == before
        assert runtime.app.reports.funnel_report(STAFF, ReportScope()) == funnel
    finally:
        runtime.close()
